// Content-Transfer-Encoding decoding with mimetic's codecs (base64,
// quoted-printable; identity for 7bit/8bit/binary and unknown encodings).
#pragma once

#include <string>
#include <string_view>

namespace csirtgw {

std::string decode_transfer_encoding(std::string_view body, std::string_view encoding);

}  // namespace csirtgw
