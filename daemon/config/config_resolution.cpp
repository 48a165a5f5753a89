// Which configuration a command uses, and its policy and form files (config_resolution.h).
#include "config_resolution.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace csirtgw {

std::vector<std::string> format_config_errors(const std::string& origin, const std::vector<ConfigError>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors)
    out.push_back(e.line > 0 ? origin + ":" + std::to_string(e.line) + ": " + e.message : origin + ": " + e.message);
  return out;
}

void print_config_errors(const std::string& origin, const std::vector<ConfigError>& errors) {
  for (const auto& line : format_config_errors(origin, errors)) std::fprintf(stderr, "%s\n", line.c_str());
}

std::optional<std::string> config_file_to_use(const std::optional<std::string>& given) {
  if (given) return given;
  if (const char* named = std::getenv("CSIRTGW_CONFIG"); named && *named) return std::string(named);
  std::error_code ec;
  if (std::filesystem::exists(kSystemConfigFile, ec)) return std::string(kSystemConfigFile);
  return std::nullopt;
}

LoadedConfig load_config(const std::optional<std::string>& given) {
  const auto config_file = config_file_to_use(given);
  if (!config_file) return {default_config(), {}};
  return load_config_file(*config_file);
}

std::optional<Config> resolve_config(const std::optional<std::string>& given) {
  const auto config_file = config_file_to_use(given);
  auto loaded = load_config(config_file);
  if (!loaded.errors.empty()) {
    print_config_errors(*config_file, loaded.errors);
    return std::nullopt;
  }
  return loaded.config;
}

}  // namespace csirtgw
