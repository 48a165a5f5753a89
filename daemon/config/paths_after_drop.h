// What `csirtgw serve` still opens by path after it dropped privileges to
// listen.user, and whether that user can reach it: the configuration file and
// the files it names (read again at every SIGHUP), and the state directory with
// the GnuPG home in it (given to the user by the drop; the directories above
// it are not). Serve refuses to start, and check-config reports, each one the
// user cannot reach, naming the directory or file in the way — rather than a
// daemon that fails later with a misleading "not found".
//
// The OpenPGP worker program is not in the list: serve opens it before the
// drop (keyring/openpgp_worker.h, pin_openpgp_worker_program()).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config.h"
#include "path_access.h"

namespace csirtgw {

struct NeededPath {
  std::string role;  // the setting that names it, e.g. "paths.policy"
  std::filesystem::path path;
  int access = 0;  // PathAccess bits
  // Only the directories above it must be searchable (it will be created, or
  // given to the user, before the drop).
  bool parents_only = false;
};

// `state_dir_is_users`: the state directory already belongs to the user (serve,
// after the drop's chown), so it and the GnuPG home are checked themselves;
// otherwise (check-config) only the directories above it.
std::vector<NeededPath> paths_needed_after_drop(const Config& config, const std::optional<std::string>& config_file,
                                                const std::filesystem::path& state_dir, bool state_dir_is_users);

// One line per path the user cannot reach: "ROLE PATH: why".
std::vector<std::string> unreachable_paths(const std::vector<NeededPath>& needed, const UserIdentity& user);

}  // namespace csirtgw
