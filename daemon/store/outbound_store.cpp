// The outbound table: queued, sent, deferred, failed acknowledgements (outbound_store.h).
#include "outbound_store.h"

namespace csirtgw {
namespace {

Status set_state(Database& db, const std::string& spool_id, const char* state, const std::string& reply) {
  auto stmt = db.prepare("UPDATE outbound SET state = ?, attempts = attempts + 1, last_reply = ? WHERE spool_id = ?");
  if (!stmt) return stmt.error();
  return stmt->bind(1, state).bind(2, reply).bind(3, spool_id).run();
}

}  // namespace

Status insert_outbound(Database& db, const OutboundRow& row, std::int64_t now) {
  auto stmt = db.prepare(
      "INSERT OR IGNORE INTO outbound (spool_id, ticket, recipient, message_id, encrypted, state, attempts,"
      " queued_at, next_attempt_at, kind) VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?)");
  if (!stmt) return stmt.error();
  return stmt->bind(1, row.spool_id)
      .bind(2, row.ticket)
      .bind(3, row.recipient)
      .bind(4, row.message_id)
      .bind(5, std::int64_t{row.encrypted})
      .bind(6, now)
      .bind(7, now)
      .bind(8, row.kind)
      .run();
}

Result<std::int64_t> outbound_count_since(Database& db, const std::string& recipient, std::int64_t since) {
  auto stmt = db.prepare("SELECT count(*) FROM outbound WHERE recipient = ? AND queued_at >= ? AND kind = 'ack'");
  if (!stmt) return stmt.error();
  stmt->bind(1, recipient).bind(2, since);
  auto row = stmt->step();
  if (!row) return row.error();
  return row.value() ? stmt->integer(0) : 0;
}

Result<std::int64_t> outbound_count_domain_since(Database& db, const std::string& domain, std::int64_t since) {
  // "%@domain": the domain is what follows the last "@" (a quoted local part
  // may hold one). LIKE ignores ASCII case, as domains do; its wildcards in
  // the domain are escaped so that "ex_mple.org" matches only itself.
  std::string pattern = "%@";
  for (char c : domain) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  auto stmt = db.prepare("SELECT count(*) FROM outbound WHERE queued_at >= ? AND kind = 'ack' AND recipient LIKE ? ESCAPE '\\'");
  if (!stmt) return stmt.error();
  stmt->bind(1, since).bind(2, pattern);
  auto row = stmt->step();
  if (!row) return row.error();
  return row.value() ? stmt->integer(0) : 0;
}

Result<std::int64_t> outbound_count_all_since(Database& db, std::int64_t since) {
  auto stmt = db.prepare("SELECT count(*) FROM outbound WHERE queued_at >= ? AND kind = 'ack'");
  if (!stmt) return stmt.error();
  stmt->bind(1, since);
  auto row = stmt->step();
  if (!row) return row.error();
  return row.value() ? stmt->integer(0) : 0;
}

namespace {

constexpr std::string_view kRowColumns =
    "SELECT spool_id, ticket, recipient, message_id, encrypted, attempts, queued_at, kind FROM outbound ";

Result<std::vector<OutboundRow>> rows_of(Statement& stmt) {
  std::vector<OutboundRow> rows;
  while (true) {
    auto row = stmt.step();
    if (!row) return row.error();
    if (!row.value()) return rows;
    rows.push_back({stmt.text(0), stmt.text(1), stmt.text(2), stmt.text(3), stmt.integer(4) != 0, stmt.integer(5),
                    stmt.integer(6), stmt.text(7)});
  }
}

}  // namespace

Result<std::vector<OutboundRow>> due_outbound(Database& db, std::int64_t now, std::int64_t limit) {
  auto stmt = db.prepare(std::string(kRowColumns) +
                         "WHERE state = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, queued_at LIMIT ?");
  if (!stmt) return stmt.error();
  stmt->bind(1, now).bind(2, limit);
  return rows_of(*stmt);
}

Result<std::vector<OutboundRow>> queued_outbound(Database& db) {
  auto stmt = db.prepare(std::string(kRowColumns) + "WHERE state = 'queued'");
  if (!stmt) return stmt.error();
  return rows_of(*stmt);
}

Result<std::int64_t> seconds_until_next_outbound(Database& db, std::int64_t now) {
  auto stmt = db.prepare("SELECT min(next_attempt_at) FROM outbound WHERE state = 'queued'");
  if (!stmt) return stmt.error();
  auto row = stmt->step();
  if (!row) return row.error();
  if (!row.value() || stmt->is_null(0)) return std::int64_t{-1};
  return std::max<std::int64_t>(0, stmt->integer(0) - now);
}

Result<bool> outbound_row_exists(Database& db, const std::string& spool_id) {
  auto stmt = db.prepare("SELECT 1 FROM outbound WHERE spool_id = ?");
  if (!stmt) return stmt.error();
  stmt->bind(1, spool_id);
  return stmt->step();
}

Status mark_outbound_sent(Database& db, const std::string& spool_id, const std::string& reply) {
  return set_state(db, spool_id, "sent", reply);
}

Status mark_outbound_failed(Database& db, const std::string& spool_id, const std::string& reply) {
  return set_state(db, spool_id, "failed", reply);
}

Status mark_outbound_deferred(Database& db, const std::string& spool_id, std::int64_t attempts,
                              std::int64_t next_attempt_at, const std::string& reply) {
  auto stmt = db.prepare("UPDATE outbound SET attempts = ?, next_attempt_at = ?, last_reply = ? WHERE spool_id = ?");
  if (!stmt) return stmt.error();
  return stmt->bind(1, attempts).bind(2, next_attempt_at).bind(3, reply).bind(4, spool_id).run();
}

}  // namespace csirtgw
