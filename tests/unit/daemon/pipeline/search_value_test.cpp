// What `csirtgw search` makes of a typed value (daemon/pipeline/search_value.cpp)
// and the keys indicators are stored under (indicator_keys.cpp): canonical
// forms the extractor also produces, sortable address keys, CIDR blocks,
// reversed domain labels, and a specific refusal for anything else.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "indicator_keys.h"

namespace csirtgw {
namespace {

std::string hex(const std::string& key) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : key) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

TEST_CASE("search values: what they are and their canonical form") {
  struct Case {
    const char* text;
    QueryKind kind;
    const char* value;
  };
  const std::vector<Case> cases = {
      {"192.0.2.1", QueryKind::address, "192.0.2.1"},
      {" 2001:DB8:0:0::1 ", QueryKind::address, "2001:db8::1"},
      {"192.0.2.77/24", QueryKind::network, "192.0.2.0/24"},
      {"10.0.0.0/8", QueryKind::network, "10.0.0.0/8"},
      {"2001:db8:ffff::/32", QueryKind::network, "2001:db8::/32"},
      {"0.0.0.0/0", QueryKind::network, "0.0.0.0/0"},
      {"WWW.Example.ORG.", QueryKind::domain, "www.example.org"},
      {"example[.]org", QueryKind::domain, "example.org"},
      {"192.0.2[.]1", QueryKind::address, "192.0.2.1"},
      {"hxxps://evil.example/login?x=1", QueryKind::url, "https://evil.example/login?x=1"},
      {"HTTP://Evil.Example/Path", QueryKind::url, "http://evil.example/Path"},
      {"Phisher@Evil.Example", QueryKind::email, "phisher@evil.example"},
      {"D41D8CD98F00B204E9800998ECF8427E", QueryKind::hash, "d41d8cd98f00b204e9800998ecf8427e"},
      {"da39a3ee5e6b4b0d3255bfef95601890afd80709", QueryKind::hash, "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
      {"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", QueryKind::hash,
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"cve-2021-44228", QueryKind::cve, "CVE-2021-44228"},
      {"CVE-2023-1234567", QueryKind::cve, "CVE-2023-1234567"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto query = parse_search_value(c.text);
    REQUIRE_MESSAGE(query.ok(), query.error().message);
    CHECK(query->kind == c.kind);
    CHECK(query->value == c.value);
  }
  CHECK(parse_search_value("d41d8cd98f00b204e9800998ecf8427e")->hash_kind == "md5");
  CHECK(parse_search_value("da39a3ee5e6b4b0d3255bfef95601890afd80709")->hash_kind == "sha1");
  CHECK(parse_search_value("example.org")->rdomain == "org.example.");
}

TEST_CASE("search values that are no indicator are refused, naming the problem") {
  struct Case {
    const char* text;
    const char* says;
  };
  const std::vector<Case> cases = {
      {"", "empty"},
      {"   ", "empty"},
      {"10.0.0.0/33", "prefix length must be 0-32"},
      {"2001:db8::/129", "prefix length must be 0-128"},
      {"300.1.1.1/8", "\"300.1.1.1\" is not an IP address"},
      {"10.0.0.0/x", "prefix length"},
      {"abc", "3 hexadecimal digits are no hash"},
      {"CVE-20x4-1234", "not a CVE id"},
      {"CVE-2024-12", "not a CVE id"},
      {"evil.example bad.example", "space or control character"},
      {"evil\x1b]0;owned\x07.example", "space or control character"},
      {"b\xc3\xa4d.example", "not ASCII"},
      {"http://", "not a URL"},
      {"not-an@", "not an e-mail address"},
      {"localhost", "not an IP address, CIDR block, domain"},
      {"example.123", "not an IP address, CIDR block, domain"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto query = parse_search_value(c.text);
    REQUIRE_FALSE(query.ok());
    CHECK(query.error().kind == ErrorClass::bad_input);
    CHECK_MESSAGE(query.error().message.find(c.says) != std::string::npos, query.error().message);
    // The message quotes the value sanitised: no escape character reaches a terminal.
    CHECK(query.error().message.find('\x1b') == std::string::npos);
  }
  CHECK(parse_search_value(std::string(3000, 'a')).error().message.find("longer than 2048") != std::string::npos);
}

TEST_CASE("address keys sort IPv4 inside ::ffff:0:0/96 and IPv6 by its bytes") {
  CHECK(hex(*address_key("192.0.2.1")) == "00000000000000000000ffffc0000201");
  CHECK(hex(*address_key("::ffff:192.0.2.1")) == "00000000000000000000ffffc0000201");
  CHECK(hex(*address_key("2001:db8::1")) == "20010db8000000000000000000000001");
  CHECK_FALSE(address_key("192.0.2").has_value());
  CHECK_FALSE(address_key("example.org").has_value());
  CHECK(*address_key("10.0.0.9") < *address_key("10.0.0.10"));  // bytes, not text, order
  CHECK(address_text(*address_key("192.0.2.1")) == "192.0.2.1");
  CHECK(address_text(*address_key("2001:db8::1")) == "2001:db8::1");
}

TEST_CASE("CIDR blocks are key ranges; host bits are masked") {
  auto range = cidr_range("192.0.2.77/24");
  REQUIRE(range.has_value());
  CHECK(range->prefix == 120);
  CHECK(address_text(range->first) == "192.0.2.0");
  CHECK(address_text(range->last) == "192.0.2.255");
  auto v6 = cidr_range("2001:db8::/32");
  REQUIRE(v6.has_value());
  CHECK(hex(v6->last) == "20010db8ffffffffffffffffffffffff");
  CHECK(cidr_range("10.1.2.3/0")->prefix == 96);
  CHECK(address_text(cidr_range("10.1.2.3/0")->last) == "255.255.255.255");
  CHECK_FALSE(cidr_range("10.0.0.0/33").has_value());
  CHECK_FALSE(cidr_range("10.0.0.0").has_value());
  CHECK(address_text(block_of(*address_key("10.20.30.40"), 96 + 16).first) == "10.20.0.0");
  CHECK(widest_prefix(*address_key("10.20.30.40")) == 96);
  CHECK(widest_prefix(*address_key("2001:db8::1")) == 0);
}

TEST_CASE("domains are keyed by their labels reversed") {
  CHECK(reversed_labels("www.Example.org") == "org.example.www.");
  CHECK(reversed_labels("example.org.") == "org.example.");
  CHECK(after_subdomains("org.example.") == "org.example/");
  // The range [org.example., org.example/) holds the domain and its subdomains only.
  const std::string lo = reversed_labels("example.org"), hi = after_subdomains(lo);
  for (const char* inside : {"example.org", "www.example.org", "a.b.example.org"}) {
    CAPTURE(inside);
    CHECK((reversed_labels(inside) >= lo && reversed_labels(inside) < hi));
  }
  for (const char* outside : {"notexample.org", "example.org.evil", "example.com", "xexample.org", "org"}) {
    CAPTURE(outside);
    CHECK_FALSE((reversed_labels(outside) >= lo && reversed_labels(outside) < hi));
  }
}

}  // namespace
}  // namespace csirtgw
