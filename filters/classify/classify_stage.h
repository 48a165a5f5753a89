// Reads the report (team form, ARF, X-ARF, or free text with indicators) and
// classifies it under the team's policy: RSIT incident type, the RFC 2350
// disclosure categories present (each with what put it there), whether it
// concerns the constituency, its TLP 2.0 label and its priority (RFC 2350
// Appendix E 4.1 order by default). Only content the OpenPGP stage marked as
// decrypted or signed by a verified sender counts as authenticated; a TLP label
// from unauthenticated text may make the report stricter, never looser.
#pragma once

#include "filter.h"
#include "form_schema.h"
#include "mime_structure.h"
#include "policy.h"

namespace csirtgw {

class ClassifyStage final : public Filter {
 public:
  ClassifyStage(const Policy& policy, const FormSchema& form, const Config& config);
  std::string_view name() const override { return "classify"; }
  FilterOutcome process(Report& report) override;

 private:
  const Policy& policy_;
  const FormSchema& form_;
  MimeLimits mime_limits_;
};

}  // namespace csirtgw
