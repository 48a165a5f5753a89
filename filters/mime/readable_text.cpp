// Text parts filed 7bit, 8bit or quoted-printable (readable_text.h).
#include "readable_text.h"

#include <algorithm>
#include <vector>

#include "ascii_case.h"
#include "line_ends.h"
#include "message_header.h"
#include "transfer_codecs.h"
#include "transfer_decoding.h"

namespace csirtgw {
namespace {

constexpr std::size_t kMaxLine = 998;  // RFC 5322 2.1.1, without the CRLF

// One UTF-8 sequence at `i` (RFC 3629: no overlongs, no surrogates, <= U+10FFFF); its length or 0.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  std::size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
  if (len == 0 || c > 0xf4 || i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return 0;
  const auto c1 = static_cast<unsigned char>(s[i + 1]);
  if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 > 0x9f) || (c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 > 0x8f))
    return 0;
  return len;
}

// Text has no NUL and no CR but before LF; anything else is binary, whatever
// its Content-Type says (quoted-printable would not keep a bare CR as it is).
bool is_text(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s[i] == '\0' || (s[i] == '\r' && (i + 1 == s.size() || s[i + 1] != '\n'))) return false;
  return true;
}

// Whether text can go as it is: short lines, valid UTF-8 (`ascii` set when it
// is all ASCII).
bool fits_unencoded(std::string_view s, bool& ascii) {
  ascii = true;
  std::size_t line = 0;
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (c == '\n') {
      line = 0;
      ++i;
      continue;
    }
    const std::size_t len = utf8_sequence(s, i);
    if (len == 0) return false;
    if (len > 1) ascii = false;
    if (c != '\r' && ++line > kMaxLine) return false;
    i += len;
  }
  return true;
}

struct Rewrite {
  std::size_t begin = 0, end = 0;
  std::string text;
};

void collect(std::string_view entity, const MimeEntity& e, std::vector<Rewrite>& out) {
  if (!e.parts.empty()) {
    for (const auto& part : e.parts) collect(entity, part, out);
    return;
  }
  if (e.content_type.type != "text" || e.transfer_encoding != "base64") return;
  const ReadableText readable = readable_text(decode_transfer_encoding(e.body(entity), e.transfer_encoding));
  if (readable.transfer_encoding == "base64") return;  // binary: stays as it was
  Rewrite rewrite{e.begin, e.end, {}};
  for (const auto& field : header_fields(e.headers(entity))) {
    if (field.name.empty() || ascii_iequals(field.name, "Content-Transfer-Encoding")) continue;
    rewrite.text.append(field.text);
    if (rewrite.text.back() != '\n') rewrite.text += "\r\n";
  }
  rewrite.text += "Content-Transfer-Encoding: " + readable.transfer_encoding + "\r\n\r\n" + readable.body;
  // A line break ending the body stays: the CRLF before the next delimiter
  // belongs to the delimiter (RFC 2046 5.1.1), so the decoded bytes are kept exactly.
  out.push_back(std::move(rewrite));
}

}  // namespace

ReadableText readable_text(std::string_view decoded) {
  if (!is_text(decoded)) {
    std::string lines;
    const std::string one_line = encode_base64(decoded);
    for (std::size_t at = 0; at < one_line.size(); at += 76) lines += one_line.substr(at, 76) + "\r\n";
    return {"base64", lines};
  }
  bool ascii = true;
  if (fits_unencoded(decoded, ascii)) return {ascii ? "7bit" : "8bit", to_crlf_line_ends(decoded)};
  return {"quoted-printable", to_crlf_line_ends(encode_quoted_printable(decoded))};
}

std::optional<std::string> with_readable_text_parts(std::string_view entity, const MimeEntity& root) {
  std::vector<Rewrite> rewrites;
  collect(entity, root, rewrites);
  if (rewrites.empty()) return std::nullopt;
  std::sort(rewrites.begin(), rewrites.end(), [](const Rewrite& a, const Rewrite& b) { return a.begin < b.begin; });
  std::string out;
  std::size_t at = 0;
  for (const auto& r : rewrites) {
    out.append(entity.substr(at, r.begin - at));
    out.append(r.text);
    at = r.end;
  }
  out.append(entity.substr(at));
  return out;
}

}  // namespace csirtgw
