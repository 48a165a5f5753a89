// RFC 5322 header field reading and rewriting (message_header.h).
#include "ascii_case.h"
#include "message_header.h"
#include "transfer_codecs.h"
#include "utc_text.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <optional>

namespace csirtgw {
namespace {

// Calls visit(field_text, name) for each header field including its folded lines;
// returns the offset where the body starts.
template <typename Visit>
std::size_t for_each_field(std::string_view message, Visit visit) {
  std::size_t pos = 0;
  while (pos < message.size()) {
    auto line_end = message.find('\n', pos);
    std::size_t next = line_end == std::string_view::npos ? message.size() : line_end + 1;
    std::string_view line = message.substr(pos, next - pos);
    if (line == "\r\n" || line == "\n") return pos;  // empty line: the body follows
    // A field runs until the next line that does not start with white space.
    while (next < message.size() && (message[next] == ' ' || message[next] == '\t')) {
      auto end = message.find('\n', next);
      next = end == std::string_view::npos ? message.size() : end + 1;
    }
    std::string_view field = message.substr(pos, next - pos);
    auto colon = field.find(':');
    visit(field, colon == std::string_view::npos ? std::string_view{} : field.substr(0, colon));
    pos = next;
  }
  return pos;
}

}  // namespace

std::string_view header_section(std::string_view message) {
  return message.substr(0, for_each_field(message, [](std::string_view, std::string_view) {}));
}

std::vector<HeaderFieldText> header_fields(std::string_view message) {
  std::vector<HeaderFieldText> fields;
  for_each_field(message, [&](std::string_view field, std::string_view name) { fields.push_back({name, field}); });
  return fields;
}

std::vector<std::string> header_values(std::string_view headers, std::string_view name) {
  std::vector<std::string> found;
  for_each_field(headers, [&](std::string_view field, std::string_view field_name) {
    if (field_name.size() != name.size() || !ascii_istarts_with(field_name, name)) return;
    std::string value;
    for (char c : field.substr(field_name.size() + 1))
      if (c != '\r' && c != '\n') value.push_back(c);
    auto first = value.find_first_not_of(" \t");
    auto last = value.find_last_not_of(" \t");
    found.push_back(first == std::string::npos ? std::string{} : value.substr(first, last - first + 1));
  });
  return found;
}

std::optional<std::string> header_value(std::string_view headers, std::string_view name) {
  auto values = header_values(headers, name);
  if (values.empty()) return std::nullopt;
  return values.front();
}

bool has_header_fields(std::string_view message, std::string_view prefix) {
  bool found = false;
  for_each_field(message, [&](std::string_view, std::string_view name) {
    if (ascii_istarts_with(name, prefix)) found = true;
  });
  return found;
}

std::string remove_header_fields(std::string_view message, std::string_view prefix) {
  std::string out;
  out.reserve(message.size());
  auto body_start = for_each_field(message, [&](std::string_view field, std::string_view name) {
    if (!ascii_istarts_with(name, prefix)) out.append(field);
  });
  out.append(message.substr(body_start));
  return out;
}

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// One encoded-word starting at `pos` ("=?charset?X?text?="): its bytes and its end.
std::optional<std::pair<std::string, std::size_t>> decode_word(std::string_view text, std::size_t pos) {
  const auto q1 = text.find('?', pos + 2);
  if (q1 == std::string_view::npos || q1 + 2 >= text.size() || text[q1 + 2] != '?') return std::nullopt;
  const char encoding = static_cast<char>(std::toupper(static_cast<unsigned char>(text[q1 + 1])));
  const auto end = text.find("?=", q1 + 3);
  if (end == std::string_view::npos || end - pos > 200) return std::nullopt;  // RFC 2047: 75 octets per word
  const std::string_view payload = text.substr(q1 + 3, end - q1 - 3);
  std::string out;
  if (encoding == 'B') {
    auto decoded = decode_base64_word(payload);
    if (!decoded) return std::nullopt;
    out = std::move(*decoded);
  } else if (encoding == 'Q') {
    for (std::size_t i = 0; i < payload.size(); ++i) {
      if (payload[i] == '_') {
        out.push_back(' ');
      } else if (payload[i] == '=' && i + 2 < payload.size() + 0 && hex_value(payload[i + 1]) >= 0 &&
                 hex_value(payload[i + 2]) >= 0) {
        out.push_back(static_cast<char>(hex_value(payload[i + 1]) * 16 + hex_value(payload[i + 2])));
        i += 2;
      } else {
        out.push_back(payload[i]);
      }
    }
  } else {
    return std::nullopt;
  }
  return std::make_pair(std::move(out), end + 2);
}

}  // namespace

