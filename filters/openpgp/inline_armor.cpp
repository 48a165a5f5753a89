// Inline armor in plain text and in HTML (inline_armor.h).
#include "inline_armor.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "ascii_case.h"

namespace csirtgw {
namespace {

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Tags whose start or end breaks a line where a mail client shows the HTML.
bool breaks_line(std::string_view name) {
  static const char* const kBlocks[] = {"br", "p", "div", "tr", "li", "table", "pre", "blockquote", "hr",
                                        "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "body", "html"};
  return std::any_of(std::begin(kBlocks), std::end(kBlocks), [&](const char* b) { return ascii_iequals(name, b); });
}

void append_utf8(std::string& out, std::uint32_t code) {
  if (code < 0x80) {
    out.push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (code >> 6)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
  } else if (code < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (code >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
  } else if (code < 0x110000) {
    out.push_back(static_cast<char>(0xf0 | (code >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
  }
}

// A character reference at `at` ('&'): appends what it stands for and returns
// its length, or 0 when it is none (the '&' is then text).
std::size_t character_reference(std::string_view html, std::size_t at, std::string& out) {
  // Looked for close by only: text full of '&' costs no more than its length.
  const std::size_t semicolon = html.substr(0, std::min(html.size(), at + 11)).find(';', at);
  if (semicolon == std::string_view::npos) return 0;
  const std::string_view name = html.substr(at + 1, semicolon - at - 1);
  if (name.size() >= 2 && name[0] == '#') {
    const bool hex = name[1] == 'x' || name[1] == 'X';
    const std::string_view digits = name.substr(hex ? 2 : 1);
    if (digits.empty() || digits.size() > 7) return 0;
    std::uint32_t code = 0;
    for (char c : digits) {
      const int v = c >= '0' && c <= '9' ? c - '0'
                    : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                  : -1;
      if (v < 0) return 0;
      code = code * (hex ? 16 : 10) + static_cast<std::uint32_t>(v);
    }
    append_utf8(out, code == 0xa0 ? ' ' : code);
    return semicolon - at + 1;
  }
  static const std::pair<const char*, char> kNamed[] = {{"nbsp", ' '}, {"amp", '&'},  {"lt", '<'},
                                                        {"gt", '>'},   {"quot", '"'}, {"apos", '\''}};
  for (const auto& [entity, c] : kNamed)
    if (ascii_iequals(name, entity)) {
      out.push_back(c);
      return semicolon - at + 1;
    }
  return 0;
}

// A tag's name in lower case ("p", "/div", "!--").
std::string tag_name(std::string_view tag) {
  std::string name;
  for (char c : tag) {
    if (blank(c) || c == '>' || (c == '/' && !name.empty())) break;
    name.push_back(ascii_lower(c));
  }
  return name;
}

std::optional<std::string> strict_base64(std::string_view text) {
  static const std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  std::size_t padding = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '=') {
      if (i + 2 < text.size()) return std::nullopt;  // only at the very end
      ++padding;
      continue;
    }
    if (padding > 0) return std::nullopt;
    const auto v = kAlphabet.find(text[i]);
    if (v == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

std::uint32_t crc24(std::string_view data) {
  std::uint32_t crc = 0xB704CE;
  for (unsigned char byte : data) {
    crc ^= static_cast<std::uint32_t>(byte) << 16;
    for (int i = 0; i < 8; ++i) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864CFB;
    }
  }
  return crc & 0xFFFFFF;
}

std::vector<std::string_view> trimmed_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    while (!line.empty() && blank(line.front())) line.remove_prefix(1);
    while (!line.empty() && blank(line.back())) line.remove_suffix(1);
    lines.push_back(line);
    pos = end + 1;
  }
  return lines;
}

// An armor header line ("Version: GnuPG v2", "Comment: ...").
bool armor_header(std::string_view line) {
  const auto colon = line.find(": ");
  return colon != std::string_view::npos && colon > 0 &&
         std::all_of(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(colon),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; });
}

}  // namespace

bool only_white_space(std::string_view text) { return std::all_of(text.begin(), text.end(), blank); }

ArmorBlock find_armor(std::string_view text, std::string_view begin_marker, std::string_view end_marker) {
  ArmorBlock block;
  std::size_t pos = 0;
  while ((pos = text.find(begin_marker, pos)) != std::string_view::npos) {
    if (pos == 0 || text[pos - 1] == '\n') {
      ++block.count;
      if (block.begin == std::string_view::npos) {
        block.begin = pos;
        auto end = text.find(end_marker, pos);
        block.end = end == std::string_view::npos ? text.size() : std::min(text.size(), text.find('\n', end) + 1);
        if (block.end == 0) block.end = text.size();
      }
    }
    pos += begin_marker.size();
  }
  return block;
}

std::string html_text(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  int preformatted = 0;
  for (std::size_t i = 0; i < html.size();) {
    const char c = html[i];
    if (c == '<') {
      if (html.compare(i, 4, "<!--") == 0) {
        const auto end = html.find("-->", i + 4);
        i = end == std::string_view::npos ? html.size() : end + 3;
        continue;
      }
      const auto close = html.find('>', i + 1);
      if (close == std::string_view::npos) break;  // an unterminated tag: the rest is no text
      const std::string name = tag_name(html.substr(i + 1, close - i - 1));
      i = close + 1;
      if (name == "head" || name == "style" || name == "script" || name == "title") {
        // Not shown: skip to the end tag.
        const std::string end_tag = "</" + name;
        std::size_t at = i;
        while (at < html.size() && !ascii_iequals(html.substr(at, end_tag.size()), end_tag)) ++at;
        const auto end = html.find('>', at);
        i = end == std::string_view::npos ? html.size() : end + 1;
        continue;
      }
      const std::string_view bare = std::string_view(name).substr(name.rfind('/', 0) == 0 ? 1 : 0);
      if (bare == "pre") preformatted += name[0] == '/' ? (preformatted > 0 ? -1 : 0) : 1;
      if (breaks_line(bare)) out.push_back('\n');
      continue;
    }
    if (c == '&') {
      if (const std::size_t length = character_reference(html, i, out)) {
        i += length;
        continue;
      }
    }
    // U+00A0 (no-break space) in UTF-8 is white space here, as &nbsp; is.
    if (c == '\xc2' && i + 1 < html.size() && html[i + 1] == '\xa0') {
      out.push_back(' ');
      i += 2;
      continue;
    }
    // The HTML source's own line ends are white space, except in <pre>.
    if (c == '\r' || c == '\n') {
      if (preformatted > 0 && c == '\n') out.push_back('\n');
      else if (preformatted == 0) out.push_back(' ');
      ++i;
      continue;
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

bool html_may_hold_armor(std::string_view html) { return html.find("BEGIN PGP MESSAGE") != std::string_view::npos; }

HtmlArmor recover_html_armor(std::string_view html) {
  HtmlArmor armor;
  const std::string text = html_text(html);
  const std::vector<std::string_view> lines = trimmed_lines(text);
  std::size_t begin = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (lines[i] == kBeginMessage) {
      ++armor.count;
      if (begin == lines.size()) begin = i;
    }
  if (armor.count == 0) return armor;
  std::size_t end = begin + 1;
  while (end < lines.size() && lines[end] != kEndMessage) ++end;
  if (end == lines.size()) {
    armor.problem = "no END PGP MESSAGE line";
    return armor;
  }
  for (std::size_t i = 0; i < lines.size(); ++i)
    if ((i < begin || i > end) && !lines[i].empty()) armor.text_around = true;

  std::string base64;
  std::optional<std::string> checksum;
  bool data_seen = false;
  for (std::size_t i = begin + 1; i < end; ++i) {
    const std::string_view line = lines[i];
    if (line.empty()) continue;
    if (!data_seen && armor_header(line)) continue;
    if (checksum) {
      armor.problem = "text after the armor checksum";
      return armor;
    }
    std::string compact;
    for (char c : line)
      if (!blank(c)) compact.push_back(c);
    if (compact.size() == 5 && compact[0] == '=' && data_seen) {
      checksum = compact.substr(1);
      continue;
    }
    data_seen = true;
    base64 += compact;
  }
  auto packets = strict_base64(base64);
  if (!packets || packets->empty()) {
    armor.problem = "the armor is not valid base64";
    return armor;
  }
  if (checksum) {
    auto sum = strict_base64(*checksum);
    if (!sum || sum->size() != 3) {
      armor.problem = "the armor checksum is not valid base64";
      return armor;
    }
    const std::uint32_t want = (static_cast<std::uint32_t>(static_cast<unsigned char>((*sum)[0])) << 16) |
                               (static_cast<std::uint32_t>(static_cast<unsigned char>((*sum)[1])) << 8) |
                               static_cast<unsigned char>((*sum)[2]);
    if (crc24(*packets) != want) {
      armor.problem = "the armor checksum does not match";
      return armor;
    }
  }
  armor.packets = std::move(*packets);
  return armor;
}

}  // namespace csirtgw
