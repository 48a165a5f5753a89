// Reading SMTP replies for the outbound client (smtp_reply.h).
#include "smtp_reply.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace csirtgw {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

ReplyParser::Step ReplyParser::fail(std::size_t consumed, std::string problem) {
  malformed_ = true;
  problem_ = std::move(problem);
  return {Status::malformed, consumed};
}

ReplyParser::Step ReplyParser::feed(std::string_view input) {
  if (malformed_) return {Status::malformed, 0};
  std::size_t i = 0;
  while (i < input.size()) {
    const char* start = input.data() + i;
    const auto* lf = static_cast<const char*>(std::memchr(start, '\n', input.size() - i));
    const std::size_t take = lf ? static_cast<std::size_t>(lf - start) : input.size() - i;
    // + 1 for the LF still to come: the limit counts the line with its CRLF.
    if (line_.size() + take + 1 > limits_.line_octets)
      return fail(i + take, "reply line longer than " + std::to_string(limits_.line_octets) + " octets");
    line_.append(start, take);
    i += take;
    if (!lf) break;
    ++i;  // the LF
    const Status status = end_line();
    if (status != Status::incomplete) return {status, i};
  }
  return {Status::incomplete, i};
}

ReplyParser::Status ReplyParser::end_line() {
  // CRLF is what servers send; a bare LF is taken as a line end too: a reply
  // is only read, so a lenient reading smuggles nothing anywhere.
  std::string line = std::exchange(line_, {});
  if (!line.empty() && line.back() == '\r') line.pop_back();

  if (line.size() < 3 || line[0] < '2' || line[0] > '5' || !is_digit(line[1]) || !is_digit(line[2]))
    return fail(0, "reply line does not start with a reply code 2xx-5xx").status;
  const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (!reply_.lines.empty() && code != reply_.code)
    return fail(0, "reply code changes within a multiline reply").status;
  const char separator = line.size() > 3 ? line[3] : ' ';  // "NNN" alone may end a reply
  if (separator != ' ' && separator != '-')
    return fail(0, "reply code not followed by a space or '-'").status;

  reply_.code = code;
  reply_.lines.push_back(line.size() > 4 ? line.substr(4) : std::string());
  if (separator == ' ') return Status::complete;
  if (reply_.lines.size() >= limits_.lines)
    return fail(0, "reply longer than " + std::to_string(limits_.lines) + " lines").status;
  return Status::incomplete;
}

SmtpReply ReplyParser::take_reply() { return std::exchange(reply_, {}); }

std::string reply_summary(const SmtpReply& reply) {
  std::string text = std::to_string(reply.code);
  for (const auto& line : reply.lines) {
    if (line.empty()) continue;
    text += ' ';
    text += line;
  }
  return one_printable_line(text);
}

std::string one_printable_line(std::string_view text, std::size_t max) {
  std::string out;
  out.reserve(std::min(text.size(), max));
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u >= 0x20 && u < 0x7f ? c : '?');
  }
  if (out.size() > max) {
    out.resize(max >= 3 ? max - 3 : 0);
    out += "...";
  }
  return out;
}

}  // namespace csirtgw