std::string decode_encoded_words(std::string_view text) {
  std::string out;
  std::size_t pos = 0;
  bool previous_was_word = false;
  std::string pending_space;
  while (pos < text.size()) {
    if (text.compare(pos, 2, "=?") == 0) {
      if (auto word = decode_word(text, pos)) {
        if (!previous_was_word) out += pending_space;
        pending_space.clear();
        out += word->first;
        pos = word->second;
        previous_was_word = true;
        continue;
      }
    }
    if (text[pos] == ' ' || text[pos] == '\t') {
      pending_space.push_back(text[pos++]);
      continue;
    }
    out += pending_space;
    pending_space.clear();
    out.push_back(text[pos++]);
    previous_was_word = false;
  }
  out += pending_space;
  return out;
}

std::string rfc5322_date(std::time_t when) { return utc_text(when, "%a, %d %b %Y %H:%M:%S +0000"); }

namespace {

// The date-time's words: comments dropped, ',' and ':' separate like white space.
std::vector<std::string> date_words(std::string_view value) {
  std::vector<std::string> words;
  std::string word;
  int comment = 0;
  for (char c : value) {
    if (c == '(') ++comment;
    if (comment > 0) {
      if (c == ')') --comment;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',') {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
      continue;
    }
    word.push_back(c);
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Seconds east of UTC for "+hhmm", "-hhmm" or an obsolete zone name.
std::optional<long> zone_offset(std::string_view zone) {
  if (zone.size() == 5 && (zone[0] == '+' || zone[0] == '-') && all_digits(zone.substr(1))) {
    const long hours = std::stol(std::string(zone.substr(1, 2)));
    const long minutes = std::stol(std::string(zone.substr(3, 2)));
    if (minutes > 59) return std::nullopt;
    return (zone[0] == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
  }
  static const std::pair<const char*, int> kZones[] = {{"UT", 0},   {"GMT", 0},  {"Z", 0},    {"EST", -5}, {"EDT", -4},
                                                       {"CST", -6}, {"CDT", -5}, {"MST", -7}, {"MDT", -6}, {"PST", -8},
                                                       {"PDT", -7}};
  for (const auto& [name, hours] : kZones)
    if (ascii_iequals(zone, name)) return hours * 3600L;
  // RFC 5322 4.3: other military zones "SHOULD all be considered equivalent to -0000".
  if (zone.size() == 1 && std::isalpha(static_cast<unsigned char>(zone[0]))) return 0L;
  return std::nullopt;
}

}  // namespace

std::optional<std::time_t> parse_rfc5322_date(std::string_view value) {
  std::vector<std::string> words = date_words(value);
  // An optional day of the week first.
  if (!words.empty() && !all_digits(words.front())) words.erase(words.begin());
  if (words.size() < 4) return std::nullopt;
  static const char* const kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                        "jul", "aug", "sep", "oct", "nov", "dec"};
  std::tm tm{};
  if (!all_digits(words[0]) || words[0].size() > 2) return std::nullopt;
  tm.tm_mday = std::stoi(words[0]);
  tm.tm_mon = -1;
  for (int m = 0; m < 12; ++m)
    if (ascii_iequals(words[1], kMonths[m])) tm.tm_mon = m;
  if (tm.tm_mon < 0 || !all_digits(words[2]) || words[2].size() > 4) return std::nullopt;
  int year = std::stoi(words[2]);
  if (words[2].size() == 2) year += year < 50 ? 2000 : 1900;  // RFC 5322 4.3
  else if (words[2].size() == 3) year += 1900;
  tm.tm_year = year - 1900;
  // hh:mm[:ss] (':' split words apart above only when written with spaces).
  std::string time_text = words[3];
  std::size_t next = 4;
  int parts[3] = {0, 0, 0};
  int count = 0;
  for (std::size_t start = 0; count < 3;) {
    const std::size_t colon = time_text.find(':', start);
    const std::string part = time_text.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (!all_digits(part) || part.size() > 2) return std::nullopt;
    parts[count++] = std::stoi(part);
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (count < 2 || parts[0] > 23 || parts[1] > 59 || parts[2] > 60 || tm.tm_mday < 1 || tm.tm_mday > 31)
    return std::nullopt;
  tm.tm_hour = parts[0];
  tm.tm_min = parts[1];
  tm.tm_sec = parts[2];
  long offset = 0;
  if (next < words.size()) {
    auto zone = zone_offset(words[next]);
    if (!zone) return std::nullopt;
    offset = *zone;
  }
  const std::time_t utc = timegm(&tm);
  if (utc == static_cast<std::time_t>(-1)) return std::nullopt;
  return utc - offset;
}

}  // namespace csirtgw
