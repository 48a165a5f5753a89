// Whether another user can reach a path (path_access.h).
#include "path_access.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>

namespace csirtgw {
namespace {

namespace fs = std::filesystem;

// Linux's own limit on symbolic links followed in one lookup (MAXSYMLINKS).
constexpr int kMaxLinks = 40;

std::string owner_name(uid_t uid) {
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> buffer(4096);
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found) return found->pw_name;
  return std::to_string(uid);
}

std::string group_name(gid_t gid) {
  group entry{};
  group* found = nullptr;
  std::vector<char> buffer(4096);
  if (::getgrgid_r(gid, &entry, buffer.data(), buffer.size(), &found) == 0 && found) return found->gr_name;
  return std::to_string(gid);
}

bool has_access_acl(const fs::path& path) {
  return ::getxattr(path.c_str(), "system.posix_acl_access", nullptr, 0) > 0;
}

// The PathAccess bits the mode grants `user`, the kernel's way: the owner
// class if it owns the inode, else the group class if it is in the group,
// else the others; the classes do not add up.
int granted(const struct stat& st, const fs::path& path, const UserIdentity& user) {
  if (user.uid == 0)  // root: all but executing a file nobody may execute
    return path_read | path_write | (S_ISDIR(st.st_mode) || (st.st_mode & 0111) ? path_search : 0);
  if (st.st_uid == user.uid) return static_cast<int>((st.st_mode >> 6) & 7);
  if (has_access_acl(path)) return path_read | path_write | path_search;  // see the header
  if (std::find(user.groups.begin(), user.groups.end(), st.st_gid) != user.groups.end())
    return static_cast<int>((st.st_mode >> 3) & 7);
  return static_cast<int>(st.st_mode & 7);
}

std::string refusal(const fs::path& path, const struct stat& st, const UserIdentity& user, int missing) {
  std::vector<std::string> verbs;
  if (missing & path_read) verbs.push_back("read");
  if (missing & path_write) verbs.push_back("write");
  if (missing & path_search) verbs.push_back(S_ISDIR(st.st_mode) ? "search" : "execute");
  std::string what;
  for (std::size_t i = 0; i < verbs.size(); ++i)
    what += (i == 0 ? "" : i + 1 == verbs.size() ? " or " : ", ") + verbs[i];
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  return path.string() + " is " + mode + " (" + owner_name(st.st_uid) + ":" + group_name(st.st_gid) + "): user " +
         user.name + " cannot " + what + " it";
}

std::optional<std::string> check(const fs::path& path, const struct stat& st, const UserIdentity& user,
                                 int wanted) {
  const int missing = wanted & ~granted(st, path, user);
  if (missing == 0) return std::nullopt;
  return refusal(path, st, user, missing);
}

std::string cannot_examine(const fs::path& path, int err) {
  return "cannot examine " + path.string() + ": " + std::strerror(err);
}

void push_front_components(std::deque<fs::path>& rest, const fs::path& path) {
  std::vector<fs::path> names;
  for (const auto& part : path.relative_path())
    if (!part.empty()) names.push_back(part);
  rest.insert(rest.begin(), names.begin(), names.end());
}

}  // namespace

Result<UserIdentity> user_identity(const std::string& name) {
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> buffer(16384);
  if (::getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || !found)
    return Error::bad_input("no such user " + name);
  UserIdentity user{found->pw_name, found->pw_uid, found->pw_gid, {}};
  int count = 32;
  for (;;) {
    user.groups.resize(static_cast<std::size_t>(count));
    const int wanted = count;
    if (::getgrouplist(found->pw_name, found->pw_gid, user.groups.data(), &count) >= 0) break;
    if (count <= wanted) count = wanted * 2;  // some implementations do not say how many
  }
  user.groups.resize(static_cast<std::size_t>(count));
  return user;
}

std::optional<std::string> path_access_problem(const fs::path& path, const UserIdentity& user, int wanted) {
  // `dir` never holds a symbolic link (each is replaced by its target as it
  // is met), so lexical normalisation of ".." is also the real parent.
  fs::path dir = path.is_absolute() ? fs::path("/") : fs::path(".");
  std::deque<fs::path> rest;
  push_front_components(rest, path);
  int links = 0;
  struct stat st {};
  while (!rest.empty()) {
    const fs::path name = rest.front();
    rest.pop_front();
    if (name == ".") continue;
    // Looking a name up in a directory needs search permission on it.
    if (::stat(dir.c_str(), &st) != 0) return cannot_examine(dir, errno);
    if (auto problem = check(dir, st, user, path_search)) return problem;
    const fs::path next = (dir / name).lexically_normal();
    if (::lstat(next.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
      return cannot_examine(next, errno);
    }
    if (!S_ISLNK(st.st_mode)) {
      dir = next;
      continue;
    }
    if (++links > kMaxLinks) return next.string() + ": too many symbolic links";
    std::error_code ec;
    const fs::path target = fs::read_symlink(next, ec);
    if (ec) return cannot_examine(next, ec.value());
    // The target is looked up from the link's directory, or from the root.
    if (target.is_absolute()) dir = "/";
    push_front_components(rest, target);
  }
  if (::stat(dir.c_str(), &st) != 0) return cannot_examine(dir, errno);
  return check(dir, st, user, wanted);
}

}  // namespace csirtgw
