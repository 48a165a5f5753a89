// A bounded scan of a message's MIME structure over the raw bytes as received:
// every entity with its byte ranges, Content-Type and transfer encoding.
//
// Why not mimetic here: signatures must be checked over the exact bytes of the
// signed part as received (RFC 3156 5), and mimetic re-serialises; its boundary
// search also ignores line starts, recurses without a depth limit (a 5,000-deep
// multipart overflows the stack) and is quadratic on long header lines. This scan
// enforces depth, part count, header size and line length before anything else
// looks at the message; it never recurses deeper than limits.depth.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"

namespace csirtgw {

struct ContentType {
  std::string type = "text";     // lower case
  std::string subtype = "plain"; // lower case
  std::map<std::string, std::string> parameters;  // names lower case

  bool is(std::string_view t, std::string_view s) const { return type == t && subtype == s; }
  std::string parameter(const std::string& name) const;
};

// Parses a Content-Type field value; a malformed one gives text/plain (RFC 2045 5.2).
ContentType parse_content_type(std::string_view value);

struct MimeEntity {
  std::size_t begin = 0;        // first byte of the entity's headers
  std::size_t body_begin = 0;   // first byte after the empty line
  std::size_t end = 0;          // one past the last byte (excludes the CRLF before a delimiter)
  ContentType content_type;
  std::string transfer_encoding;  // lower case, "7bit" when absent
  std::vector<MimeEntity> parts;  // multipart children, or the one message/rfc822 child

  std::string_view bytes(std::string_view message) const { return message.substr(begin, end - begin); }
  std::string_view headers(std::string_view message) const { return message.substr(begin, body_begin - begin); }
  std::string_view body(std::string_view message) const { return message.substr(body_begin, end - body_begin); }
};

struct MimeLimits {
  std::size_t depth = 32;
  std::size_t parts = 1000;
  std::size_t header_block = 102400;
  std::size_t line_length = 1000;  // octets incl. CRLF
};

struct Config;
// The limits the configuration sets (mime.depth, mime.parts,
// limits.header_block, limits.text_line): every stage scans with these.
MimeLimits mime_limits_from(const Config& config);

// bad_input with a specific reason when a limit is exceeded or a multipart has
// no usable boundary.
Result<MimeEntity> scan_mime(std::string_view message, const MimeLimits& limits);

}  // namespace csirtgw
