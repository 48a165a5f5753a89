// The sanitiser every byte from a message or peer passes on its way out (untrusted_text.h).
#include "untrusted_text.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace csirtgw {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";     // U+2026

// Length of the valid UTF-8 sequence at `text[i]` and its code point, or 0
// when the bytes there are not a valid, shortest-form scalar value (RFC 3629).
std::size_t decode_one(std::string_view text, std::size_t i, std::uint32_t& code_point) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char lead = byte(0);
  std::size_t length = 0;
  std::uint32_t cp = 0, minimum = 0;
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  } else if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, cp = lead & 0x1F, minimum = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, cp = lead & 0x0F, minimum = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, cp = lead & 0x07, minimum = 0x10000;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(k) & 0x3F);
  }
  if (cp < minimum || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  code_point = cp;
  return length;
}

bool reorders_text(std::uint32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029 ||
         cp == 0x200E || cp == 0x200F || cp == 0x061C;
}

}  // namespace

std::string sanitize_untrusted(std::string_view text, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes) + 8);
  std::size_t i = 0;
  // Stops once the output is over the bound: the rest would be cut anyway.
  while (i < text.size() && out.size() <= max_bytes) {
    std::uint32_t cp = 0;
    const std::size_t length = decode_one(text, i, cp);
    char piece[16];
    if (length == 0) {
      out += kReplacement;
    } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
      std::snprintf(piece, sizeof piece, "\\x%02x", static_cast<unsigned>(cp));
      out += piece;
    } else if (reorders_text(cp)) {
      std::snprintf(piece, sizeof piece, "\\u%04x", static_cast<unsigned>(cp));
      out += piece;
    } else {
      out += text.substr(i, length);
    }
    i += length == 0 ? 1 : length;
  }
  if (i >= text.size() && out.size() <= max_bytes) return out;
  // Cut: back off to a character boundary with room for the ellipsis.
  const std::size_t budget = max_bytes >= kEllipsis.size() ? max_bytes - kEllipsis.size() : 0;
  while (out.size() > budget) {
    std::size_t cut = out.size() - 1;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
  }
  if (max_bytes >= kEllipsis.size()) out += kEllipsis;
  return out;
}

}  // namespace csirtgw
