// Text as a header field value: one line, ASCII, with non-ASCII text as
// RFC 2047 encoded-words. Used for what csirtgw writes into header fields --
// the acknowledgement's headers and the status fields of a filed copy.
#pragma once

#include <string>
#include <string_view>

namespace csirtgw {

// CR, LF, NUL and every other control character become spaces.
std::string single_line(std::string_view value);

// A header value of untrusted or configured text as one line: control
// characters become spaces; text that is not ASCII (or holds "=?", which would
// read as an encoded-word) becomes RFC 2047 encoded-words (UTF-8, "B") of at
// most 45 octets each, never splitting a character, joined by `fold` (a line
// end and a space: CRLF in a message, LF in a Maildir file).
std::string header_text(std::string_view value, std::string_view fold = "\r\n ");

bool is_plain_ascii(std::string_view text);

}  // namespace csirtgw
