// What a value typed into `csirtgw search` is (indicator_keys.h). The value
// is read as the extractor reads a report (the same canonical forms, defanged
// forms refanged), so a search finds what was stored; anything else is refused
// with what is wrong with it.
#include <algorithm>
#include <initializer_list>

#include "ascii_case.h"
#include "indicator_extractor.h"
#include "indicator_keys.h"
#include "untrusted_text.h"

namespace csirtgw {
namespace {

constexpr std::size_t kLongestValue = 2048;

Error refused(std::string_view text, const std::string& why) {
  return Error::bad_input("search value \"" + sanitize_untrusted(text, 200) + "\": " + why);
}

bool all_of(std::string_view s, bool (*pred)(char)) { return !s.empty() && std::all_of(s.begin(), s.end(), pred); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// The first indicator of one of `kinds` the extractor finds in `text`.
std::optional<Indicator> extracted(std::string_view text, std::initializer_list<IndicatorKind> kinds) {
  for (auto& found : extract_indicators(text, 16))
    if (std::find(kinds.begin(), kinds.end(), found.kind) != kinds.end()) return std::move(found);
  return std::nullopt;
}

Result<SearchQuery> network_query(std::string_view text) {
  const std::size_t slash = text.find('/');
  const std::string_view address = text.substr(0, slash);
  if (!canonical_ip_address(address)) return refused(text, "not a CIDR block: \"" + sanitize_untrusted(address, 100) + "\" is not an IP address");
  auto range = cidr_range(text);
  const bool v4 = address.find(':') == std::string_view::npos;
  if (!range) return refused(text, std::string("not a CIDR block: the prefix length must be 0-") + (v4 ? "32" : "128"));
  SearchQuery query;
  query.kind = QueryKind::network;
  query.range = *range;
  query.value = address_text(range->first) + "/" + std::to_string(v4 ? range->prefix - 96 : range->prefix);
  return query;
}

std::optional<SearchQuery> address_query(std::string_view text) {
  auto canonical = canonical_ip_address(text);
  if (!canonical) return std::nullopt;
  SearchQuery query;
  query.kind = QueryKind::address;
  query.range = block_of(*address_key(*canonical), 128);
  query.value = std::move(*canonical);
  return query;
}

Result<SearchQuery> cve_query(std::string_view text) {
  const std::string_view year = text.substr(4, 4), number = text.size() > 9 ? text.substr(9) : std::string_view();
  if (text.size() < 13 || text[8] != '-' || !all_of(year, is_digit) || !all_of(number, is_digit) || number.size() > 7)
    return refused(text, "not a CVE id (CVE-YYYY-NNNN, 4 to 7 digits after the year)");
  SearchQuery query;
  query.kind = QueryKind::cve;
  query.value = "CVE-" + std::string(text.substr(4));
  return query;
}

Result<SearchQuery> hash_query(std::string_view text) {
  SearchQuery query;
  query.kind = QueryKind::hash;
  query.value = ascii_lower(text);
  switch (text.size()) {
    case 32: query.hash_kind = "md5"; break;
    case 40: query.hash_kind = "sha1"; break;
    case 64: query.hash_kind = "sha256"; break;
    default:
      return refused(text, std::to_string(text.size()) +
                               " hexadecimal digits are no hash (MD5 has 32, SHA-1 40, SHA-256 64)");
  }
  return query;
}

// The value's own characters: one indicator, printable ASCII, no spaces.
std::optional<Error> unusable(std::string_view text) {
  if (text.empty()) return Error::bad_input("search value is empty");
  if (text.size() > kLongestValue)
    return refused(text, "longer than " + std::to_string(kLongestValue) + " characters");
  for (unsigned char c : text) {
    if (c <= 0x20 || c == 0x7f) return refused(text, "contains a space or control character: search one indicator at a time");
    if (c >= 0x80) return refused(text, "not ASCII (write an internationalised domain name as xn--...)");
  }
  return std::nullopt;
}

Result<SearchQuery> parse_value(std::string_view text, bool refang) {
  if (auto error = unusable(text)) return *error;
  if (text.find("://") != std::string_view::npos || ascii_istarts_with(text, "hxxp")) {
    auto url = extracted(text, {IndicatorKind::url});
    if (!url) return refused(text, "not a URL (scheme://host[:port][/path])");
    return SearchQuery{QueryKind::url, url->value, {}, {}, {}};
  }
  if (text.find('@') != std::string_view::npos) {
    auto email = extracted(text, {IndicatorKind::email});
    if (!email) return refused(text, "not an e-mail address (local-part@domain.example)");
    return SearchQuery{QueryKind::email, ascii_lower(email->value), {}, {}, {}};
  }
  if (text.find('/') != std::string_view::npos) return network_query(text);
  if (auto address = address_query(text)) return *address;
  if (ascii_istarts_with(text, "cve-")) return cve_query(text);
  if (all_of(text, is_hex)) return hash_query(text);
  std::string domain = ascii_lower(text);
  if (domain.size() > 1 && domain.back() == '.') domain.pop_back();
  if (is_domain_name(domain)) return SearchQuery{QueryKind::domain, domain, {}, {}, reversed_labels(domain)};
  // "example[.]org", "192.0.2[.]1": refanged once, as the extractor reads reports.
  if (refang && text.find_first_of("[({") != std::string_view::npos) {
    auto found = extracted(text, {IndicatorKind::ipv4, IndicatorKind::ipv6, IndicatorKind::domain,
                                  IndicatorKind::cidr, IndicatorKind::cve});
    if (found) return parse_value(found->value, false);
  }
  return refused(text, "not an IP address, CIDR block, domain, URL, e-mail address, hash (MD5, SHA-1, SHA-256) "
                       "or CVE id");
}

}  // namespace

Result<SearchQuery> parse_search_value(std::string_view text) {
  return parse_value(ascii_trim(text), true);
}

}  // namespace csirtgw
