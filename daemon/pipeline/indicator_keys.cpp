// Keys of stored indicators and what a search value is (indicator_keys.h).
#include "indicator_keys.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <vector>

#include "ascii_case.h"
#include "indicator_extractor.h"

namespace csirtgw {

std::optional<std::string_view> stored_kind(IndicatorKind kind) {
  switch (kind) {
    case IndicatorKind::ipv4:
    case IndicatorKind::ipv6: return "ip";
    case IndicatorKind::cidr: return "cidr";
    case IndicatorKind::domain: return "domain";
    case IndicatorKind::url: return "url";
    case IndicatorKind::email: return "email";
    case IndicatorKind::cve: return "cve";
    case IndicatorKind::md5: return "md5";
    case IndicatorKind::sha1: return "sha1";
    case IndicatorKind::sha256: return "sha256";
    case IndicatorKind::timestamp: return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::string> address_key(std::string_view address) {
  if (address.empty() || address.size() > 64) return std::nullopt;
  const std::string text(address);
  std::array<unsigned char, 16> key{};
  if (::inet_pton(AF_INET, text.c_str(), key.data() + 12) == 1) {
    key[10] = key[11] = 0xff;  // ::ffff:a.b.c.d
  } else if (::inet_pton(AF_INET6, text.c_str(), key.data()) != 1) {
    return std::nullopt;
  }
  return std::string(reinterpret_cast<const char*>(key.data()), key.size());
}

std::string address_text(const std::string& key) {
  char text[INET6_ADDRSTRLEN] = {};
  if (key.size() != 16) return {};
  const bool v4 = widest_prefix(key) == 96;
  ::inet_ntop(v4 ? AF_INET : AF_INET6, key.data() + (v4 ? 12 : 0), text, sizeof text);
  return text;
}

AddressRange block_of(const std::string& key, int prefix) {
  AddressRange range{key, key, std::clamp(prefix, 0, 128)};
  for (int bit = range.prefix; bit < 128; ++bit) {
    const auto mask = static_cast<unsigned char>(0x80u >> (bit % 8));
    auto& lo = reinterpret_cast<unsigned char&>(range.first[bit / 8]);
    auto& hi = reinterpret_cast<unsigned char&>(range.last[bit / 8]);
    lo = static_cast<unsigned char>(lo & ~mask);
    hi = static_cast<unsigned char>(hi | mask);
  }
  return range;
}

int widest_prefix(const std::string& key) {
  static const std::string kMapped("\0\0\0\0\0\0\0\0\0\0\xff\xff", 12);
  return key.compare(0, 12, kMapped) == 0 ? 96 : 0;
}

std::optional<AddressRange> cidr_range(std::string_view cidr) {
  const std::size_t slash = cidr.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string_view bits = cidr.substr(slash + 1);
  if (bits.empty() || bits.size() > 3 || !std::all_of(bits.begin(), bits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  const int length = std::stoi(std::string(bits));
  const std::string_view address = cidr.substr(0, slash);
  const bool v4 = address.find(':') == std::string_view::npos;
  if (length > (v4 ? 32 : 128)) return std::nullopt;
  auto key = address_key(address);
  if (!key) return std::nullopt;
  return block_of(*key, v4 ? 96 + length : length);
}

std::string reversed_labels(std::string_view domain) {
  while (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  std::vector<std::string_view> labels;
  for (std::size_t start = 0;;) {
    const std::size_t dot = domain.find('.', start);
    labels.push_back(domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  std::string out;
  out.reserve(domain.size() + 1);
  for (auto label = labels.rbegin(); label != labels.rend(); ++label) {
    out += ascii_lower(*label);
    out += '.';
  }
  return out;
}

std::string after_subdomains(std::string_view reversed) {
  std::string end(reversed);
  if (!end.empty() && end.back() == '.') end.back() = '/';  // '/' follows '.'
  return end;
}

const char* to_string(QueryKind kind) {
  switch (kind) {
    case QueryKind::address: return "ip";
    case QueryKind::network: return "cidr";
    case QueryKind::domain: return "domain";
    case QueryKind::url: return "url";
    case QueryKind::email: return "email";
    case QueryKind::hash: return "hash";
    case QueryKind::cve: return "cve";
  }
  return "unknown";
}

}  // namespace csirtgw
