#include "transfer_decoding.h"

#include <iterator>

#include <mimetic/codec/codec.h>

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
    return out;
  }
  return std::string(body);
}

}  // namespace csirtgw
