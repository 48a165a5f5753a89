#include "config_resolution.h"

#include <cstdio>

namespace csirtgw {

void print_config_errors(const std::string& origin, const std::vector<ConfigError>& errors) {
  for (const auto& e : errors) {
    if (e.line > 0)
      std::fprintf(stderr, "%s:%d: %s\n", origin.c_str(), e.line, e.message.c_str());
    else
      std::fprintf(stderr, "%s: %s\n", origin.c_str(), e.message.c_str());
  }
}

std::optional<Config> resolve_config(const std::optional<std::string>& config_file) {
  if (!config_file) return default_config();
  auto loaded = load_config_file(*config_file);
  if (!loaded.errors.empty()) {
    print_config_errors(*config_file, loaded.errors);
    return std::nullopt;
  }
  return loaded.config;
}

}  // namespace csirtgw
