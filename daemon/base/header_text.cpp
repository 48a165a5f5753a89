// One-line ASCII header values, RFC 2047 encoded-words (header_text.h).
#include "header_text.h"

#include <algorithm>

#include "transfer_codecs.h"

namespace csirtgw {
namespace {

// Encoded-words of at most 45 octets of UTF-8 each, never splitting a character.
std::string encoded_words(std::string_view text, std::string_view fold) {
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = std::min(text.size(), at + 45);
    while (end < text.size() && end > at && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) --end;
    if (!out.empty()) out += fold;
    out += "=?UTF-8?B?" + encode_base64(text.substr(at, end - at)) + "?=";
    at = end;
  }
  return out;
}

}  // namespace

bool is_plain_ascii(std::string_view text) {
  return std::none_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

std::string single_line(std::string_view value) {
  std::string out;
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
  }
  return out;
}

std::string header_text(std::string_view value, std::string_view fold) {
  const std::string line = single_line(value);
  // "=?" in ASCII text would read as an encoded-word; encode such text too.
  if (is_plain_ascii(line) && line.find("=?") == std::string::npos) return line;
  return encoded_words(line, fold);
}

}  // namespace csirtgw
