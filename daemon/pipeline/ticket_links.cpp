// Merging, linking and rejecting tickets; external references (ticket_desk.h).
#include <algorithm>

#include <nlohmann/json.hpp>

#include "audit_log.h"
#include "json_text.h"
#include "policy.h"
#include "ticket_desk.h"
#include "ticket_store.h"
#include "untrusted_text.h"

namespace csirtgw {
namespace {

// The audit event carries the start of a reject reason, not an essay that may
// quote a report at length (the ticket row keeps the whole reason).
constexpr std::size_t kAuditedReasonMax = 200;

struct DeskTicket {
  std::string state, tlp;
  std::int64_t merged_into = 0, attention = 0;
};

Result<std::optional<DeskTicket>> desk_ticket(Database& db, std::int64_t number) {
  auto stmt = db.prepare("SELECT state, tlp, coalesce(merged_into, 0), attention FROM tickets WHERE number = ?");
  if (!stmt) return stmt.error();
  stmt->bind(1, number);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!row.value()) return std::optional<DeskTicket>{};
  return std::optional<DeskTicket>{DeskTicket{stmt->text(0), stmt->text(1), stmt->integer(2), stmt->integer(3)}};
}

std::string ticket_name(std::int64_t number) { return "#" + std::to_string(number); }

// Both tickets exist (bad_input naming the one that does not) and are two.
Result<std::pair<DeskTicket, DeskTicket>> two_tickets(Database& db, std::int64_t a, std::int64_t b,
                                                      const std::string& what) {
  if (a == b) return Error::bad_input("cannot " + what + " ticket " + ticket_name(a) + " with itself");
  auto first = desk_ticket(db, a);
  if (!first) return first.error();
  if (!first.value()) return Error::bad_input("no ticket " + ticket_name(a));
  auto second = desk_ticket(db, b);
  if (!second) return second.error();
  if (!second.value()) return Error::bad_input("no ticket " + ticket_name(b));
  return std::make_pair(*first.value(), *second.value());
}

Status run_sql(Database& db, std::string_view sql, std::int64_t into, std::int64_t from) {
  auto stmt = db.prepare(sql);
  if (!stmt) return stmt.error();
  stmt->bind(1, into).bind(2, from);
  return stmt->run();
}

// Everything of `from` moves to `into`; links to third tickets are kept.
Status move_ticket_rows(Database& db, std::int64_t into, std::int64_t from) {
  static const char* const kMoves[] = {
      "UPDATE ticket_messages SET ticket = ?1 WHERE ticket = ?2",
      "UPDATE ticket_comments SET ticket = ?1 WHERE ticket = ?2",
      "INSERT OR IGNORE INTO ticket_external_refs (ticket, reference)"
      " SELECT ?1, reference FROM ticket_external_refs WHERE ticket = ?2",
      "DELETE FROM ticket_external_refs WHERE ticket = ?2 AND ?1 = ?1",
      "INSERT OR IGNORE INTO ticket_links (a, b, created_at, author)"
      " SELECT min(?1, CASE WHEN a = ?2 THEN b ELSE a END), max(?1, CASE WHEN a = ?2 THEN b ELSE a END),"
      " created_at, author FROM ticket_links WHERE (a = ?2 OR b = ?2) AND a != ?1 AND b != ?1",
      "DELETE FROM ticket_links WHERE (a = ?2 OR b = ?2) AND ?1 = ?1",
  };
  for (const char* sql : kMoves)
    if (auto st = run_sql(db, sql, into, from); !st) return st;
  return ok_status();
}

}  // namespace

Result<std::int64_t> live_ticket(Database& db, std::int64_t number) {
  // A merge never targets a merged ticket, so chains are short; the bound
  // only guards against a store edited by hand into a loop.
  for (int hop = 0; hop < 64; ++hop) {
    auto t = desk_ticket(db, number);
    if (!t) return t.error();
    if (!t.value() || t.value()->merged_into == 0) return number;
    number = t.value()->merged_into;
  }
  return Error::internal("ticket #" + std::to_string(number) + ": merged_into forms a loop");
}

Result<std::optional<std::int64_t>> ticket_of_external_ref(Database& db, const std::string& reference) {
  auto stmt = db.prepare(
      "SELECT ticket FROM ticket_external_refs WHERE reference = ? COLLATE NOCASE ORDER BY ticket LIMIT 1");
  if (!stmt) return stmt.error();
  stmt->bind(1, reference);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!row.value()) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{stmt->integer(0)};
}

