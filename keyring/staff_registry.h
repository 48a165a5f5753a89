// The staff key registry (SQLite, schemas/migrations/0011): which keys belong
// to the team's staff, who may command the gateway by signed mail to a staff
// address. Only an operator's `csirtgw staff add` adds a key, and a key is a
// reporter's or a staff member's, never both: each registry refuses the other's
// keys, so that a reporter's signature can never pass for a staff command.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "result.h"
#include "sqlite_db.h"

namespace csirtgw {

struct StaffMember {
  std::string fingerprint;  // upper-case hex, primary key
  std::string email;        // lower-case
  std::string name;
  std::string added_at, added_by;
  std::string removed_at, removed_by;  // "" while the key may act
  bool active() const { return removed_at.empty(); }
};

// Within the caller's write transaction. bad_input, naming why, when the key is
// a reporter's key or already an active staff key; a removed key is added again.
Status add_staff_member(Database& db, const StaffMember& member);
// Every staff key ever added, removed ones included, by email.
Result<std::vector<StaffMember>> list_staff(Database& db);
// Marks the key removed (within the caller's transaction); bad_input when it is
// no active staff key.
Status remove_staff_member(Database& db, const std::string& fingerprint, const std::string& who,
                           const std::string& when);
// The staff member of the primary key `fingerprint`, removed or not; nullopt
// when the key was never a staff key.
Result<std::optional<StaffMember>> staff_member_for(Database& db, const std::string& fingerprint);
// Whether the key is an active staff key (register_key refuses those).
Result<bool> is_active_staff_key(Database& db, const std::string& fingerprint);

}  // namespace csirtgw
