// The From header's mailboxes, strictly (from_mailboxes.h).
#include "from_mailboxes.h"

#include <stdexcept>

#include "ascii_case.h"

#include <optional>

#include <mimetic/rfc822/addresslist.h>

#include "envelope_address.h"
#include "message_header.h"

namespace csirtgw {
namespace {

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
  const std::string address = std::string(ascii_trim(mailbox.mailbox(), " \t")) + "@" + std::string(ascii_trim(mailbox.domain(), " \t"));
  if (auto problem = envelope_address_problem(address)) return Error::bad_input("mailbox: " + *problem);
  out.push_back(lowercase_address(address));
  return ok_status();
}

// Comments (outside quoted strings) removed and the ends trimmed: mimetic misreads
// a comment or white space after an angle-addr ("Rep <rep@x.example> (duty)") as
// part of the address. nullopt for an unterminated comment or quote.
std::optional<std::string> without_comments(std::string_view value) {
  std::string out;
  bool quoted = false;
  int comment = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (comment == 0 && c == '\\' && i + 1 < value.size()) {
      out.push_back(c);
      out.push_back(value[++i]);
      continue;
    }
    if (quoted) {
      quoted = c != '"';
      out.push_back(c);
    } else if (comment > 0) {
      if (c == '\\') ++i;
      else if (c == '(') ++comment;
      else if (c == ')') --comment;
    } else if (c == '(') {
      comment = 1;
      out.push_back(' ');
    } else {
      quoted = c == '"';
      out.push_back(c);
    }
  }
  if (quoted || comment > 0) return std::nullopt;
  return std::string(ascii_trim(out, " \t"));
}

}  // namespace

Result<std::vector<std::string>> from_mailboxes(std::string_view header_block) {
  return field_mailboxes(header_block, "From");
}

Result<std::vector<std::string>> field_mailboxes(std::string_view header_block, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& field : header_values(header_block, name)) {
    const auto cleaned = without_comments(field);
    if (!cleaned) return Error::bad_input(std::string(name) + " header has an unterminated comment or quoted string");
    const std::string& value = *cleaned;
    mimetic::AddressList list;
    try {
      list = mimetic::AddressList(value);
    } catch (const std::exception&) {
      // mimetic throws std::length_error on a group without its ';'
      // ("From: a b: "): a message's bytes, not our failure.
      return Error::bad_input(std::string(name) + " header is not an address list");
    }
    std::size_t before = out.size();
    for (const auto& address : list) {
      if (address.isGroup()) {
        for (const auto& member : address.group())
          if (auto st = add_mailbox(member, out); !st) return st.error();
      } else if (auto st = add_mailbox(address.mailbox(), out); !st) {
        return st.error();
      }
    }
    if (angle_brackets(value) > out.size() - before) return Error::bad_input(std::string(name) + " header is ambiguous");
  }
  return out;
}

}  // namespace csirtgw
