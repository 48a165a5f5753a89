// The tamper-evident audit log: append-only rows in SQLite, each hash covering
// the previous row's hash and a canonical encoding of the row itself, and a head
// row naming the newest event. Editing, deleting, inserting or reordering rows
// breaks the chain, which verify_audit_chain() reports with the first bad event.
// Details are ids, names and categories — never message contents.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "result.h"
#include "sqlite_db.h"

namespace csirtgw {

struct AuditEvent {
  std::string event;     // received, duplicate, filed, deferred, ...
  std::string spool_id;  // "" when the event concerns no message
  std::string actor;     // "csirtgw" or an operator's name
  std::string detail;    // compact JSON object
};

// Appends one event; the caller holds a write transaction (BEGIN IMMEDIATE), so
// the head read here is the head the row is chained to.
Status append_audit_event(Database& db, const AuditEvent& event);

struct AuditVerdict {
  bool intact = false;
  std::int64_t events = 0;
  std::string head_hash;
  std::int64_t broken_at = 0;  // first bad event's seq
  std::string reason;
};
Result<AuditVerdict> verify_audit_chain(Database& db);

// The head record: the newest event's seq and hash (seq 0 and the genesis hash
// for an empty log). What an anchor (audit_anchor.h) signs.
struct AuditHead {
  std::int64_t seq = 0;
  std::string hash;
  bool operator==(const AuditHead&) const = default;
};
Result<AuditHead> read_audit_head(Database& db);
// The stored hash of event `seq`, or nullopt when there is no such row.
Result<std::optional<std::string>> audit_hash_at(Database& db, std::int64_t seq);

// SHA-256 over prev_hash and the length-prefixed fields (exposed for tests).
std::string audit_row_hash(const std::string& prev_hash, std::int64_t seq, const std::string& at,
                           const AuditEvent& event);

std::string utc_timestamp_now();

}  // namespace csirtgw
