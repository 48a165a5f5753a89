// The stages after decryption as one list (content_stages.h says why).
#include "content_stages.h"

#include "classify_stage.h"
#include "route_stage.h"
#include "strip_status_headers.h"

namespace csirtgw {

void append_content_stages(FilterChain& chain, const Policy& policy, const FormSchema& form, const Config& config) {
  // After decryption, so forged X-Csirtgw-* headers inside the encrypted part go too.
  chain.push_back(std::make_unique<StripStatusHeaders>());
  chain.push_back(std::make_unique<ClassifyStage>(policy, form, config));
  chain.push_back(std::make_unique<RouteStage>(policy));
}

}  // namespace csirtgw
