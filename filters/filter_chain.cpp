#include "filter_chain.h"

#include "classify_stage.h"
#include "openpgp_stage.h"
#include "route_stage.h"
#include "strip_status_headers.h"

namespace csirtgw {

FilterChain build_filter_chain(const PipelineContext& context, std::size_t index) {
  FilterChain chain;
  chain.push_back(std::make_unique<OpenPgpStage>(context.config, context.state_dir, context.shards, index));
  // After decryption, so forged X-Csirtgw-* headers inside the encrypted part go too.
  chain.push_back(std::make_unique<StripStatusHeaders>());
  chain.push_back(std::make_unique<ClassifyStage>(context.policy, context.form, context.config));
  chain.push_back(std::make_unique<RouteStage>(context.policy));
  return chain;
}

}  // namespace csirtgw
