// Content-Transfer-Encoding decoding with the codecs of transfer_codecs.h (base64,
// quoted-printable; identity for 7bit/8bit/binary and unknown encodings).
#pragma once

#include <string>
#include <string_view>

namespace csirtgw {

std::string decode_transfer_encoding(std::string_view body, std::string_view encoding);

}  // namespace csirtgw
