// Decrypted text filed readable: a text part is written 7bit or 8bit where its
// bytes allow (UTF-8 or ASCII, lines within RFC 5322's 998 octets, no NUL or
// bare CR), quoted-printable otherwise; base64 only for bytes that are no
// text at all (a NUL, a bare CR), which no search would match anyway. So grep on the Maildir
// file and IMAP SEARCH find what a report says (an IP address, a host name).
// Only the transfer encoding changes: the decoded bytes and every other field
// of the part stay as they were.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "mime_structure.h"

namespace csirtgw {

struct ReadableText {
  std::string transfer_encoding;  // "7bit", "8bit", "quoted-printable" or, for binary, "base64"
  std::string body;               // encoded, CRLF line ends
};
ReadableText readable_text(std::string_view decoded);

// The entity with every base64 text/* leaf that holds text rewritten as
// readable_text() of its decoded bytes; nullopt when it has none.
std::optional<std::string> with_readable_text_parts(std::string_view entity, const MimeEntity& root);

}  // namespace csirtgw
