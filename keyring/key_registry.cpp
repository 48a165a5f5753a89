// The reporter key registry in SQLite (key_registry.h).
#include "key_registry.h"

#include <algorithm>
#include <cctype>

#include "envelope_address.h"
#include "staff_registry.h"

namespace csirtgw {

std::string normalise_fingerprint(std::string fingerprint) {
  fingerprint.erase(std::remove_if(fingerprint.begin(), fingerprint.end(), [](unsigned char c) { return std::isspace(c); }),
                    fingerprint.end());
  std::transform(fingerprint.begin(), fingerprint.end(), fingerprint.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return fingerprint;
}

Status register_key(Database& db, const RegisteredKey& key) {
  // A staff key never speaks for a reporter (staff_registry.h).
  auto staff = is_active_staff_key(db, normalise_fingerprint(key.fingerprint));
  if (!staff) return staff.error();
  if (staff.value())
    return Error::bad_input("key " + normalise_fingerprint(key.fingerprint) +
                            " is a staff key (csirtgw staff list): a key may not be both a staff member's and a "
                            "reporter's; remove it with `csirtgw staff remove` first");
  auto stmt = db.prepare(
      "INSERT INTO reporter_keys (fingerprint, email, organisation, added_at, added_by) VALUES (?,?,?,?,?)"
      " ON CONFLICT (fingerprint, email) DO UPDATE SET organisation = excluded.organisation");
  if (!stmt) return stmt.error();
  stmt->bind(1, normalise_fingerprint(key.fingerprint)).bind(2, lowercase_address(key.email));
  stmt->bind(3, key.organisation).bind(4, key.added_at).bind(5, key.added_by);
  return stmt->run();
}

Result<std::vector<RegisteredKey>> list_registered_keys(Database& db) {
  auto stmt = db.prepare(
      "SELECT fingerprint, email, organisation, added_at, added_by FROM reporter_keys ORDER BY email, fingerprint");
  if (!stmt) return stmt.error();
  std::vector<RegisteredKey> keys;
  while (true) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!row.value()) break;
    keys.push_back({stmt->text(0), stmt->text(1), stmt->text(2), stmt->text(3), stmt->text(4)});
  }
  return keys;
}

Result<int> unregister_key(Database& db, const std::string& fingerprint) {
  auto stmt = db.prepare("DELETE FROM reporter_keys WHERE fingerprint = ?");
  if (!stmt) return stmt.error();
  stmt->bind(1, normalise_fingerprint(fingerprint));
  if (auto st = stmt->run(); !st) return st.error();
  return sqlite3_changes_count(db);
}

Result<std::optional<std::string>> key_binding(Database& db, const std::string& fingerprint, const std::string& email) {
  auto stmt = db.prepare("SELECT organisation FROM reporter_keys WHERE fingerprint = ? AND email = ? LIMIT 1");
  if (!stmt) return stmt.error();
  stmt->bind(1, normalise_fingerprint(fingerprint)).bind(2, lowercase_address(email));
  auto row = stmt->step();
  if (!row) return row.error();
  if (!row.value()) return std::optional<std::string>{};
  return std::optional<std::string>{stmt->text(0)};
}

Result<std::vector<std::string>> keys_for_email(Database& db, const std::string& email) {
  auto stmt = db.prepare("SELECT fingerprint FROM reporter_keys WHERE email = ? ORDER BY added_at DESC, fingerprint");
  if (!stmt) return stmt.error();
  stmt->bind(1, lowercase_address(email));
  std::vector<std::string> fingerprints;
  while (true) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!row.value()) return fingerprints;
    fingerprints.push_back(stmt->text(0));
  }
}

}  // namespace csirtgw
