// The reporter's answer reopens a resolved ticket: a follow-up from one of the
// ticket's participants (its reporter, a verified signer of a registered key,
// an earlier participant) that joins a resolved ticket sets it open again,
// audited as `ticket-reopened` with the reason. A follow-up from anyone else
// only raises the ticket's attention (ticket_store.h), never its state.
#pragma once

#include <string>

#include "result.h"
#include "sqlite_db.h"
#include "ticket_store.h"

namespace csirtgw {

// Within the caller's write transaction, right after assign_ticket. Idempotent:
// a message assigned again after a crash finds the ticket open already.
Status reopen_on_answer(Database& db, const TicketAssignment& assigned, const std::string& spool_id);

}  // namespace csirtgw
