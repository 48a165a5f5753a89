#include "filter_chain.h"

#include "strip_status_headers.h"

namespace csirtgw {

FilterChain build_filter_chain(const Config& /*config*/) {
  FilterChain chain;
  chain.push_back(std::make_unique<StripStatusHeaders>());
  // Later stages (decrypt/verify, form, classify, route, acknowledge) join here.
  return chain;
}

}  // namespace csirtgw
