// RFC 5322 header field reading and rewriting (message_header.h).
#include "ascii_case.h"
#include "message_header.h"
#include "transfer_codecs.h"

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

std::string to_crlf_line_ends(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out.push_back('\r');
    out.push_back(text[i]);
  }
  return out;
}

std::string to_unix_line_ends(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    out.push_back(text[i]);
  }
  return out;
}

std::string rfc5322_date(std::time_t when) {
  std::tm tm{};
  gmtime_r(&when, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

}  // namespace csirtgw
