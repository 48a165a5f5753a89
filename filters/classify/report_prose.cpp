// The reporter's own words (see report_prose.h).
#include "report_prose.h"

#include <algorithm>
#include <array>

#include "ascii_case.h"

namespace csirtgw {
namespace {

// The header field name a line starts with ("From", "x-mailer"), after any
// quoting '>' and blanks; empty when the line is no header field.
std::string_view header_name_of(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && (line[i] == '>' || line[i] == ' ' || line[i] == '\t')) ++i;
  const std::size_t start = i;
  while (i < line.size() && i - start < 64 &&
         ((line[i] >= 'A' && line[i] <= 'Z') || (line[i] >= 'a' && line[i] <= 'z') || (line[i] >= '0' && line[i] <= '9') ||
          line[i] == '-'))
    ++i;
  if (i == start || i >= line.size() || line[i] != ':') return {};
  return line.substr(start, i - start);
}

bool is_mail_header_name(std::string_view name) {
  static constexpr std::array<std::string_view, 27> names = {
      "from",         "to",          "cc",          "bcc",          "fcc",          "subject",      "date",
      "sent",         "message-id",  "reply-to",    "in-reply-to",  "references",   "received",     "return-path",
      "delivered-to", "sender",      "envelope-to", "mime-version", "user-agent",   "importance",   "thread-topic",
      "thread-index", "dkim-signature", "authentication-results", "received-spf", "organization", "x-mailer"};
  if (std::any_of(names.begin(), names.end(), [&](std::string_view n) { return ascii_iequals(n, name); })) return true;
  for (const std::string_view prefix : {"x-", "content-", "list-", "resent-", "arc-"})
    if (ascii_istarts_with(name, prefix)) return true;
  return false;
}

// A line of base64 (or hex) as encoded payloads are written: long, unbroken.
bool is_encoded_line(std::string_view line) {
  line = ascii_trim(line);
  return line.size() >= 40 && std::all_of(line.begin(), line.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
                  c == '=';
         });
}

// Calls keep(line) for each line (with its line end) that `drop` lets through;
// a dropped header line takes its folded continuation lines with it.
template <typename Drop, typename Keep>
void filter_lines(std::string_view text, Drop drop, Keep keep) {
  bool in_dropped_header = false;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t nl = text.find('\n', pos);
    const std::size_t next = nl == std::string_view::npos ? text.size() : nl + 1;
    const std::string_view line = text.substr(pos, next - pos);
    pos = next;
    const bool continuation = !line.empty() && (line.front() == ' ' || line.front() == '\t') && !ascii_trim(line).empty();
    if (in_dropped_header && continuation) continue;
    in_dropped_header = false;
    if (drop(line, in_dropped_header)) continue;
    keep(line);
  }
}

bool is_structured_document(std::string_view text) {
  text = ascii_trim(text);
  return text.size() >= 2 && text.front() == '{' && text.back() == '}';
}

}  // namespace

std::string report_prose(std::string_view subject, std::string_view main_text) {
  std::string out(ascii_trim(subject));
  out.push_back('\n');
  if (is_structured_document(main_text)) return out;
  filter_lines(
      main_text,
      [](std::string_view line, bool& header) {
        const std::string_view name = header_name_of(line);
        header = !name.empty() && is_mail_header_name(name);
        return header || is_encoded_line(line);
      },
      [&](std::string_view line) { out.append(line); });
  return out;
}

std::string indicator_text(std::string_view main_text) {
  std::string out;
  filter_lines(
      main_text,
      [](std::string_view line, bool& header) {
        const std::string_view name = header_name_of(line);
        header = false;
        for (const std::string_view id_header : {"message-id", "references", "in-reply-to", "fcc"})
          if (ascii_iequals(name, id_header)) header = true;
        return header;
      },
      [&](std::string_view line) { out.append(line); });
  return out;
}

}  // namespace csirtgw
