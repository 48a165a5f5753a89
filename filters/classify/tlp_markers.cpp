// TLP labels in text and fields (see tlp_markers.h). A linear scan: every "TLP"
// is looked at once, and a label is read over at most a few dozen bytes.
#include "tlp_markers.h"

#include <array>

#include "ascii_case.h"

namespace csirtgw {
namespace {

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_separator(char c) { return c == ' ' || c == '\t' || c == ':' || c == '-' || c == '=' || c == '/' || c == '_'; }

// The label that starts at text[i], with the index one past it; the longest
// first, so "AMBER+STRICT" is not read as "AMBER".
std::optional<std::string> label_at(std::string_view text, std::size_t& i) {
  struct Spelling {
    std::string_view written;
    std::string_view label;
  };
  static constexpr std::array<Spelling, 9> spellings = {{{"AMBER+STRICT", "AMBER+STRICT"},
                                                         {"AMBER + STRICT", "AMBER+STRICT"},
                                                         {"AMBER-STRICT", "AMBER+STRICT"},
                                                         {"AMBER STRICT", "AMBER+STRICT"},
                                                         {"AMBER", "AMBER"},
                                                         {"CLEAR", "CLEAR"},
                                                         {"WHITE", "CLEAR"},
                                                         {"GREEN", "GREEN"},
                                                         {"RED", "RED"}}};
  for (const auto& s : spellings) {
    if (i + s.written.size() > text.size() || !ascii_iequals(text.substr(i, s.written.size()), s.written)) continue;
    const std::size_t end = i + s.written.size();
    if (end < text.size() && is_word_char(text[end])) continue;  // "REDACTED", "GREENHOUSE"
    i = end;
    return std::string(s.label);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> tlp_label_of(std::string_view value) {
  value = ascii_trim(value, " \t\r\n[]()\"'");
  std::size_t i = 0;
  if (value.size() >= 3 && ascii_iequals(value.substr(0, 3), "TLP")) {
    i = 3;
    while (i < value.size() && is_separator(value[i])) ++i;
  }
  auto label = label_at(value, i);
  if (!label || !ascii_trim(value.substr(i)).empty()) return std::nullopt;
  return label;
}

std::vector<std::string> tlp_markers_in(std::string_view text) {
  std::vector<std::string> out;
  for (std::size_t pos = 0; pos + 3 <= text.size();) {
    const std::size_t at = pos;
    pos = at + 1;
    if (!ascii_iequals(text.substr(at, 3), "TLP")) continue;
    if (at > 0 && is_word_char(text[at - 1])) continue;  // "ATLP", "xTLP"
    std::size_t i = at + 3;
    const std::size_t separators_end = std::min(text.size(), i + 8);  // "TLP - ", "TLP:: " ...
    while (i < separators_end && is_separator(text[i])) ++i;
    if (i == at + 3 && i < text.size() && is_word_char(text[i])) continue;  // "TLPRED" is a word
    if (auto label = label_at(text, i)) {
      out.push_back(std::move(*label));
      pos = i;
    }
  }
  return out;
}

}  // namespace csirtgw
