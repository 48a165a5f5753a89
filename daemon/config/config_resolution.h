// Loading the configuration for a command: the file if given, else the embedded
// defaults; errors are printed as FILE:LINE: message.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config.h"

namespace csirtgw {

// Every error as "ORIGIN:LINE: message" ("ORIGIN: message" without a line).
std::vector<std::string> format_config_errors(const std::string& origin, const std::vector<ConfigError>& errors);
void print_config_errors(const std::string& origin, const std::vector<ConfigError>& errors);
// The file if given, else the embedded defaults; the errors are returned, not printed.
LoadedConfig load_config(const std::optional<std::string>& config_file);
// nullopt after printing the errors.
std::optional<Config> resolve_config(const std::optional<std::string>& config_file);

}  // namespace csirtgw
