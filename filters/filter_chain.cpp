#include "filter_chain.h"

#include "content_stages.h"
#include "openpgp_stage.h"

namespace csirtgw {

FilterChain build_filter_chain(const PipelineContext& context, std::size_t index) {
  FilterChain chain;
  chain.push_back(std::make_unique<OpenPgpStage>(context.config, context.state_dir, context.shards, index));
  append_content_stages(chain, context.policy, context.form, context.config);
  return chain;
}

}  // namespace csirtgw
