// HTML to text (see html_text.h).
#include "html_text.h"

#include <array>
#include <cstdint>

#include "ascii_case.h"

namespace csirtgw {
namespace {

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// The character reference at html[i] ('&'), appended; returns the index after it
// (just past the '&' when it is not a reference we know).
std::size_t decode_reference(std::string_view html, std::size_t i, std::string& out) {
  const std::size_t semi = html.find(';', i);
  if (semi == std::string_view::npos || semi - i > 12) {
    out.push_back('&');
    return i + 1;
  }
  const std::string_view name = html.substr(i + 1, semi - i - 1);
  if (name.size() >= 2 && name[0] == '#') {
    const bool hex = name[1] == 'x' || name[1] == 'X';
    std::uint32_t cp = 0;
    bool ok = name.size() > (hex ? 2u : 1u);
    for (char c : name.substr(hex ? 2 : 1)) {
      int digit = c >= '0' && c <= '9' ? c - '0' : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10 : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (digit < 0 || cp > 0x10FFFF) ok = false;
      if (!ok) break;
      cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(digit);
    }
    if (ok) {
      append_utf8(out, cp);
      return semi + 1;
    }
  }
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> named = {{
      {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", " "}, {"ndash", "-"}, {"mdash", "-"}}};
  for (const auto& [entity, text] : named)
    if (ascii_iequals(name, entity)) {
      out.append(text);
      return semi + 1;
    }
  out.push_back('&');
  return i + 1;
}

bool is_block_tag(std::string_view tag) {
  static constexpr std::array<std::string_view, 12> blocks = {"br", "p", "div", "tr", "li", "h1", "h2", "h3",
                                                              "h4", "table", "blockquote", "pre"};
  for (const auto b : blocks)
    if (ascii_iequals(tag, b)) return true;
  return false;
}

// The tag's name: after '<' and an optional '/', up to a blank, '/' or '>'.
std::string_view tag_name(std::string_view tag) {
  std::size_t b = tag.size() > 1 && tag[1] == '/' ? 2 : 1;
  std::size_t e = b;
  while (e < tag.size() && tag[e] != ' ' && tag[e] != '\t' && tag[e] != '\n' && tag[e] != '\r' && tag[e] != '/' &&
         tag[e] != '>')
    ++e;
  return tag.substr(b, e - b);
}

}  // namespace

std::string html_to_text(std::string_view html) {
  std::string out;
  out.reserve(html.size() / 2);
  std::size_t i = 0;
  while (i < html.size()) {
    const char c = html[i];
    if (c == '&') {
      i = decode_reference(html, i, out);
    } else if (c != '<') {
      out.push_back(c);
      ++i;
    } else if (html.substr(i, 4) == "<!--") {
      const std::size_t end = html.find("-->", i + 4);
      i = end == std::string_view::npos ? html.size() : end + 3;
    } else {
      const std::size_t close = html.find('>', i);
      const std::size_t end = close == std::string_view::npos ? html.size() : close + 1;
      const std::string_view tag = html.substr(i, end - i);
      const std::string_view name = tag_name(tag);
      const bool opening = tag.size() > 1 && tag[1] != '/';
      i = end;
      if (opening && (ascii_iequals(name, "script") || ascii_iequals(name, "style"))) {
        // Skip to the matching end tag; its contents are code, not text.
        const std::string closing = "</" + ascii_lower(name);
        std::size_t j = i;
        while (j < html.size() && !(html[j] == '<' && ascii_istarts_with(html.substr(j), closing))) ++j;
        const std::size_t gt = html.find('>', j);
        i = gt == std::string_view::npos ? html.size() : gt + 1;
      } else if (is_block_tag(name)) {
        out.push_back('\n');
      }
    }
  }
  return out;
}

}  // namespace csirtgw
