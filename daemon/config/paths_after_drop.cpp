// The paths `serve` opens after the privilege drop, checked for that user (paths_after_drop.h).
#include "paths_after_drop.h"

#include <algorithm>

namespace csirtgw {

std::vector<NeededPath> paths_needed_after_drop(const Config& config, const std::optional<std::string>& config_file,
                                                const std::filesystem::path& state_dir, bool state_dir_is_users) {
  std::vector<NeededPath> needed;
  auto file = [&needed](const std::string& role, const std::string& path) {
    if (!path.empty()) needed.push_back({role, path, path_read});
  };
  if (config_file) file("configuration file", *config_file);  // SIGHUP reads it again
  file("paths.policy", config.policy_file);
  file("paths.form", config.form_file);
  file("ack.template", config.ack_template);
  for (const auto& intake : config.intakes) file("intake " + intake.name + " ack_template", intake.ack_template);

  auto absolute = std::filesystem::absolute(state_dir).lexically_normal();
  if (!absolute.has_filename() && absolute.has_relative_path()) absolute = absolute.parent_path();  // "var/"
  needed.push_back({"paths.state_dir", absolute, path_search, /*parents_only=*/true});
  if (state_dir_is_users) {
    needed.push_back({"paths.state_dir", absolute, path_read | path_write | path_search});
    std::error_code ec;
    if (std::filesystem::exists(absolute / "gnupg", ec))
      needed.push_back({"GnuPG home", absolute / "gnupg", path_read | path_write | path_search});
  }
  return needed;
}

std::vector<std::string> unreachable_paths(const std::vector<NeededPath>& needed, const UserIdentity& user) {
  std::vector<std::string> problems;
  for (const auto& item : needed)
    if (auto problem = item.parents_only ? path_access_problem(item.path.parent_path(), user, path_search)
                                         : path_access_problem(item.path, user, item.access))
    {
      std::string line = item.role + " " + item.path.string() + ": " + *problem;
      // The state directory is checked twice in serve (the way to it, then
      // itself): the same directory in the way is said once.
      if (std::find(problems.begin(), problems.end(), line) == problems.end()) problems.push_back(std::move(line));
    }
  return problems;
}

}  // namespace csirtgw
