// The acknowledgement message: headers, text part, RFC 2047 words (ack_message.h).
#include "ack_message.h"

#include <algorithm>

#include "message_header.h"
#include "transfer_codecs.h"

namespace csirtgw {

std::optional<std::string> clean_message_id(std::string_view header_value) {
  auto first = header_value.find_first_not_of(" \t\r\n");
  auto last = header_value.find_last_not_of(" \t\r\n");
  if (first == std::string_view::npos) return std::nullopt;
  const auto id = header_value.substr(first, last - first + 1);
  if (id.size() < 5 || id.size() > 250 || id.front() != '<' || id.back() != '>') return std::nullopt;
  const auto inner = id.substr(1, id.size() - 2);
  if (inner.find('@') == std::string_view::npos) return std::nullopt;
  for (unsigned char c : inner)
    if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == '\\') return std::nullopt;
  return std::string(id);
}

std::string text_part(std::string_view body_utf8) {
  std::string encoded = encode_quoted_printable(body_utf8);
  if (!encoded.empty() && encoded.back() != '\n') encoded += "\n";
  return "Content-Type: text/plain; charset=utf-8\r\n"
         "Content-Transfer-Encoding: quoted-printable\r\n"
         "\r\n" +
         to_crlf_line_ends(encoded);
}

std::string signed_entity(std::string_view signed_part, std::string_view armored_signature, std::string_view micalg,
                          std::string_view boundary) {
  std::string b(boundary);
  std::string out = "Content-Type: multipart/signed; boundary=\"" + b + "\";\r\n\tmicalg=" + std::string(micalg) +
                    "; protocol=\"application/pgp-signature\"\r\n\r\n";
  out += "This is an OpenPGP/MIME signed message (RFC 3156).\r\n";
  // RFC 3156 5: the CRLF before the boundary belongs to the boundary, not to
  // the signed part (which ends in CRLF itself, so none is added twice).
  out += "--" + b + "\r\n";
  out.append(signed_part);
  out += "\r\n--" + b + "\r\n";
  out += "Content-Type: application/pgp-signature; name=\"signature.asc\"\r\n"
         "Content-Description: OpenPGP digital signature\r\n"
         "Content-Disposition: attachment; filename=\"signature.asc\"\r\n\r\n";
  out += to_crlf_line_ends(armored_signature);
  out += "\r\n--" + b + "--\r\n";
  return out;
}

std::string encrypted_entity(std::string_view armored_ciphertext, std::string_view boundary) {
  std::string b(boundary);
  std::string out = "Content-Type: multipart/encrypted; boundary=\"" + b +
                    "\";\r\n\tprotocol=\"application/pgp-encrypted\"\r\n\r\n";
  out += "This is an OpenPGP/MIME encrypted message (RFC 3156).\r\n";
  out += "--" + b + "\r\nContent-Type: application/pgp-encrypted\r\nContent-Description: PGP/MIME version identification\r\n\r\nVersion: 1\r\n\r\n";
  out += "--" + b + "\r\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\r\n"
         "Content-Description: OpenPGP encrypted message\r\n"
         "Content-Disposition: inline; filename=\"encrypted.asc\"\r\n\r\n";
  out += to_crlf_line_ends(armored_ciphertext);
  out += "\r\n--" + b + "--\r\n";
  return out;
}

std::string ack_message(const AckHeaders& h, std::string_view entity) {
  std::string name = header_text(h.from_name);
  // A display name that is plain ASCII goes in a quoted-string (it may hold ',' or '.').
  if (name.rfind("=?", 0) != 0) {
    std::string quoted = "\"";
    for (char c : name) {
      if (c == '"' || c == '\\') quoted.push_back('\\');
      quoted.push_back(c);
    }
    name = quoted + "\"";
  }
  std::string out;
  out += "From: " + name + " <" + single_line(h.from_address) + ">\r\n";
  out += "To: <" + single_line(h.to_address) + ">\r\n";
  out += "Subject: " + header_text(h.subject) + "\r\n";
  out += "Date: " + single_line(h.date) + "\r\n";
  out += "Message-ID: " + single_line(h.message_id) + "\r\n";
  if (!h.in_reply_to.empty()) out += "In-Reply-To: " + single_line(h.in_reply_to) + "\r\n";
  if (!h.references.empty()) {
    // One Message-ID per line (folded): a long thread stays within 998 octets a line.
    const std::string line = single_line(h.references);
    std::string folded;
    for (std::size_t at = line.find_first_not_of(' '); at != std::string::npos;
         at = line.find_first_not_of(' ', at)) {
      const std::size_t end = std::min(line.find(' ', at), line.size());
      folded += (folded.empty() ? "" : "\r\n ") + line.substr(at, end - at);
      at = end;
    }
    out += "References: " + folded + "\r\n";
  }
  else if (!h.in_reply_to.empty())
    out += "References: " + single_line(h.in_reply_to) + "\r\n";
  if (h.auto_submitted) out += "Auto-Submitted: auto-replied\r\n";  // RFC 3834 5
  out += "MIME-Version: 1.0\r\n";
  out.append(entity);
  return out;
}

}  // namespace csirtgw
