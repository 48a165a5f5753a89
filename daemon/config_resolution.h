// Loading the configuration for a command: the file if given, else the embedded
// defaults; errors are printed as FILE:LINE: message.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config.h"

namespace csirtgw {

void print_config_errors(const std::string& origin, const std::vector<ConfigError>& errors);
// nullopt after printing the errors.
std::optional<Config> resolve_config(const std::optional<std::string>& config_file);

}  // namespace csirtgw
