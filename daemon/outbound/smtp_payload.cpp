// The DATA payload and command arguments the SMTP client writes (smtp_payload.h).
#include "smtp_payload.h"

namespace csirtgw {
namespace {

// A command argument is one word of printable ASCII; the octets that would end
// the command (CR, LF), split it (SP) or close the path early ('<' '>') are out.
std::optional<std::string> command_word_problem(std::string_view word, std::size_t max, std::string_view what) {
  if (word.empty()) return std::string(what) + " is empty";
  if (word.size() > max) return std::string(what) + " is longer than " + std::to_string(max) + " octets";
  for (char c : word) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return std::string(what) + " contains a control character";
    if (u > 0x7f) return std::string(what) + " contains a non-ASCII octet";  // SMTPUTF8 is not negotiated
    if (c == ' ') return std::string(what) + " contains a space";
    if (c == '<' || c == '>') return std::string(what) + " contains '<' or '>'";
  }
  return std::nullopt;
}

}  // namespace

std::string dot_stuffed_data(std::string_view message) {
  std::string out;
  out.reserve(message.size() + message.size() / 64 + 5);
  bool line_start = true;
  for (std::size_t i = 0; i < message.size(); ++i) {
    const char c = message[i];
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < message.size() && message[i + 1] == '\n') ++i;
      out += "\r\n";
      line_start = true;
      continue;
    }
    if (line_start && c == '.') out.push_back('.');
    out.push_back(c);
    line_start = false;
  }
  if (!line_start) out += "\r\n";
  out += ".\r\n";
  return out;
}

std::optional<std::string> rcpt_address_problem(std::string_view recipient) {
  // RFC 5321 4.5.3.1.3: a path is at most 256 octets with its angle brackets.
  return command_word_problem(recipient, 254, "recipient");
}

std::optional<std::string> helo_name_problem(std::string_view name) {
  return command_word_problem(name, 255, "helo_name");  // RFC 1035 domain length
}

}  // namespace csirtgw
