// The acknowledgement as a message: RFC 5322 headers, a text/plain part in
// quoted-printable (RFC 3156 5: a signed part must be 7-bit clean, so no
// transport can alter the signed bytes), and the PGP/MIME structure around it
// (multipart/signed, optionally inside multipart/encrypted). Pure functions;
// the signing and encrypting happen in keyring/openpgp_writer.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "header_text.h"  // header_text(), single_line()

namespace csirtgw {

struct AckHeaders {
  std::string from_name;     // the team's name
  std::string from_address;  // the intake address the report came to
  std::string to_address;    // the report's envelope sender, and nobody else
  std::string subject;       // UTF-8, "[XYZ-CERT #42] ..."
  std::string message_id;    // "<...>"
  std::string in_reply_to;   // "<...>" or empty
  std::string date;          // RFC 5322 date-time
  // Staff correspondence (issue 17): the thread's Message-IDs ("<a@b> <c@d>"),
  // else References repeats In-Reply-To; and no Auto-Submitted, since a person
  // wrote it (RFC 3834 5: only automatic responses carry it).
  std::string references;
  bool auto_submitted = true;
};

// The message-id in a report's Message-ID header if it is one clean
// "<left@right>" token (printable ASCII, no spaces, at most 250 octets); else nullopt.
std::optional<std::string> clean_message_id(std::string_view header_value);

// "Content-Type: text/plain; charset=utf-8 ... CRLF CRLF <quoted-printable body>".
std::string text_part(std::string_view body_utf8);

// A multipart/signed entity (headers + body) over `signed_part`, exactly as signed.
std::string signed_entity(std::string_view signed_part, std::string_view armored_signature,
                          std::string_view micalg, std::string_view boundary);
// A multipart/encrypted entity around armored ciphertext.
std::string encrypted_entity(std::string_view armored_ciphertext, std::string_view boundary);

// The whole message: headers, then the entity. CRLF line ends throughout.
std::string ack_message(const AckHeaders& headers, std::string_view entity);

}  // namespace csirtgw
