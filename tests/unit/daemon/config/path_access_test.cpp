// Whether another user could reach a path (daemon/config/path_access.h) and the list
// of what serve opens after dropping privileges (daemon/config/paths_after_drop.h).
// Needs no root: the identities are made up and only the mode bits of a tree
// in a temp directory, owned by whoever runs the tests, are judged.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "path_access.h"
#include "paths_after_drop.h"
#include "temp_dir.h"

namespace csirtgw {
namespace {

namespace fs = std::filesystem;

// The owner of everything the tests create, a member of its group, and a
// stranger. Root is judged as root (everything but executing), so as root the
// tree is given to a made-up owner first (give_tree).
uid_t tree_uid() { return ::geteuid() == 0 ? 54321 : ::geteuid(); }
gid_t tree_gid() { return ::geteuid() == 0 ? 54321 : ::getegid(); }
UserIdentity owner() { return {"owner", tree_uid(), tree_gid(), {tree_gid()}}; }
UserIdentity member() { return {"member", tree_uid() + 1001, tree_gid() + 1001, {tree_gid() + 1001, tree_gid()}}; }
UserIdentity stranger() { return {"stranger", tree_uid() + 1002, tree_gid() + 1002, {tree_gid() + 1002}}; }

void give_tree(const fs::path& root) {
  if (::geteuid() != 0) return;
  REQUIRE(::lchown(root.c_str(), tree_uid(), tree_gid()) == 0);
  for (const auto& entry : fs::recursive_directory_iterator(root))
    REQUIRE(::lchown(entry.path().c_str(), tree_uid(), tree_gid()) == 0);
}

void make_dir(const fs::path& dir, mode_t mode) {
  fs::create_directories(dir);
  REQUIRE(::chmod(dir.c_str(), mode) == 0);
}

void make_file(const fs::path& file, mode_t mode) {
  std::ofstream(file) << "x\n";
  REQUIRE(::chmod(file.c_str(), mode) == 0);
}

}  // namespace

TEST_CASE("path_access_problem: search on every directory, then the access wanted on the object") {
  testing::TempDir tmp("csirtgw-access");
  REQUIRE(::chmod(tmp.path().c_str(), 0755) == 0);
  const fs::path base = tmp.path();
  make_dir(base / "open", 0755);
  make_file(base / "open/public.toml", 0644);
  make_file(base / "open/secret.toml", 0600);
  make_file(base / "open/group.toml", 0640);
  make_file(base / "open/owner-denied.toml", 0077);  // the owner class decides, not the others
  make_dir(base / "closed", 0700);
  make_file(base / "closed/public.toml", 0644);
  make_dir(base / "team", 0750);
  make_file(base / "team/public.toml", 0644);
  make_dir(base / "listonly", 0744);  // readable, not searchable
  make_file(base / "listonly/public.toml", 0644);
  fs::create_symlink(base / "closed/public.toml", base / "open/link-into-closed.toml");
  fs::create_symlink("public.toml", base / "open/relative-link.toml");
  fs::create_symlink("../closed", base / "open/closed-dir");
  fs::create_symlink(base / "open/loop", base / "open/loop");
  give_tree(base);

  struct Case {
    const char* path;
    UserIdentity user;
    int wanted;
    const char* problem;  // nullptr: reachable; else a part of the message
  };
  const Case cases[] = {
      {"open/public.toml", stranger(), path_read, nullptr},
      {"open/secret.toml", stranger(), path_read, "/open/secret.toml is 0600 ("},
      {"open/secret.toml", stranger(), path_read, "): user stranger cannot read it"},
      {"open/secret.toml", owner(), path_read | path_write, nullptr},
      {"open/public.toml", stranger(), path_read | path_write, "cannot write it"},
      {"open/group.toml", member(), path_read, nullptr},
      {"open/group.toml", stranger(), path_read, "user stranger cannot read it"},
      {"open/owner-denied.toml", owner(), path_read, "is 0077"},
      {"closed/public.toml", stranger(), path_read, "/closed is 0700 ("},
      {"closed/public.toml", stranger(), path_read, "user stranger cannot search it"},
      {"closed/public.toml", owner(), path_read, nullptr},
      {"team/public.toml", member(), path_read, nullptr},
      {"team/public.toml", stranger(), path_read, "/team is 0750"},
      {"listonly/public.toml", stranger(), path_read, "/listonly is 0744"},
      {"closed", stranger(), path_search, "/closed is 0700"},
      {"open", stranger(), path_read | path_write | path_search, "cannot write it"},
      // A symbolic link is followed: the directories above its target count.
      {"open/link-into-closed.toml", stranger(), path_read, "/closed is 0700"},
      {"open/relative-link.toml", stranger(), path_read, nullptr},
      {"open/closed-dir/public.toml", stranger(), path_read, "/closed is 0700"},
      {"open/loop", stranger(), path_read, "too many symbolic links"},
      // ".." is the parent of what was reached, not of the link's name.
      {"open/../closed/public.toml", stranger(), path_read, "/closed is 0700"},
      {"closed/../open/public.toml", stranger(), path_read, "/closed is 0700"},
      // What does not exist is for whoever reads it to report.
      {"open/missing/file.toml", stranger(), path_read, nullptr},
  };
  for (const auto& c : cases) {
    CAPTURE(std::string(c.path));
    CAPTURE(c.user.name);
    const auto problem = path_access_problem(base / c.path, c.user, c.wanted);
    if (!c.problem) {
      CHECK_MESSAGE(!problem, problem.value_or(""));
    } else {
      REQUIRE(problem);
      CHECK_MESSAGE(problem->find(c.problem) != std::string::npos, *problem);
    }
  }
}

TEST_CASE("path_access_problem: a relative path is walked from the working directory") {
  testing::TempDir tmp("csirtgw-access-rel");
  REQUIRE(::chmod(tmp.path().c_str(), 0700) == 0);  // above the working directory: does not count
  make_dir(tmp.path() / "cwd", 0755);
  make_file(tmp.path() / "cwd/public.toml", 0644);
  give_tree(tmp.path());
  const fs::path before = fs::current_path();
  fs::current_path(tmp.path() / "cwd");
  const auto relative = path_access_problem("public.toml", stranger(), path_read);
  const auto absolute = path_access_problem(tmp.path() / "cwd/public.toml", stranger(), path_read);
  fs::current_path(before);
  CHECK_MESSAGE(!relative, relative.value_or(""));
  REQUIRE(absolute);
  CHECK(absolute->find(" is 0700 (") != std::string::npos);
}

TEST_CASE("user_identity: a user and its groups, or no such user") {
  auto root = user_identity("root");
  REQUIRE(root.ok());
  CHECK(root->uid == 0);
  CHECK(std::find(root->groups.begin(), root->groups.end(), root->gid) != root->groups.end());
  auto missing = user_identity("no-such-user-csirtgw-test");
  REQUIRE(!missing.ok());
  CHECK(missing.error().message == "no such user no-such-user-csirtgw-test");
}

TEST_CASE("paths_needed_after_drop: the files a reload reads and the state directory, each problem named") {
  testing::TempDir tmp("csirtgw-drop");
  REQUIRE(::chmod(tmp.path().c_str(), 0755) == 0);
  make_dir(tmp.path() / "closed", 0700);
  make_dir(tmp.path() / "open", 0755);
  make_file(tmp.path() / "open/policy.toml", 0644);
  make_file(tmp.path() / "open/csirtgw.toml", 0600);
  make_file(tmp.path() / "closed/form.toml", 0644);
  give_tree(tmp.path());

  Config config = default_config();
  config.policy_file = (tmp.path() / "open/policy.toml").string();
  config.form_file = (tmp.path() / "closed/form.toml").string();
  config.intakes.push_back({"cert", "cert@csirt.example", (tmp.path() / "closed/ack.txt").string()});
  const std::string config_file = (tmp.path() / "open/csirtgw.toml").string();

  SUBCASE("check-config: the directories above the state directory") {
    const auto problems = unreachable_paths(
        paths_needed_after_drop(config, config_file, tmp.path() / "closed/state/", false), stranger());
    REQUIRE(problems.size() == 4);
    CHECK(problems[0].starts_with("configuration file " + config_file + ": "));
    CHECK(problems[0].find("cannot read it") != std::string::npos);
    CHECK(problems[1].starts_with("paths.form "));
    CHECK(problems[2].starts_with("intake cert ack_template "));
    CHECK(problems[3].starts_with("paths.state_dir " + (tmp.path() / "closed/state").string() + ": " +
                                  (tmp.path() / "closed").string() + " is 0700 ("));
    CHECK(problems[3].ends_with("): user stranger cannot search it"));
  }
  SUBCASE("serve, after the state directory was given to the user") {
    make_dir(tmp.path() / "open/state/gnupg", 0700);
    give_tree(tmp.path());
    config.form_file.clear();
    config.intakes.clear();
    const auto needed = paths_needed_after_drop(config, std::nullopt, tmp.path() / "open/state", true);
    CHECK(unreachable_paths(needed, owner()).empty());
    const auto problems = unreachable_paths(needed, stranger());
    REQUIRE(problems.size() == 2);
    CHECK(problems[0].starts_with("paths.state_dir "));
    CHECK(problems[1].starts_with("GnuPG home "));
  }
}

}  // namespace csirtgw
