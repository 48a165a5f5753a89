#include "filter_chain.h"

#include "openpgp_stage.h"
#include "strip_status_headers.h"

namespace csirtgw {

FilterChain build_filter_chain(const Config& config, const std::filesystem::path& state_dir, AgentShards& shards,
                               std::size_t index) {
  FilterChain chain;
  chain.push_back(std::make_unique<OpenPgpStage>(config, state_dir, shards, index));
  // After decryption, so forged X-Csirtgw-* headers inside the encrypted part go too.
  chain.push_back(std::make_unique<StripStatusHeaders>());
  // Later stages (decrypt/verify, form, classify, route, acknowledge) join here.
  return chain;
}

}  // namespace csirtgw
