// Sharing the store with the staff group (paths.staff_group): analysts run the
// triage CLI as themselves, members of that group, beside the running daemon.
// SQLite in WAL mode needs every writer to write the database, its WAL and
// the WAL index; the daemon creates those once and keeps them (persistent WAL,
// see open_store), then gives them to the group, mode 0660. The state
// directory becomes searchable and readable by the group (0750), never
// writable: staff cannot create, rename or remove anything in it. queues/
// becomes setgid for the group (02750): the queues over IMAP (Dovecot).
#pragma once

#include <filesystem>
#include <string>

#include "result.h"

namespace csirtgw {

// Opens (and migrates) the store so its three files exist, then shares them.
// The daemon's user must own them and be a member of `group`.
Status share_store_with_group(const std::filesystem::path& state_dir, const std::string& group);

}  // namespace csirtgw
