// The outbound queue's rows (schemas/migrations/0004, 0012): one per acknowledged
// report (or per staff message from a ticket, keyed by its own id), keyed by the report's spool id so that filing a report again after a
// crash never queues a second acknowledgement. The message itself is a file in
// <state>/outbound/ (new/ while queued, cur/ once the smarthost took it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "result.h"
#include "sqlite_db.h"

namespace csirtgw {

struct OutboundRow {
  std::string spool_id;  // the report's; also the file name
  std::string ticket;
  std::string recipient;
  std::string message_id;
  bool encrypted = false;
  std::int64_t attempts = 0;
  std::int64_t queued_at = 0;  // unix seconds
  // "ack", or "correspondence" (issue 17: staff replies and forwards share the
  // spool and its retries; only acknowledgements count against ack rate limits).
  std::string kind = "ack";
};

// Within the caller's transaction; a second insert for the same report is ignored.
Status insert_outbound(Database& db, const OutboundRow& row, std::int64_t now);
// Acknowledgements queued to `recipient` since `since` (unix seconds): the rate limit.
Result<std::int64_t> outbound_count_since(Database& db, const std::string& recipient, std::int64_t since);
// ... to any address at `domain` (exactly that domain, ASCII case ignored): ack.domain_rate_limit.
Result<std::int64_t> outbound_count_domain_since(Database& db, const std::string& domain, std::int64_t since);
// ... to anyone: ack.global_rate_limit.
Result<std::int64_t> outbound_count_all_since(Database& db, std::int64_t since);
// Queued rows whose next attempt is due, oldest first.
Result<std::vector<OutboundRow>> due_outbound(Database& db, std::int64_t now, std::int64_t limit);
// Seconds until the next queued row is due (0 = now), or -1 when none is queued.
Result<std::int64_t> seconds_until_next_outbound(Database& db, std::int64_t now);
// Every row still queued (start-up: which files in cur/ were sent before a crash).
Result<std::vector<OutboundRow>> queued_outbound(Database& db);
Result<bool> outbound_row_exists(Database& db, const std::string& spool_id);

// Both count the attempt that settled the row.
Status mark_outbound_sent(Database& db, const std::string& spool_id, const std::string& reply);
Status mark_outbound_deferred(Database& db, const std::string& spool_id, std::int64_t attempts,
                              std::int64_t next_attempt_at, const std::string& reply);
Status mark_outbound_failed(Database& db, const std::string& spool_id, const std::string& reply);

}  // namespace csirtgw
