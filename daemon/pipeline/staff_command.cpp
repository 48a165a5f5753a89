// The staff command grammar (staff_command.h).
#include "staff_command.h"

#include <sstream>
#include <vector>

#include "ascii_case.h"
#include "correspondence.h"
#include "envelope_address.h"

namespace csirtgw {
namespace {

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const auto end = text.find('\n', pos);
    std::string line(text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return lines;
}

bool blank(const std::string& line) { return line.find_first_not_of(" \t") == std::string::npos; }

std::vector<std::string> words_of(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

Result<StaffAction> action_named(const std::string& word) {
  const std::string w = ascii_lower(word);
  if (w == "reply") return StaffAction::reply;
  if (w == "comment") return StaffAction::comment;
  if (w == "forward") return StaffAction::forward;
  if (w == "resolve") return StaffAction::resolve;
  return Error::bad_input("the first line must start with a keyword, not \"" + word + "\"");
}

// The words after the action (and forward's address): and / resolve / quote.
Status read_options(const std::vector<std::string>& words, std::size_t from, StaffCommand& command) {
  for (std::size_t i = from; i < words.size(); ++i) {
    const std::string w = ascii_lower(words[i]);
    if (w == "resolve") {
      command.resolve = true;
    } else if (w == "and" && i + 1 < words.size()) {
      continue;
    } else if (w == "quote" && command.action == StaffAction::reply) {
      command.quote = true;
    } else if (w == "quote") {
      return Error::bad_input("\"quote\" is allowed with reply only (the quoted report goes back only to its reporter)");
    } else {
      return Error::bad_input("unexpected word \"" + words[i] + "\" in the keyword line");
    }
  }
  return ok_status();
}

Status read_keyword_line(const std::string& line, StaffCommand& command) {
  const auto words = words_of(line);
  auto action = action_named(words.front());
  if (!action) return action.error();
  command.action = action.value();
  std::size_t next = 1;
  if (command.action == StaffAction::forward) {
    if (words.size() < 2) return Error::bad_input("forward needs an address: \"forward ADDR\"");
    std::string address = words[1];
    if (address.size() > 2 && address.front() == '<' && address.back() == '>') address = address.substr(1, address.size() - 2);
    if (auto problem = envelope_address_problem(address))
      return Error::bad_input("forward: \"" + words[1] + "\" is not a plain address: " + *problem);
    command.forward_to = lowercase_address(address);
    next = 2;
  }
  if (command.action == StaffAction::resolve) command.resolve = true;
  return read_options(words, next, command);
}

std::string joined(const std::vector<std::string>& lines, std::size_t from) {
  std::string out;
  for (std::size_t i = from; i < lines.size(); ++i) out += lines[i] + "\n";
  return out;
}

// With `quote`: the text as written, only the blank lines around it trimmed.
std::string kept_as_written(const std::string& text) {
  const auto start = text.find_first_not_of("\n \t");
  if (start == std::string::npos) return {};
  const auto line_start = text.rfind('\n', start);
  const std::size_t from = line_start == std::string::npos ? 0 : line_start + 1;
  const auto end = text.find_last_not_of("\n \t");
  return text.substr(from, end - from + 1) + "\n";
}

}  // namespace

const char* const kStaffGrammar =
    "the Subject names the ticket with its tag \"[PREFIX #N]\"; the first line of the text is one of "
    "\"reply [quote] [and resolve]\", \"comment [and resolve]\", \"forward ADDR [and resolve]\" or \"resolve\", "
    "and the rest of the text is what is sent or kept";

const char* to_string(StaffAction action) {
  switch (action) {
    case StaffAction::reply: return "reply";
    case StaffAction::comment: return "comment";
    case StaffAction::forward: return "forward";
    case StaffAction::resolve: return "resolve";
  }
  return "unknown";
}

Result<StaffCommand> parse_staff_command(std::string_view body) {
  const auto lines = split_lines(body);
  std::size_t first = 0;
  while (first < lines.size() && blank(lines[first])) ++first;
  if (first == lines.size()) return Error::bad_input(std::string("the message has no text: ") + kStaffGrammar);
  StaffCommand command;
  if (auto st = read_keyword_line(lines[first], command); !st)
    return Error::bad_input(st.error().message + "; " + kStaffGrammar);
  const std::string rest = joined(lines, first + 1);
  command.text = command.quote ? kept_as_written(rest) : strip_quoted_report(rest);
  const bool sends = command.action == StaffAction::reply || command.action == StaffAction::forward;
  if ((sends || command.action == StaffAction::comment) && command.text.empty())
    return Error::bad_input(std::string(to_string(command.action)) + " with no text below the keyword line; " +
                            kStaffGrammar);
  return command;
}

}  // namespace csirtgw
