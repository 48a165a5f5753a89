// RFC 5322 header fields: a field's unfolded value, fields dropped by name
// prefix, RFC 2047 encoded-words, dates and line ends. Never looks past the
// header block; the MIME structure is scan_mime's (mime_structure.h).
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "line_ends.h"  // to_crlf_line_ends(), to_unix_line_ends(), used with header fields

namespace csirtgw {

// A Date: field value (RFC 5322 3.3), in UTC.
std::string rfc5322_date(std::time_t when);

// The moment a Date: field value names (RFC 5322 3.3, with the obsolete
// forms of 4.3: two-digit years, zone names, comments), or nullopt when it
// names none.
std::optional<std::time_t> parse_rfc5322_date(std::string_view value);

// The header block: everything before the first empty line (or all of it).
std::string_view header_section(std::string_view message);

// One header field as it stands in the block: its name, and the whole field
// (folded lines and line end included). A line without a colon has no name.
struct HeaderFieldText {
  std::string_view name;
  std::string_view text;
};
// Every field of the header block, in order (nothing past its empty line).
std::vector<HeaderFieldText> header_fields(std::string_view message);

// The first field named `name` (case-insensitive), unfolded and trimmed.
std::optional<std::string> header_value(std::string_view headers, std::string_view name);

// Every field named `name`, in order, unfolded and trimmed.
std::vector<std::string> header_values(std::string_view headers, std::string_view name);

// The message without header fields whose name starts with `prefix`
// (case-insensitive), e.g. "X-Csirtgw-": status headers forged by a sender.
std::string remove_header_fields(std::string_view message, std::string_view prefix);
// Whether remove_header_fields would remove anything (reads the headers only).
bool has_header_fields(std::string_view message, std::string_view prefix);

// Decodes RFC 2047 encoded-words ("=?UTF-8?B?...?=", "=?UTF-8?Q?...?=") to
// their bytes, without charset conversion; white space between adjacent
// encoded-words is dropped. The result may hold any byte, CR and LF included:
// it is for reading (ticket tags), never for writing into a header.
std::string decode_encoded_words(std::string_view text);


}  // namespace csirtgw
