// The one base64 and the one quoted-printable codec (mimetic's), for
// Content-Transfer-Encoding, RFC 2047 encoded-words and the messages we compose.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace csirtgw {

// One line, no breaks: RFC 2047 "B" words and callers that wrap themselves.
std::string encode_base64(std::string_view bytes);

// Transfer encoding: characters outside the alphabet (line breaks) are skipped,
// as RFC 2045 6.8 tells a decoder to.
std::string decode_base64(std::string_view text);

// An RFC 2047 "B" word must be base64 and nothing else: nullopt for any other
// character, so a malformed word stays as written instead of decoding to noise.
std::optional<std::string> decode_base64_word(std::string_view text);

// Lines of at most 76 characters, soft breaks as RFC 2045 6.7 has them.
std::string encode_quoted_printable(std::string_view bytes);

// Hard line breaks come back as CRLF when the input used CRLF (RFC 2045 6.7).
std::string decode_quoted_printable(std::string_view text);

}  // namespace csirtgw
