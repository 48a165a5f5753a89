// Loading the configuration for a command: the file if given or found
// (config_file_to_use), else the embedded defaults; errors are printed as FILE:LINE: message.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config.h"

namespace csirtgw {

// The configuration file a command uses when none is named: $CSIRTGW_CONFIG,
// else the installed service's (/etc/csirtgw/csirtgw.conf) when it exists,
// else none (the embedded defaults) — so `csirtgw tickets` after installing
// the package reads the store the service writes.
std::optional<std::string> config_file_to_use(const std::optional<std::string>& given);
inline constexpr const char* kSystemConfigFile = "/etc/csirtgw/csirtgw.conf";

// Every error as "ORIGIN:LINE: message" ("ORIGIN: message" without a line).
std::vector<std::string> format_config_errors(const std::string& origin, const std::vector<ConfigError>& errors);
void print_config_errors(const std::string& origin, const std::vector<ConfigError>& errors);
// The file if given, else the embedded defaults; the errors are returned, not printed.
LoadedConfig load_config(const std::optional<std::string>& config_file);
// nullopt after printing the errors.
std::optional<Config> resolve_config(const std::optional<std::string>& config_file);

}  // namespace csirtgw
