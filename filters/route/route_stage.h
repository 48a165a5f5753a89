// The route stage: the policy's routing rules name the queue a report is filed
// into. Only reads what the earlier stages decided; never the message.
#pragma once

#include "filter.h"
#include "policy.h"

namespace csirtgw {

// The routing rules: the first rule whose conditions all hold names the queue.
// A report the OpenPGP stage quarantined stays in quarantine.
class RouteStage final : public Filter {
 public:
  explicit RouteStage(const Policy& policy) : policy_(policy) {}
  std::string_view name() const override { return "route"; }
  FilterOutcome process(Report& report) override;

 private:
  const Policy& policy_;
};

}  // namespace csirtgw
