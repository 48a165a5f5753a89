// Builds the pipeline from the configuration, once, at start-up: an explicit
// list, no static registration.
#pragma once

#include <filesystem>

#include "agent_shards.h"
#include "config.h"
#include "filter.h"

namespace csirtgw {

// `index`: which pipeline thread the chain is for (it picks a gpg-agent shard).
FilterChain build_filter_chain(const Config& config, const std::filesystem::path& state_dir, AgentShards& shards,
                               std::size_t index);

}  // namespace csirtgw
