// Sharing the store with the staff group (store_sharing.h).
#include "store_sharing.h"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "durable_file.h"
#include "store.h"

namespace csirtgw {
namespace {

Status give_to_group(const std::filesystem::path& path, gid_t gid, mode_t mode) {
  if (::chown(path.c_str(), static_cast<uid_t>(-1), gid) != 0)
    return errno_error("giving " + path.string() + " to the staff group", errno);
  if (::chmod(path.c_str(), mode) != 0) return errno_error("chmod " + path.string(), errno);
  return ok_status();
}

}  // namespace

Status share_store_with_group(const std::filesystem::path& state_dir, const std::string& group) {
  const ::group* entry = ::getgrnam(group.c_str());
  if (!entry) return Error::bad_input("paths.staff_group: no group named " + group);
  const gid_t gid = entry->gr_gid;
  {
    auto db = open_store(state_dir);  // creates the WAL and its index, which then persist
    if (!db) return db.error();
    if (auto st = db->exec("SELECT count(*) FROM sqlite_master"); !st) return st;
  }
  if (auto st = give_to_group(state_dir, gid, 0750); !st) return st;
  for (const char* name : {"csirtgw.db", "csirtgw.db-wal", "csirtgw.db-shm"})
    if (auto st = give_to_group(state_dir / name, gid, 0660); !st) return st;
  // A setgid queues/ is the switch for the queues over IMAP (maildir_queue):
  // each queue is then made for the group, readable by Dovecot's logins.
  const auto queues = state_dir / "queues";
  if (::mkdir(queues.c_str(), 0750) != 0 && errno != EEXIST) return errno_error("mkdir " + queues.string(), errno);
  return give_to_group(queues, gid, 02750);
}

}  // namespace csirtgw
