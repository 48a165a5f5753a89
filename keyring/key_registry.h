// The reporter key registry (SQLite, schemas/migrations/0002): which key may
// speak for which e-mail address and organisation. Keys that arrive in mail
// (application/pgp-keys, Autocrypt) are never added here automatically; only an
// operator's `csirtgw keys import` binds a key, and every change is audited.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "result.h"
#include "sqlite_db.h"

namespace csirtgw {

struct RegisteredKey {
  std::string fingerprint;
  std::string email;
  std::string organisation;
  std::string added_at;
  std::string added_by;
};

// Binds fingerprint ↔ email (replacing the organisation of an existing binding);
// bad_input when the key is an active staff key (staff_registry.h).
Status register_key(Database& db, const RegisteredKey& key);
Result<std::vector<RegisteredKey>> list_registered_keys(Database& db);
// Removes every binding of the fingerprint; returns how many.
Result<int> unregister_key(Database& db, const std::string& fingerprint);
// The organisation registered for `email` (any case) bound to the primary key
// `fingerprint` ("" when none was given), or nullopt when they are not bound.
Result<std::optional<std::string>> key_binding(Database& db, const std::string& fingerprint, const std::string& email);

// The fingerprints bound to `email` (any case), most recently added first.
Result<std::vector<std::string>> keys_for_email(Database& db, const std::string& email);

std::string normalise_fingerprint(std::string fingerprint);

}  // namespace csirtgw
