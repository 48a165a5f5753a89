// The store's copy before a forward migration (store_backup.h).
#include "store_backup.h"

#include <fcntl.h>

#include <cerrno>
#include <ctime>

#include "durable_file.h"
#include "unique_fd.h"

namespace csirtgw {

Result<std::filesystem::path> backup_store(Database& db, const std::filesystem::path& db_file,
                                           std::size_t version) {
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  std::filesystem::path backup = db_file;
  backup += ".bak-v" + std::to_string(version) + "-" + stamp;

  // VACUUM INTO refuses an existing file: an earlier backup is never overwritten.
  auto stmt = db.prepare("VACUUM INTO ?");
  if (!stmt) return stmt.error();
  stmt->bind(1, backup.string());
  if (auto st = stmt->run(); !st) return st.error();

  UniqueFd fd(::open(backup.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return errno_error("open " + backup.string(), errno);
  if (auto st = sync_file(fd.get()); !st) return st.error();
  if (auto st = sync_directory(backup.parent_path()); !st) return st.error();
  return backup;
}

}  // namespace csirtgw
