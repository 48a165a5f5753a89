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

// A follow-up filed with its ticket: it goes into the ticket's queue, and its
// `routed` audit note names that queue (and the one the rules chose), so the
// audit log and the filed copy agree.
void route_with_ticket(Report& report, const std::string& ticket_queue);

}  // namespace csirtgw
