// What correspondence reads about a ticket from the store: the facts the
// gates decide on, the address the team wrote from, and the thread's
// Message-IDs. Read with plain SQL over the ticket tables (daemon/pipeline's
// ticket_store sits above this folder). Every value read here came from a
// message: addresses are lower-cased and Message-IDs kept only when they are
// one clean "<left@right>" token.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "correspondence_gate.h"
#include "result.h"
#include "sqlite_db.h"

namespace csirtgw {

struct TicketThread {
  TicketFacts facts;
  std::string intake_address;        // the address the opening report was sent to ("" unknown)
  std::vector<std::string> message_ids;  // the reporter side's, oldest first
};

// nullopt when there is no such ticket.
Result<std::optional<TicketThread>> read_ticket_thread(Database& db, std::int64_t number);

// The Message-IDs the team already sent on the ticket to `recipient`, oldest first.
Result<std::vector<std::string>> outgoing_message_ids(Database& db, std::int64_t number, const std::string& recipient);

std::string lower_ascii(std::string text);

}  // namespace csirtgw
