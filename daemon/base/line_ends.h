// Line ends: CRLF on the wire and in MIME, LF in Maildir files.
#pragma once

#include <string>
#include <string_view>

namespace csirtgw {

// CRLF → LF, the Maildir convention.
std::string to_unix_line_ends(std::string_view text);

// Bare LF → CRLF: the canonical form of MIME text (RFC 2045 6.7, RFC 3156 5).
std::string to_crlf_line_ends(std::string_view text);

}  // namespace csirtgw
