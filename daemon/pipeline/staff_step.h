// The filing worker's staff step: mail to a staff address, after the filter
// chain, in arrival order, instead of a ticket. A message that is not a staff
// command (staff_mail.h) is quarantined; a staff command is acted on in one
// write transaction of its own -- comment and resolve on the ticket, reply and
// forward through the correspondence gates (daemon/correspondence) -- and a
// refusal (no ticket named, bad grammar, a gate said no) goes back to the
// staff member, signed and encrypted to their key. Each command is recorded by
// its spool id (staff_commands), so a message filed again after a crash is not
// acted on twice, and the same signed command sent again is refused as a replay.
// Acted-on commands are filed in the `staff` queue.
#pragma once

#include <string>

#include "config.h"
#include "correspondence.h"
#include "report.h"
#include "result.h"
#include "sqlite_db.h"

namespace csirtgw {

struct StaffStepContext {
  Database& db;
  const Config& config;
  std::string ticket_prefix;
  CorrespondenceContext& correspondence;
};

// Errors are the environment's (store, gpg): the message is deferred. Every
// decision about the message itself is in `report` (its queue, fault, notes).
Status run_staff_step(StaffStepContext& ctx, Report& report);

// The command text: the first text/plain part of the (decrypted) message, its
// transfer encoding undone; "" when there is none.
std::string staff_command_text(Report& report, const Config& config);

// The Subject that names the ticket: the signed one (protected headers) when
// a good signature covers it, else the message's own; encoded words decoded.
std::string staff_command_subject(const Report& report);

}  // namespace csirtgw
