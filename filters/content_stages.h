// The stages after decryption — strip forged status headers, classify, route —
// as one list, so that the daemon's chain (filter_chain.cpp) and the
// whole-chain fuzz target (tests/fuzz/fuzz_whole_chain.cpp) run the very same
// stages in the very same order: what is fuzzed is what files mail.
#pragma once

#include "config.h"
#include "filter.h"
#include "form_schema.h"
#include "policy.h"

namespace csirtgw {

// Appends the content stages to `chain`; the references must outlive it.
void append_content_stages(FilterChain& chain, const Policy& policy, const FormSchema& form, const Config& config);

}  // namespace csirtgw
