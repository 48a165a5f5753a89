// The grammar of a staff command: what a staff member writes, in any mail
// client, to the gateway's staff address. The ticket is named by its tag
// "[PREFIX #N]" in the Subject (a plain reply to a filed copy keeps it); the
// first non-empty line of the text body is the keyword line:
//
//   reply [quote] [and] [resolve]   the text goes to the ticket's reporter
//   comment [and] [resolve]         the text stays on the ticket, an internal note
//   forward ADDR [and] [resolve]    the text is handed off to ADDR (it must have a registered key)
//   resolve                         resolve the ticket (any text is kept as a comment)
//
// The rest of the body is the text. Quoted lines ("> ...") and the client's
// attribution line ("On ... wrote:") are removed (strip_quoted_report,
// correspondence.h), unless the keyword line says `quote` (reply only: the
// quoted report goes back only to its reporter).
// Pure functions on text: no I/O, no store.
#pragma once

#include <string>
#include <string_view>

#include "result.h"

namespace csirtgw {

enum class StaffAction { reply, comment, forward, resolve };
const char* to_string(StaffAction action);

struct StaffCommand {
  StaffAction action = StaffAction::comment;
  std::string forward_to;  // forward: the address, lower-case
  bool resolve = false;    // resolve the ticket after the action (always for StaffAction::resolve)
  bool quote = false;      // reply: keep the quoted lines
  std::string text;        // LF line ends; quotes removed unless `quote`
};

// bad_input naming what is wrong (and the grammar) for a body that is not a command.
Result<StaffCommand> parse_staff_command(std::string_view body);

// The grammar, one line, for refusals.
extern const char* const kStaffGrammar;

}  // namespace csirtgw
