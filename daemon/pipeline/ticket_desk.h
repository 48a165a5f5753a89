// The ticket desk's store actions beyond take/resolve/reopen (issue 18):
// merging a duplicate into the ticket that goes on, linking related tickets,
// rejecting what is not an incident, and finding a ticket by another team's
// tag recorded as its external reference. Each staff action is one
// transaction with its audit event; none of them prints or logs ticket text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "result.h"
#include "sqlite_db.h"

namespace csirtgw {

// The ticket that goes on for `number`: itself, or the one it was merged into
// (followed along a chain of merges). `number` itself when it does not exist.
Result<std::int64_t> live_ticket(Database& db, std::int64_t number);

// The ticket that recorded `reference` ("ABC-CSIRT #991", case-insensitive)
// as another team's tag; the oldest one when several did.
Result<std::optional<std::int64_t>> ticket_of_external_ref(Database& db, const std::string& reference);

// `from` is merged into `into`: its messages (with their senders, so its
// participants), comments, external references and links move to `into`,
// which takes the stricter TLP label and the attention of both; `from`
// becomes state merged, pointing at `into`, and its follow-ups join `into`.
// bad_input for a ticket into itself, into or from a merged ticket, or a
// ticket that does not exist.
Status merge_tickets(Database& db, std::int64_t into, std::int64_t from, const std::string& who);

// Links two tickets (shown in `ticket show` of both); bad_input for a ticket
// with itself, a missing ticket, or (link) an existing / (unlink) a missing link.
Status link_tickets(Database& db, std::int64_t a, std::int64_t b, const std::string& who);
Status unlink_tickets(Database& db, std::int64_t a, std::int64_t b, const std::string& who);
Result<std::vector<std::int64_t>> linked_tickets(Database& db, std::int64_t number);

// Not an incident (a bounce, a list post): state rejected with the reason,
// left out of the statistics; counts as the first response. bad_input for an
// empty reason, a merged or already rejected ticket.
Status reject_ticket(Database& db, std::int64_t number, const std::string& reason, const std::string& who);

}  // namespace csirtgw
