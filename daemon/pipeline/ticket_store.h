// Tickets in SQLite (schemas/migrations/0003): assigning a filed report to a
// new ticket or, as a follow-up, to an existing one — by our tag in the
// Subject, by In-Reply-To/References naming a ticket's message, or by the same
// Message-ID delivered again — and the staff actions on tickets. Assignment is
// keyed by the spool id, so it is idempotent across crashes and retries.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "report.h"
#include "result.h"
#include "sqlite_db.h"

namespace csirtgw {

struct TicketTag {
  std::string prefix;
  std::int64_t number = 0;
};
// Every "[PREFIX #N]" tag in a subject, in order.
std::vector<TicketTag> ticket_tags(std::string_view subject);
std::string format_ticket(const std::string& prefix, std::int64_t number);

struct TicketAssignment {
  std::int64_t number = 0;
  bool created = false;  // this report opened the ticket (also when assigned before a restart)
  std::string queue;  // the ticket's queue (follow-ups are filed with their ticket)
  std::string tlp;    // the ticket's label: for a follow-up the strictest of the ticket's and its own
  std::optional<bool> participant;  // follow-ups: is the sender one of the ticket's participants?
};
// Within the caller's write transaction. Appends the audit events itself.
// A new ticket keeps the report's Subject, sanitised and cut to `subject_max`
// octets (tickets.subject_max), and its one From address.
Result<TicketAssignment> assign_ticket(Database& db, const Report& report, const std::string& prefix,
                                       std::size_t subject_max = 200);

// A follow-up takes on what its ticket decided: its queue (unless quarantined),
// the ticket's strictest TLP label, and whether its sender is a participant.
void follow_ticket(Report& report, const TicketAssignment& ticket);

struct TicketSummary {
  std::int64_t number = 0;
  std::string created_at, updated_at, queue, state, owner, type, tlp, categories, encryption, signature;
  std::string verified_address, verified_org;  // of the opening report, when its sender was verified
  std::int64_t priority = 0;
  bool constituency = true;
  std::int64_t messages = 0;
  std::int64_t attention = 0;  // follow-ups from non-participants: someone should look
  std::string subject, reporter;  // of the opening report: subject sanitised when stored, still untrusted
  std::string reject_reason;      // state rejected: why it is not an incident
  std::int64_t merged_into = 0;   // state merged: the ticket that goes on; 0 = none
  std::string first_response_at, resolved_at;  // "" = not yet
};
struct TicketMessage {
  std::string spool_id, message_id, role, added_at;
  std::string signature, verified_address, verified_org;
  bool participant = true;
};
struct TicketComment {
  std::string at, author, text;
};
struct TicketDetail {
  TicketSummary summary;
  std::vector<TicketMessage> messages;
  std::vector<std::string> external_refs;
  std::vector<TicketComment> comments;
  std::vector<std::int64_t> links;  // linked tickets, either way round
};

Result<std::vector<TicketSummary>> list_tickets(Database& db, const std::optional<std::string>& queue,
                                                const std::optional<std::string>& state);
Result<std::optional<TicketDetail>> ticket_detail(Database& db, std::int64_t number);
// take (open, or another analyst's with `steal`: audited with whom it was
// taken from) / resolve (open or taken) / reopen (resolved or rejected);
// bad_input, naming why, when the ticket does not exist, was merged into
// another, or is not in a state the action applies to. take and resolve count
// as the first response (note_first_response); resolve stamps resolved_at.
Status change_ticket_state(Database& db, std::int64_t number, const std::string& action, const std::string& who,
                           bool steal = false);
Status add_ticket_comment(Database& db, std::int64_t number, const std::string& who, const std::string& text);
// The same two within the caller's write transaction (the staff step acts in its own).
Status change_ticket_state_within(Database& db, std::int64_t number, const std::string& action, const std::string& who,
                                  bool steal = false);
Status add_ticket_comment_within(Database& db, std::int64_t number, const std::string& who, const std::string& text);

// The first staff answer to a ticket (take, comment, resolve, reject, a reply
// sent to the reporter) at `at` (UTC, as utc_timestamp_now()): recorded only
// while none is, so the earliest answer counts. Within the caller's
// transaction; a ticket that does not exist is left alone.
Status note_first_response(Database& db, std::int64_t ticket, const std::string& at);

}  // namespace csirtgw
