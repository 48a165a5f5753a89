// Content-Transfer-Encoding decoding (transfer_decoding.h).
#include "transfer_decoding.h"

#include "transfer_codecs.h"

namespace csirtgw {

std::string decode_transfer_encoding(std::string_view body, std::string_view encoding) {
  if (encoding == "base64") return decode_base64(body);
  if (encoding == "quoted-printable") return decode_quoted_printable(body);
  return std::string(body);
}

}  // namespace csirtgw
