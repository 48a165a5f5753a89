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

struct KeysOptions {
  std::optional<std::string> config_file;
  std::optional<std::string> state_dir;
};
int run_keys_import(const KeysOptions& options, const std::string& file, bool secret,
                    const std::optional<std::string>& email, const std::string& organisation);
int run_keys_list(const KeysOptions& options, bool json);
int run_keys_remove(const KeysOptions& options, const std::string& fingerprint);
int run_keys_export_team(const KeysOptions& options);
int run_audit_verify(const std::optional<std::string>& config_file, const std::optional<std::string>& state_dir);
int run_check_config(const std::optional<std::string>& config_file);

}  // namespace csirtgw
