// The reporter's answer reopens a resolved ticket (ticket_reopen.h).
#include "ticket_reopen.h"

#include <nlohmann/json.hpp>

#include "audit_log.h"
#include "json_text.h"

namespace csirtgw {

Status reopen_on_answer(Database& db, const TicketAssignment& assigned, const std::string& spool_id) {
  if (assigned.created || assigned.participant != true) return ok_status();
  auto stmt = db.prepare("UPDATE tickets SET state = 'open', updated_at = ? WHERE number = ? AND state = 'resolved'");
  if (!stmt) return stmt.error();
  stmt->bind(1, utc_timestamp_now()).bind(2, assigned.number);
  if (auto st = stmt->run(); !st) return st;
  if (sqlite3_changes_count(db) == 0) return ok_status();
  nlohmann::json detail = {{"ticket", assigned.number}, {"state", "open"}, {"reason", "reporter answered"}};
  return append_audit_event(db, {"ticket-reopened", spool_id, "csirtgw", json_text(detail)});
}

}  // namespace csirtgw
