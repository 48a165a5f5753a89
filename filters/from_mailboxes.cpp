#include "from_mailboxes.h"

#include <mimetic/rfc822/addresslist.h>

#include "envelope_address.h"
#include "message_header.h"

namespace csirtgw {
namespace {

std::string trim(std::string s) {
  auto first = s.find_first_not_of(" \t");
  auto last = s.find_last_not_of(" \t");
  return first == std::string::npos ? std::string{} : s.substr(first, last - first + 1);
}

// '<' outside quoted strings and comments: one per angle-addr.
std::size_t angle_brackets(std::string_view value) {
  std::size_t count = 0;
  bool quoted = false;
  int comment = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '\\') { ++i; continue; }
    if (quoted) { quoted = c != '"'; continue; }
    if (c == '"' && comment == 0) quoted = true;
    else if (c == '(') ++comment;
    else if (c == ')' && comment > 0) --comment;
    else if (c == '<' && comment == 0) ++count;
  }
  return count;
}

Status add_mailbox(const mimetic::Mailbox& mailbox, std::vector<std::string>& out) {
  const std::string address = trim(mailbox.mailbox()) + "@" + trim(mailbox.domain());
  if (auto problem = envelope_address_problem(address)) return Error::bad_input("From mailbox: " + *problem);
  out.push_back(lowercase_address(address));
  return ok_status();
}

}  // namespace

Result<std::vector<std::string>> from_mailboxes(std::string_view header_block) {
  std::vector<std::string> out;
  for (const auto& value : header_values(header_block, "From")) {
    mimetic::AddressList list(value);
    std::size_t before = out.size();
    for (const auto& address : list) {
      if (address.isGroup()) {
        for (const auto& member : address.group())
          if (auto st = add_mailbox(member, out); !st) return st.error();
      } else if (auto st = add_mailbox(address.mailbox(), out); !st) {
        return st.error();
      }
    }
    if (angle_brackets(value) > out.size() - before) return Error::bad_input("From header is ambiguous");
  }
  return out;
}

}  // namespace csirtgw
