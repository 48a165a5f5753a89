// A copy of the store taken before forward migrations change it, so an upgrade
// that goes wrong can be undone by putting the old file back (with the old
// binary). The copy is complete and synced before any migration runs; it must
// never be taken of a database that is already being changed.
#pragma once

#include <cstddef>
#include <filesystem>

#include "result.h"
#include "sqlite_db.h"

namespace csirtgw {

// Writes `<db_file>.bak-v<version>-<UTC yyyymmddThhmmssZ>` with VACUUM INTO (a
// consistent snapshot, WAL included), fsyncs it and its directory, and returns
// its path.
Result<std::filesystem::path> backup_store(Database& db, const std::filesystem::path& db_file,
                                           std::size_t version);

}  // namespace csirtgw
