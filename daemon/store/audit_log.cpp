// The hash-chained audit log in SQLite (audit_log.h).
#include "audit_log.h"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "sha256.h"

namespace csirtgw {
namespace {

const std::string kGenesisHash(64, '0');

// Each field as "<length>:<bytes>;" so that no choice of field contents can make
// two different rows encode alike.
void put_field(Sha256& hash, std::string_view field) {
  hash.update(std::to_string(field.size()));
  hash.update(":");
  hash.update(field);
  hash.update(";");
}

}  // namespace

std::string utc_timestamp_now() {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto micros = duration_cast<microseconds>(now.time_since_epoch()).count() % 1000000;
  std::time_t seconds = system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(micros));
  return buf;
}

std::string audit_row_hash(const std::string& prev_hash, std::int64_t seq, const std::string& at,
                           const AuditEvent& event) {
  Sha256 hash;
  put_field(hash, "csirtgw-audit-v1");
  put_field(hash, prev_hash);
  put_field(hash, std::to_string(seq));
  put_field(hash, at);
  put_field(hash, event.event);
  put_field(hash, event.spool_id);
  put_field(hash, event.actor);
  put_field(hash, event.detail);
  return hash.hex_digest();
}

Status append_audit_event(Database& db, const AuditEvent& event) {
  auto head = db.prepare("SELECT seq, hash FROM audit_head WHERE id = 1");
  if (!head) return head.error();
  auto row = head->step();
  if (!row) return row.error();
  if (!row.value()) return Error::internal("audit_head row is missing");
  const std::int64_t seq = head->integer(0) + 1;
  const std::string prev_hash = head->text(1);
  const std::string at = utc_timestamp_now();
  const std::string hash = audit_row_hash(prev_hash, seq, at, event);

  auto insert = db.prepare(
      "INSERT INTO audit (seq, at, event, spool_id, actor, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?)");
  if (!insert) return insert.error();
  insert->bind(1, seq).bind(2, at).bind(3, event.event).bind(4, event.spool_id).bind(5, event.actor);
  insert->bind(6, event.detail).bind(7, prev_hash).bind(8, hash);
  if (auto st = insert->run(); !st) return st;

  auto update = db.prepare("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1");
  if (!update) return update.error();
  update->bind(1, seq).bind(2, hash);
  return update->run();
}

Result<AuditHead> read_audit_head(Database& db) {
  auto head = db.prepare("SELECT seq, hash FROM audit_head WHERE id = 1");
  if (!head) return head.error();
  auto row = head->step();
  if (!row) return row.error();
  if (!row.value()) return Error::internal("audit_head row is missing");
  return AuditHead{head->integer(0), head->text(1)};
}

Result<std::optional<std::string>> audit_hash_at(Database& db, std::int64_t seq) {
  auto stmt = db.prepare("SELECT hash FROM audit WHERE seq = ?");
  if (!stmt) return stmt.error();
  stmt->bind(1, seq);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!row.value()) return std::optional<std::string>();
  return std::optional<std::string>(stmt->text(0));
}

Result<AuditVerdict> verify_audit_chain(Database& db) {
  AuditVerdict verdict;
  auto rows = db.prepare("SELECT seq, at, event, spool_id, actor, detail, prev_hash, hash FROM audit ORDER BY seq");
  if (!rows) return rows.error();
  std::string expected_prev = kGenesisHash;
  std::int64_t expected_seq = 1;
  auto broken = [&](std::int64_t seq, std::string reason) {
    verdict.intact = false;
    verdict.broken_at = seq;
    verdict.reason = std::move(reason);
    return verdict;
  };
  while (true) {
    auto row = rows->step();
    if (!row) return row.error();
    if (!row.value()) break;
    const std::int64_t seq = rows->integer(0);
    AuditEvent event{rows->text(2), rows->text(3), rows->text(4), rows->text(5)};
    const std::string prev_hash = rows->text(6);
    const std::string hash = rows->text(7);
    if (seq != expected_seq)
      return broken(expected_seq, seq > expected_seq ? "missing (deleted); the next row present is " + std::to_string(seq)
                                                     : "sequence out of order");
    if (prev_hash != expected_prev) return broken(seq, "does not chain to the previous event (edited, reordered or inserted)");
    if (audit_row_hash(prev_hash, seq, rows->text(1), event) != hash)
      return broken(seq, "contents do not match its hash (edited)");
    expected_prev = hash;
    ++expected_seq;
    ++verdict.events;
  }
  auto head = db.prepare("SELECT seq, hash FROM audit_head WHERE id = 1");
  if (!head) return head.error();
  auto row = head->step();
  if (!row) return row.error();
  if (!row.value()) return broken(verdict.events, "the chain head record is missing");
  if (head->integer(0) != verdict.events || head->text(1) != expected_prev) {
    if (head->integer(0) > verdict.events)
      return broken(verdict.events + 1, "missing: the chain head names event " + std::to_string(head->integer(0)) +
                                            " but the log ends at " + std::to_string(verdict.events));
    return broken(head->integer(0) + 1, "not covered by the chain head (appended or altered outside csirtgw)");
  }
  verdict.intact = true;
  verdict.head_hash = expected_prev;
  return verdict;
}

}  // namespace csirtgw
