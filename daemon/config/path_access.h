// Whether another user could reach a path: the walk the kernel makes when that
// user opens it — search permission on every directory on the way (following
// symbolic links), then the wanted access on the object itself — judged from
// the mode bits for a given uid, gid and supplementary groups.
//
// For root deciding, before it drops privileges, whether the user it becomes
// can still reach its files (serve) or will be able to (check-config).
// access(2) cannot answer that: it checks the real uid, which is root's.
// Never opens what it examines; never changes anything.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "result.h"

namespace csirtgw {

struct UserIdentity {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // every group the user is in, its primary one included
};

// The user as initgroups() would set it up; bad_input when there is none.
Result<UserIdentity> user_identity(const std::string& name);

// What the user must be allowed on the object at the end of the walk.
enum PathAccess : int {
  path_read = 4,
  path_write = 2,
  path_search = 1,  // execute, for a directory: look names up in it
};

// nullopt when `user` can reach `path` with `wanted` (PathAccess bits), or
// when a component does not exist (what reads the path reports that better).
// Otherwise why not, naming the component that stops it, e.g.
// "/root is 0700 (root:root): user csirtgw cannot search it".
// A relative path is walked from the working directory, as the kernel does.
// An inode with a POSIX ACL is judged only by its owner bits when the user
// owns it; otherwise it is taken as reachable (the ACL decides, not checked
// here), so that the answer errs on the side of letting the daemon start.
std::optional<std::string> path_access_problem(const std::filesystem::path& path, const UserIdentity& user,
                                               int wanted);

}  // namespace csirtgw
