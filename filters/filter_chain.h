// Builds the pipeline from the configuration, at start-up and again after a
// reload (one chain per stage thread, between batches): an explicit list, no
// static registration.
#pragma once

#include <filesystem>

#include "agent_shards.h"
#include "config.h"
#include "form_schema.h"
#include "policy.h"
#include "filter.h"

namespace csirtgw {

// What the stages share: one rules snapshot (daemon/pipeline/pipeline_rules.h), which
// outlives the chains built from it.
struct PipelineContext {
  const Config& config;
  std::filesystem::path state_dir;
  AgentShards& shards;
  const Policy& policy;
  const FormSchema& form;
};

// `index`: which pipeline thread the chain is for (it picks a gpg-agent shard).
FilterChain build_filter_chain(const PipelineContext& context, std::size_t index);

}  // namespace csirtgw