Status merge_tickets(Database& db, std::int64_t into, std::int64_t from, const std::string& who) {
  auto tx = Transaction::begin(db);
  if (!tx) return tx.error();
  auto both = two_tickets(db, into, from, "merge");
  if (!both) return both.error();
  const auto& [target, merged] = both.value();
  if (target.state == "merged")
    return Error::bad_input("cannot merge into ticket " + ticket_name(into) + ": it was merged into " +
                            ticket_name(target.merged_into));
  if (merged.state == "merged")
    return Error::bad_input("ticket " + ticket_name(from) + " was already merged into " + ticket_name(merged.merged_into));
  if (auto st = move_ticket_rows(db, into, from); !st) return st;
  const std::string now = utc_timestamp_now();
  const std::string tlp = tlp_rank(merged.tlp) > tlp_rank(target.tlp) ? merged.tlp : target.tlp;
  auto grow = db.prepare("UPDATE tickets SET tlp = ?, attention = attention + ?, updated_at = ? WHERE number = ?");
  if (!grow) return grow.error();
  grow->bind(1, tlp).bind(2, merged.attention).bind(3, now).bind(4, into);
  if (auto st = grow->run(); !st) return st;
  auto mark = db.prepare(
      "UPDATE tickets SET state = 'merged', merged_into = ?, updated_at = ?, attention = 0 WHERE number = ?");
  if (!mark) return mark.error();
  mark->bind(1, into).bind(2, now).bind(3, from);
  if (auto st = mark->run(); !st) return st;
  nlohmann::json detail = {{"ticket", into}, {"merged", from}, {"merged_state", merged.state}, {"tlp", tlp}};
  if (auto st = append_audit_event(db, {"ticket-merge", "", who, json_text(detail)}); !st) return st;
  return tx->commit();
}

Status link_tickets(Database& db, std::int64_t a, std::int64_t b, const std::string& who) {
  auto tx = Transaction::begin(db);
  if (!tx) return tx.error();
  if (auto both = two_tickets(db, a, b, "link"); !both) return both.error();
  auto add = db.prepare("INSERT OR IGNORE INTO ticket_links (a, b, created_at, author) VALUES (?,?,?,?)");
  if (!add) return add.error();
  add->bind(1, std::min(a, b)).bind(2, std::max(a, b)).bind(3, utc_timestamp_now()).bind(4, who);
  if (auto st = add->run(); !st) return st;
  if (sqlite3_changes_count(db) == 0)
    return Error::bad_input("tickets " + ticket_name(a) + " and " + ticket_name(b) + " are already linked");
  nlohmann::json detail = {{"ticket", a}, {"linked", b}};
  if (auto st = append_audit_event(db, {"ticket-link", "", who, json_text(detail)}); !st) return st;
  return tx->commit();
}

Status unlink_tickets(Database& db, std::int64_t a, std::int64_t b, const std::string& who) {
  auto tx = Transaction::begin(db);
  if (!tx) return tx.error();
  if (auto both = two_tickets(db, a, b, "unlink"); !both) return both.error();
  auto drop = db.prepare("DELETE FROM ticket_links WHERE a = ? AND b = ?");
  if (!drop) return drop.error();
  drop->bind(1, std::min(a, b)).bind(2, std::max(a, b));
  if (auto st = drop->run(); !st) return st;
  if (sqlite3_changes_count(db) == 0)
    return Error::bad_input("tickets " + ticket_name(a) + " and " + ticket_name(b) + " are not linked");
  nlohmann::json detail = {{"ticket", a}, {"unlinked", b}};
  if (auto st = append_audit_event(db, {"ticket-unlink", "", who, json_text(detail)}); !st) return st;
  return tx->commit();
}

Result<std::vector<std::int64_t>> linked_tickets(Database& db, std::int64_t number) {
  auto stmt = db.prepare(
      "SELECT CASE WHEN a = ?1 THEN b ELSE a END AS other FROM ticket_links WHERE a = ?1 OR b = ?1 ORDER BY other");
  if (!stmt) return stmt.error();
  stmt->bind(1, number);
  std::vector<std::int64_t> out;
  while (true) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!row.value()) break;
    out.push_back(stmt->integer(0));
  }
  return out;
}

Status reject_ticket(Database& db, std::int64_t number, const std::string& reason, const std::string& who) {
  if (reason.find_first_not_of(" \t") == std::string::npos)
    return Error::bad_input("rejecting ticket " + ticket_name(number) + " needs a reason");
  auto tx = Transaction::begin(db);
  if (!tx) return tx.error();
  auto current = desk_ticket(db, number);
  if (!current) return current.error();
  if (!current.value()) return Error::bad_input("no ticket " + ticket_name(number));
  const std::string& state = current.value()->state;
  if (state == "merged" || state == "rejected")
    return Error::bad_input("cannot reject ticket " + ticket_name(number) + ": it is " + state +
                            (state == "merged" ? " into " + ticket_name(current.value()->merged_into) : ""));
  const std::string now = utc_timestamp_now();
  auto stmt = db.prepare(
      "UPDATE tickets SET state = 'rejected', reject_reason = ?, updated_at = ?, resolved_at = ? WHERE number = ?");
  if (!stmt) return stmt.error();
  stmt->bind(1, reason).bind(2, now).bind(3, now).bind(4, number);
  if (auto st = stmt->run(); !st) return st;
  if (auto st = note_first_response(db, number, now); !st) return st;
  // The reason is staff's words, but may quote a report: bounded and sanitised.
  nlohmann::json detail = {{"ticket", number}, {"was", state}, {"reason", sanitize_untrusted(reason, kAuditedReasonMax)}};
  if (auto st = append_audit_event(db, {"ticket-reject", "", who, json_text(detail)}); !st) return st;
  return tx->commit();
}

}  // namespace csirtgw
