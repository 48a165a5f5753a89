// Indicator extraction (filters/parsers/indicator_extractor.cpp): every kind in its
// plain and defanged forms, canonical values, order and deduplication, the cap,
// false-positive guards (version numbers, times, file names, MAC addresses), and
// hostile inputs that must finish in bounded time without recursion.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "indicator_extractor.h"

namespace csirtgw {
namespace {

// "kind value" per indicator, with a trailing " (defanged)" when flagged.
std::vector<std::string> render(const std::vector<Indicator>& found) {
  std::vector<std::string> out;
  for (const auto& i : found)
    out.push_back(std::string(to_string(i.kind)) + " " + i.value + (i.defanged ? " (defanged)" : ""));
  return out;
}

std::vector<std::string> extract(const std::string& text) { return render(extract_indicators(text)); }

struct Row {
  std::string name;
  std::string text;
  std::vector<std::string> expected;
};

void check_rows(const std::vector<Row>& rows) {
  for (const auto& row : rows) {
    CAPTURE(row.name);
    CAPTURE(row.text);
    CHECK(extract(row.text) == row.expected);
  }
}

// Generous in unoptimised builds; the Release bound is well under a second.
#ifdef NDEBUG
constexpr double time_limit_seconds = 5.0;
#else
constexpr double time_limit_seconds = 15.0;
#endif

double seconds_to_extract(const std::string& text, std::size_t* count = nullptr) {
  const auto start = std::chrono::steady_clock::now();
  auto found = extract_indicators(text);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  if (count) *count = found.size();
  return elapsed.count();
}

std::string repeat(const std::string& unit, std::size_t bytes) {
  std::string out;
  out.reserve(bytes + unit.size());
  while (out.size() < bytes) out += unit;
  return out;
}

}  // namespace

TEST_CASE("indicator: to_string names every kind") {
  CHECK(std::string(to_string(IndicatorKind::ipv4)) == "ipv4");
  CHECK(std::string(to_string(IndicatorKind::ipv6)) == "ipv6");
  CHECK(std::string(to_string(IndicatorKind::cidr)) == "cidr");
  CHECK(std::string(to_string(IndicatorKind::domain)) == "domain");
  CHECK(std::string(to_string(IndicatorKind::url)) == "url");
  CHECK(std::string(to_string(IndicatorKind::email)) == "email");
  CHECK(std::string(to_string(IndicatorKind::cve)) == "cve");
  CHECK(std::string(to_string(IndicatorKind::md5)) == "md5");
  CHECK(std::string(to_string(IndicatorKind::sha1)) == "sha1");
  CHECK(std::string(to_string(IndicatorKind::sha256)) == "sha256");
  CHECK(std::string(to_string(IndicatorKind::timestamp)) == "timestamp");
}

TEST_CASE("indicator: addresses and networks") {
  check_rows({
      {"ipv4", "Scanning from 192.0.2.1 since Monday.", {"ipv4 192.0.2.1"}},
      {"ipv4 with port", "connect 198.51.100.7:8443 refused", {"ipv4 198.51.100.7"}},
      {"ipv4 in parentheses", "(203.0.113.9)", {"ipv4 203.0.113.9"}},
      {"ipv4 edge octets", "0.0.0.0 and 255.255.255.255", {"ipv4 0.0.0.0", "ipv4 255.255.255.255"}},
      {"octet out of range", "10.0.0.256", {}},
      {"leading zero octet", "010.001.002.003", {}},
      {"ipv6 compressed", "src 2001:db8::1 dst 2001:DB8:0:0:0:0:0:2", {"ipv6 2001:db8::1", "ipv6 2001:db8::2"}},
      {"ipv6 full", "fe80:0000:0000:0000:0204:61ff:fe9d:f156", {"ipv6 fe80::204:61ff:fe9d:f156"}},
      {"ipv6 mapped ipv4", "::ffff:192.0.2.128", {"ipv6 ::ffff:192.0.2.128"}},
      {"ipv6 in brackets with port", "[2001:db8:85a3::8a2e:370:7334]:443", {"ipv6 2001:db8:85a3::8a2e:370:7334"}},
      {"ipv6 sentence end", "from 2001:db8::c0ff:ee.", {"ipv6 2001:db8::c0ff:ee"}},
      {"cidr v4", "block 192.0.2.0/24, 198.51.100.0/31", {"cidr 192.0.2.0/24", "cidr 198.51.100.0/31"}},
      {"cidr v6", "route 2001:DB8::/32 announced", {"cidr 2001:db8::/32"}},
      {"cidr prefix out of range", "192.0.2.0/33 and 2001:db8::/129", {"ipv4 192.0.2.0"}},
      {"ip followed by path", "192.0.2.5/index.html", {"ipv4 192.0.2.5"}},
  });
}

TEST_CASE("indicator: domains, URLs and e-mail addresses") {
  check_rows({
      {"domain", "Phishing kit hosted on login-secure.Example.com today",
       {"domain login-secure.example.com"}},
      {"upper-case domain", "EXAMPLE.ORG", {"domain example.org"}},
      {"domain with trailing dot", "Visit example.net.", {"domain example.net"}},
      {"idna tld", "shop.xn--p1ai", {"domain shop.xn--p1ai"}},
      {"domain with path, no scheme", "example.com/malware/dropper.exe", {"domain example.com"}},
      {"url", "see https://www.Example.COM/Path/To?Q=A#Frag ok",
       {"url https://www.example.com/Path/To?Q=A#Frag", "domain www.example.com"}},
      {"url scheme upper-case", "HTTP://example.com/X", {"url http://example.com/X", "domain example.com"}},
      {"url trailing punctuation", "(see http://example.com/a.php?id=1).",
       {"url http://example.com/a.php?id=1", "domain example.com"}},
      {"url keeps balanced parentheses", "https://en.wikipedia.org/wiki/Foo_(bar), next",
       {"url https://en.wikipedia.org/wiki/Foo_(bar)", "domain en.wikipedia.org"}},
      {"url in angle brackets", "<https://example.org/x>", {"url https://example.org/x", "domain example.org"}},
      {"url with port and userinfo", "ftp://anon:pw@files.example.net:2121/pub/",
       {"url ftp://anon:pw@files.example.net:2121/pub/", "domain files.example.net"}},
      {"url with ip host", "http://192.0.2.10:8080/gate.php",
       {"url http://192.0.2.10:8080/gate.php", "ipv4 192.0.2.10"}},
      {"url with ipv6 host", "http://[2001:db8::7]/x", {"url http://[2001:db8::7]/x", "ipv6 2001:db8::7"}},
      {"url file-extension tld host", "http://evil.zip/", {"url http://evil.zip/", "domain evil.zip"}},
      {"unknown scheme is not a url", "ssh://host.example.com", {"domain host.example.com"}},
      {"scheme inside a word", "xhttp://example.com", {"domain example.com"}},
      {"email", "Contact abuse@Example.NET or john.doe+tag@mail.example.org.",
       {"email abuse@example.net", "email john.doe+tag@mail.example.org"}},
      {"email keeps local-part case", "<Alice.Smith@EXAMPLE.com>", {"email Alice.Smith@example.com"}},
      {"email without domain dot", "root@localhost", {}},
  });
}

TEST_CASE("indicator: CVE ids, hashes and timestamps") {
  const std::string md5 = "d41d8cd98f00b204e9800998ecf8427e";
  const std::string sha1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709";
  const std::string sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  check_rows({
      {"cve", "Exploited: CVE-2021-44228 and cve-2023-1234567.", {"cve CVE-2021-44228", "cve CVE-2023-1234567"}},
      {"cve too short", "CVE-2021-123", {}},
      {"md5", "md5: " + md5, {"md5 " + md5}},
      {"sha1 upper-case", "SHA1 " + std::string("DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"), {"sha1 " + sha1}},
      {"sha256", "sha256=" + sha256, {"sha256 " + sha256}},
      {"hash only as a whole token", md5 + "0", {}},
      {"digits only is not a hash", std::string(32, '7'), {}},
      {"iso zulu", "at 2026-11-23T17:06:21Z the", {"timestamp 2026-11-23T17:06:21Z"}},
      {"iso offset converted to UTC", "2026-11-23T18:06:21.250+01:00", {"timestamp 2026-11-23T17:06:21.250Z"}},
      {"iso negative offset crossing midnight", "2026-12-31T22:30:00-05:00", {"timestamp 2027-01-01T03:30:00Z"}},
      {"iso local time", "2026-11-23T17:06:21 local", {"timestamp 2026-11-23T17:06:21"}},
      {"iso space and UTC", "2026-11-23 17:06 UTC", {"timestamp 2026-11-23T17:06:00Z"}},
      {"rfc 5322", "Date: Mon, 23 Nov 2026 17:06:21 +0000", {"timestamp 2026-11-23T17:06:21Z"}},
      {"rfc 5322 without weekday, named zone", "Arrival-Date: 8 Mar 2005 14:00:00 EDT",
       {"timestamp 2005-03-08T18:00:00Z"}},
      {"rfc 5322 positive offset", "Tue, 1 Jan 2030 00:30:00 +0200", {"timestamp 2029-12-31T22:30:00Z"}},
      {"invalid date", "2026-02-30T10:00:00Z", {}},
      {"date only is not a timestamp", "2026-11-23", {}},
  });
}

TEST_CASE("indicator: defanged forms are refanged and flagged") {
  check_rows({
      {"hxxp", "hxxp://evil.example.com/a", {"url http://evil.example.com/a (defanged)",
                                              "domain evil.example.com (defanged)"}},
      {"hxxps upper", "HXXPS://evil.example.com/", {"url https://evil.example.com/ (defanged)",
                                                    "domain evil.example.com (defanged)"}},
      {"fxp", "fxp://files.example.com/x", {"url ftp://files.example.com/x (defanged)",
                                             "domain files.example.com (defanged)"}},
      {"[:] and [.]", "http[:]//evil[.]example/x", {"url http://evil.example/x (defanged)",
                                                     "domain evil.example (defanged)"}},
      {"[://]", "hxxps[://]evil[.]example/", {"url https://evil.example/ (defanged)",
                                               "domain evil.example (defanged)"}},
      {"domain [.]", "example[.]com", {"domain example.com (defanged)"}},
      {"domain (.)", "example(.)com", {"domain example.com (defanged)"}},
      {"domain {.}", "example{.}com", {"domain example.com (defanged)"}},
      {"domain [dot]", "evil[dot]example[DOT]org", {"domain evil.example.org (defanged)"}},
      {"ipv4 partly defanged", "192.0.2[.]1", {"ipv4 192.0.2.1 (defanged)"}},
      {"ipv4 fully defanged", "198[.]51[.]100[.]23", {"ipv4 198.51.100.23 (defanged)"}},
      {"cidr defanged", "203.0.113[.]0/24", {"cidr 203.0.113.0/24 (defanged)"}},
      {"email [@]", "phish[@]example[.]com", {"email phish@example.com (defanged)"}},
      {"email [at]", "phish[at]example.com", {"email phish@example.com (defanged)"}},
      {"email spaced [at] [dot]", "write to user [at] example [dot] com now",
       {"email user@example.com (defanged)"}},
      {"defanged file-like name is a host", "invoice[.]pdf", {"domain invoice.pdf (defanged)"}},
      {"plain and defanged are one indicator", "example.com and example[.]com", {"domain example.com"}},
      {"brackets that are not defangs", "[note] (see) {x}", {}},
  });
}

TEST_CASE("indicator: false-positive guards") {
  check_rows({
      {"version number", "OpenSSH 1.2.3.4.5 and v2.0.1", {}},
      {"times", "between 12:30:45 and 13:00:01", {}},
      {"MAC address", "00:1a:2b:3c:4d:5e", {}},
      {"C++ scope", "std::string and a::b", {}},
      {"file names", "report.pdf, notes.txt, setup.exe, data.zip, photo.JPG, letter.docx", {}},
      {"mixed-case TLD in prose", "Dear Mr.Smith, see Section.Two", {}},
      {"abbreviations", "e.g. i.e. U.S. a.m.", {}},
      {"decimal numbers", "3.14 and 10.5% and 1.0", {}},
  });
}

TEST_CASE("indicator: order, deduplication and cap") {
  SUBCASE("first-appearance order across kinds and duplicates dropped") {
    CHECK(extract("b.example.com 192.0.2.1 https://a.example.com/ 192.0.2.1 b.example.com CVE-2020-0001") ==
          std::vector<std::string>{"domain b.example.com", "ipv4 192.0.2.1", "url https://a.example.com/",
                                   "domain a.example.com", "cve CVE-2020-0001"});
  }
  SUBCASE("the URL host repeats a domain seen earlier") {
    CHECK(extract("example.com then http://example.com/x") ==
          std::vector<std::string>{"domain example.com", "url http://example.com/x"});
  }
  SUBCASE("text inside a URL or address is not scanned again") {
    CHECK(extract("http://example.com/?ip=192.0.2.1&h=d41d8cd98f00b204e9800998ecf8427e") ==
          std::vector<std::string>{"url http://example.com/?ip=192.0.2.1&h=d41d8cd98f00b204e9800998ecf8427e",
                                   "domain example.com"});
  }
  SUBCASE("max_indicators caps the result, keeping the first") {
    std::string text;
    for (int i = 0; i < 50; ++i) text += "192.0.2." + std::to_string(i) + " host" + std::to_string(i) + ".example.com ";
    auto found = extract_indicators(text, 7);
    REQUIRE(found.size() == 7);
    CHECK(found[0].value == "192.0.2.0");
    CHECK(found[1].value == "host0.example.com");
    CHECK(found[6].value == "192.0.2.3");
    CHECK(extract_indicators(text, 0).empty());
  }
  SUBCASE("the cap counts distinct indicators") {
    std::string text = repeat("192.0.2.1 ", 10000) + "198.51.100.1";
    auto found = extract_indicators(text, 2);
    REQUIRE(found.size() == 2);
    CHECK(found[1].value == "198.51.100.1");
  }
}

TEST_CASE("indicator: helpers") {
  CHECK(canonical_timestamp(" Mon, 23 Nov 2026 17:06:21 +0000 (UTC) ") == std::optional<std::string>("2026-11-23T17:06:21Z"));
  CHECK(canonical_timestamp("2018-02-05T14:17:10Z") == std::optional<std::string>("2018-02-05T14:17:10Z"));
  CHECK_FALSE(canonical_timestamp("yesterday").has_value());
  CHECK_FALSE(canonical_timestamp("2026-11-23T17:06:21Z trailing").has_value());
  CHECK(canonical_ip_address("2001:DB8::1") == std::optional<std::string>("2001:db8::1"));
  CHECK(canonical_ip_address("192.0.2.1") == std::optional<std::string>("192.0.2.1"));
  CHECK_FALSE(canonical_ip_address("192.0.2.300").has_value());
  CHECK_FALSE(canonical_ip_address("example.com").has_value());
  CHECK(is_domain_name("mail.example.com"));
  CHECK_FALSE(is_domain_name("localhost"));
  CHECK_FALSE(is_domain_name("-bad.example.com"));
}

TEST_CASE("indicator: hostile and large inputs finish quickly") {
  struct Hostile {
    std::string name;
    std::string text;
  };
  const std::size_t mb = 1 << 20;
  const std::vector<Hostile> inputs = {
      {"dots", std::string(mb, '.')},
      {"digits", std::string(mb, '7')},
      {"digits and dots", repeat("1.", mb)},
      {"long hex run", std::string(mb, 'a')},
      {"defanged dots", repeat("[.]", mb)},
      {"defanged digits", repeat("1[.]", mb)},
      {"unclosed brackets", std::string(mb, '[')},
      {"colons", std::string(mb, ':')},
      {"hex and colons", repeat("a:", mb)},
      {"at signs", std::string(mb, '@')},
      {"local parts", repeat("a@", mb)},
      {"long local part", std::string(mb, 'a') + "@example.com"},
      {"long domain", "a@" + repeat("a.", mb)},
      {"schemes", repeat("http://", mb)},
      {"unclosed ipv6 literal", repeat("http://[", mb)},
      {"url of dots", "http://" + std::string(mb, '.')},
      {"parentheses", "http://example.com/" + std::string(mb, ')')},
      {"dates", repeat("2026-11-23T", mb)},
      {"day and month", repeat("1 Nov ", mb)},
      {"slashes", repeat("a/", mb)},
      {"hyphens", repeat("-a", mb)},
  };
  for (const auto& input : inputs) {
    CAPTURE(input.name);
    CHECK(seconds_to_extract(input.text) < time_limit_seconds);
  }
}

// A guard against super-linear (backtracking) behaviour, not a speed figure:
// linear extraction takes well under a second here, a quadratic one hours. The
// bound is loose so that a loaded CI machine never fails it; the speed itself is
// the benchmark's business.
TEST_CASE("indicator: 10 MB of realistic text finishes (no super-linear blow-up)") {
  const std::string paragraph =
      "On Mon, 23 Nov 2026 17:06:21 +0000 host 192.0.2.44 (mail.example.net) sent phishing from "
      "hxxps://login-example[.]com/verify?id=42 to victim@example.org; payload sha256 "
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 exploiting CVE-2021-44228. "
      "The quick brown fox jumps over the lazy dog, version 1.2.3, at 12:30:45 see report.pdf.\n";
  const std::string text = repeat(paragraph, 10 * (1 << 20));
  std::size_t count = 0;
  CHECK(seconds_to_extract(text, &count) < 20.0);
  CHECK(count == 8);
}

}  // namespace csirtgw
