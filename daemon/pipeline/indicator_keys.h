// How indicators are keyed for search (schemas/migrations/0008): the stored
// kind of an extracted indicator, the 16-byte sortable key of an address, the
// address range of a CIDR block, the reversed labels of a domain; and what a
// value typed into `csirtgw search` is. Pure functions; never throw.
//
// Addresses sort as 16 bytes, IPv4 mapped into ::ffff:0:0/96, so a block is
// one range [first, last] of keys; a domain's labels reversed with a closing
// dot ("org.example.www.") put a domain and its subdomains in one key range
// ["org.example.", "org.example/"), '/' being the character after '.'.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "report_content.h"
#include "result.h"

namespace csirtgw {

// "ip", "cidr", "domain", "url", "email", "sha256", "sha1", "md5", "cve"; or
// nullopt for kinds not stored (timestamps).
std::optional<std::string_view> stored_kind(IndicatorKind kind);

// The 16-byte key of a canonical IPv4 or IPv6 address, or nullopt.
std::optional<std::string> address_key(std::string_view address);

// The canonical text of a key: dotted quad for a mapped IPv4 address, else RFC 5952.
std::string address_text(const std::string& key);

// A block of addresses: its first and last key and its prefix length over the
// 128 key bits (an IPv4 /24 is 120).
struct AddressRange {
  std::string first, last;
  int prefix = 128;
};
// "192.0.2.0/24", "2001:db8::/32" (host bits set are masked away), or nullopt.
std::optional<AddressRange> cidr_range(std::string_view cidr);
// The block of `prefix` bits (over 128) holding `key`.
AddressRange block_of(const std::string& key, int prefix);
// The shortest prefix a stored block around `key` can have: 96 for a mapped
// IPv4 address (wider IPv6 blocks holding IPv4 space are not looked for), else 0.
int widest_prefix(const std::string& key);

// "www.Example.org." -> "org.example.www."
std::string reversed_labels(std::string_view domain);
// The end of the key range of `reversed` and everything below it.
std::string after_subdomains(std::string_view reversed);

// What a search value is, in canonical form, with its keys.
enum class QueryKind { address, network, domain, url, email, hash, cve };
struct SearchQuery {
  QueryKind kind = QueryKind::address;
  std::string value;       // canonical (an address, "192.0.2.0/24", a domain, a URL ...)
  std::string hash_kind;   // hash: "md5", "sha1" or "sha256"
  AddressRange range;      // address (prefix 128) and network
  std::string rdomain;     // domain
};
const char* to_string(QueryKind kind);

// An IP address, CIDR block (v4 or v6), domain, URL, e-mail address, hash (by
// length: MD5, SHA-1, SHA-256) or CVE id (CVE-YYYY-NNNN), also defanged; or a
// bad_input error naming what is wrong with `text`.
Result<SearchQuery> parse_search_value(std::string_view text);

}  // namespace csirtgw
