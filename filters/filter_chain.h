// Builds the pipeline from the configuration, once, at start-up: an explicit
// list, no static registration.
#pragma once

#include <filesystem>

#include "config.h"
#include "filter.h"

namespace csirtgw {

FilterChain build_filter_chain(const Config& config, const std::filesystem::path& state_dir);

}  // namespace csirtgw
