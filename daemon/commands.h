// The subcommands behind `csirtgw <command>`; each returns the process exit code.
#pragma once

#include <optional>
#include <string>

namespace csirtgw {

struct ServeOptions {
  std::optional<std::string> config_file;
  std::optional<std::string> state_dir;
  std::optional<std::string> lmtp;
  std::optional<std::string> smtp;
  std::optional<std::string> smarthost;
};

int run_serve(const ServeOptions& options);
int run_audit_verify(const std::optional<std::string>& config_file, const std::optional<std::string>& state_dir);
int run_check_config(const std::optional<std::string>& config_file);

}  // namespace csirtgw
