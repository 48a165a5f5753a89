// The staff key registry in SQLite (staff_registry.h).
#include "staff_registry.h"

#include "envelope_address.h"
#include "key_registry.h"

namespace csirtgw {
namespace {

constexpr const char* kColumns = "fingerprint, email, name, added_at, added_by, removed_at, removed_by";

StaffMember member_from(Statement& stmt) {
  return {stmt.text(0), stmt.text(1), stmt.text(2), stmt.text(3), stmt.text(4), stmt.text(5), stmt.text(6)};
}

Result<bool> is_reporter_key(Database& db, const std::string& fingerprint) {
  auto stmt = db.prepare("SELECT 1 FROM reporter_keys WHERE fingerprint = ? LIMIT 1");
  if (!stmt) return stmt.error();
  stmt->bind(1, fingerprint);
  auto row = stmt->step();
  if (!row) return row.error();
  return row.value();
}

}  // namespace

Status add_staff_member(Database& db, const StaffMember& member) {
  const std::string fpr = normalise_fingerprint(member.fingerprint);
  auto reporter = is_reporter_key(db, fpr);
  if (!reporter) return reporter.error();
  if (reporter.value())
    return Error::bad_input("key " + fpr + " is a reporter's key (csirtgw keys list): a key may not be both a "
                            "reporter's and a staff member's; remove it with `csirtgw keys remove` first");
  auto existing = staff_member_for(db, fpr);
  if (!existing) return existing.error();
  if (existing.value() && existing.value()->active())
    return Error::bad_input("key " + fpr + " is already the staff key of " + existing.value()->email);
  auto stmt = db.prepare(
      "INSERT INTO staff_keys (fingerprint, email, name, added_at, added_by) VALUES (?,?,?,?,?)"
      " ON CONFLICT (fingerprint) DO UPDATE SET email = excluded.email, name = excluded.name,"
      " added_at = excluded.added_at, added_by = excluded.added_by, removed_at = '', removed_by = ''");
  if (!stmt) return stmt.error();
  stmt->bind(1, fpr).bind(2, lowercase_address(member.email)).bind(3, member.name);
  stmt->bind(4, member.added_at).bind(5, member.added_by);
  return stmt->run();
}

Result<std::vector<StaffMember>> list_staff(Database& db) {
  auto stmt = db.prepare(std::string("SELECT ") + kColumns + " FROM staff_keys ORDER BY email, fingerprint");
  if (!stmt) return stmt.error();
  std::vector<StaffMember> members;
  while (true) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!row.value()) return members;
    members.push_back(member_from(*stmt));
  }
}

Status remove_staff_member(Database& db, const std::string& fingerprint, const std::string& who,
                           const std::string& when) {
  const std::string fpr = normalise_fingerprint(fingerprint);
  auto stmt = db.prepare("UPDATE staff_keys SET removed_at = ?, removed_by = ? WHERE fingerprint = ? AND removed_at = ''");
  if (!stmt) return stmt.error();
  stmt->bind(1, when).bind(2, who).bind(3, fpr);
  if (auto st = stmt->run(); !st) return st;
  if (sqlite3_changes_count(db) == 0) return Error::bad_input("no active staff key " + fpr + " (csirtgw staff list)");
  return ok_status();
}

Result<std::optional<StaffMember>> staff_member_for(Database& db, const std::string& fingerprint) {
  auto stmt = db.prepare(std::string("SELECT ") + kColumns + " FROM staff_keys WHERE fingerprint = ?");
  if (!stmt) return stmt.error();
  stmt->bind(1, normalise_fingerprint(fingerprint));
  auto row = stmt->step();
  if (!row) return row.error();
  if (!row.value()) return std::optional<StaffMember>{};
  return std::optional<StaffMember>{member_from(*stmt)};
}

Result<bool> is_active_staff_key(Database& db, const std::string& fingerprint) {
  auto member = staff_member_for(db, fingerprint);
  if (!member) return member.error();
  return member.value() && member.value()->active();
}

}  // namespace csirtgw
