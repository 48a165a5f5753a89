// Indicators (IP addresses, CIDR blocks, domains, URLs, e-mail addresses, CVE
// ids, hashes, timestamps) found in the free text of a report, refanged and in
// canonical form, in the order they first appear.
//
// The text is untrusted and may be large (a 10 MB evidence dump) or hostile (a
// megabyte of dots, digits or "[.]"): the scan is a hand-written tokenizer that
// looks at every byte a bounded number of times — no std::regex (backtracking,
// and recursive on libstdc++, so it can overflow the stack on long input). It
// never throws on any input and never allocates more than a few times the text.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "report_content.h"

namespace csirtgw {

// Every indicator in `text`, deduplicated by (kind, value), in order of first
// appearance, at most `max_indicators` of them.
//
// Defanged forms are refanged and flagged: hxxp:// hxxps:// fxp://, [.] (.) {.}
// [dot] (dot) {dot}, [:] [://] [/], [@] (@) {@} [at] (at) {at} (a bracketed dot or
// at written between two spaces swallows them: "user [at] example [dot] com").
// A URL also yields its host (domain or address) as a separate indicator; an
// e-mail address does not yield its domain. Text inside a URL, e-mail address or
// timestamp is not scanned again for other kinds.
std::vector<Indicator> extract_indicators(std::string_view text, std::size_t max_indicators = 10000);

// The canonical form of a text that is, as a whole (surrounding white space
// aside), one timestamp: ISO 8601 date-time ("2026-11-23T17:06:21Z",
// "2026-11-23 17:06 UTC", with an optional fraction and zone) or RFC 5322
// date-time ("Mon, 23 Nov 2026 17:06:21 +0000"). Canonical is
// "YYYY-MM-DDTHH:MM:SS[.fraction]" converted to UTC with a "Z" when the zone is
// known, local time without a zone suffix when none was given.
std::optional<std::string> canonical_timestamp(std::string_view text);

// The canonical form of an IPv4 or IPv6 address (inet_ntop: dotted quad, RFC
// 5952 for IPv6), or nullopt when `text` is not exactly one address.
std::optional<std::string> canonical_ip_address(std::string_view text);

// A DNS name of at least two labels whose last label is letters (or an
// IDNA "xn--" label), each label 1-63 characters, 253 in all.
bool is_domain_name(std::string_view text);

}  // namespace csirtgw
