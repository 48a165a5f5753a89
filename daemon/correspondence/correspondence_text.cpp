// What of a staff member's text may leave (correspondence.h): the quoted
// report is removed, so a reply-based decryption oracle (the reporter's own
// encrypted text quoted back in another message) and an accidental hand-off
// of the report's contents cannot happen through csirtgw.
#include <string_view>
#include <vector>

#include "correspondence.h"

namespace csirtgw {
namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    start = end + 1;
  }
  return lines;
}

bool is_quoted(std::string_view line) {
  const auto first = line.find_first_not_of(" \t");
  return first != std::string_view::npos && line[first] == '>';
}

bool is_blank(std::string_view line) { return line.find_first_not_of(" \t") == std::string_view::npos; }

// Mail clients' markers above a report they include unquoted (Outlook,
// Thunderbird's "forward inline"): everything from here on is the report.
bool starts_included_original(std::string_view line) {
  for (std::string_view marker : {"-----Original Message-----", "-------- Original Message --------",
                                  "-------- Forwarded Message --------", "---------- Forwarded message ---------",
                                  "-----Ursprüngliche Nachricht-----", "-------- Weitergeleitete Nachricht --------"})
    if (line.find(marker) != std::string_view::npos) return true;
  return false;
}

// "On Mon, 1 Jan 2024, X wrote:", "Am ... schrieb X:", "Le ... a écrit :":
// a line ending in ':' right above a quoted block (blank lines between).
bool is_attribution(const std::vector<std::string>& lines, std::size_t i) {
  std::string_view line = lines[i];
  const auto last = line.find_last_not_of(" \t");
  if (last == std::string_view::npos || line[last] != ':') return false;
  for (std::size_t j = i + 1; j < lines.size(); ++j) {
    if (is_blank(lines[j])) continue;
    return is_quoted(lines[j]);
  }
  return false;
}

}  // namespace

bool has_quoted_lines(const std::string& text) {
  for (const auto& line : split_lines(text))
    if (is_quoted(line) || starts_included_original(line)) return true;
  return false;
}

std::string strip_quoted_report(const std::string& text) {
  const auto lines = split_lines(text);
  std::vector<std::string_view> kept;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (starts_included_original(lines[i])) break;
    if (is_quoted(lines[i]) || is_attribution(lines, i)) continue;
    // One blank line where a quoted block was, not a run of them.
    if (is_blank(lines[i]) && !kept.empty() && is_blank(kept.back())) continue;
    kept.push_back(lines[i]);
  }
  while (!kept.empty() && is_blank(kept.back())) kept.pop_back();
  std::size_t first = 0;
  while (first < kept.size() && is_blank(kept[first])) ++first;
  std::string out;
  for (std::size_t i = first; i < kept.size(); ++i) {
    out.append(kept[i]);
    out.push_back('\n');
  }
  return out;
}

}  // namespace csirtgw
