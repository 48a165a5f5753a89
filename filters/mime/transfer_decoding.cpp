// Content-Transfer-Encoding decoding with mimetic (transfer_decoding.h).
#include "transfer_decoding.h"

#include <iterator>

#include <mimetic/codec/codec.h>

#include "message_header.h"

namespace csirtgw {

std::string decode_transfer_encoding(std::string_view body, std::string_view encoding) {
  std::string out;
  out.reserve(body.size());
  if (encoding == "base64") {
    mimetic::Base64::Decoder decoder;
    mimetic::decode(body.begin(), body.end(), decoder, std::back_inserter(out));
    return out;
  }
  if (encoding == "quoted-printable") {
    mimetic::QP::Decoder decoder;
    mimetic::decode(body.begin(), body.end(), decoder, std::back_inserter(out));
    // mimetic turns the CRLF of hard line breaks into LF; RFC 2045 6.7 keeps CRLF.
    if (body.find("\r\n") == std::string_view::npos) return out;
    return to_crlf_line_ends(out);
  }
  return std::string(body);
}

}  // namespace csirtgw
