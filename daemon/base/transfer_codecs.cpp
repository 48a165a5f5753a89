// mimetic's base64 and quoted-printable codecs behind plain functions (transfer_codecs.h).
#include "transfer_codecs.h"

#include <iterator>

#include <mimetic/codec/codec.h>

#include "line_ends.h"

namespace csirtgw {
namespace {

template <typename Codec>
std::string run_encoder(std::string_view bytes, Codec codec) {
  std::string out;
  out.reserve(bytes.size() * 4 / 3 + 4);
  mimetic::encode(bytes.begin(), bytes.end(), codec, std::back_inserter(out));
  return out;
}

template <typename Codec>
std::string run_decoder(std::string_view text, Codec codec) {
  std::string out;
  out.reserve(text.size());
  mimetic::decode(text.begin(), text.end(), codec, std::back_inserter(out));
  return out;
}

bool is_base64_alphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

}  // namespace

std::string encode_base64(std::string_view bytes) { return run_encoder(bytes, mimetic::Base64::Encoder(0)); }

std::string decode_base64(std::string_view text) { return run_decoder(text, mimetic::Base64::Decoder()); }

std::optional<std::string> decode_base64_word(std::string_view text) {
  const auto data = text.substr(0, text.find('='));  // padding ends the data
  for (char c : data)
    if (!is_base64_alphabet(c)) return std::nullopt;
  return decode_base64(data);
}

std::string encode_quoted_printable(std::string_view bytes) { return run_encoder(bytes, mimetic::QP::Encoder()); }

std::string decode_quoted_printable(std::string_view text) {
  auto out = run_decoder(text, mimetic::QP::Decoder());
  // mimetic turns the CRLF of hard line breaks into LF.
  if (text.find("\r\n") == std::string_view::npos) return out;
  return to_crlf_line_ends(out);
}

}  // namespace csirtgw
