// The filing worker's acknowledgement steps (ack_step.h).
#include "ack_step.h"

#include "exception_text.h"

namespace csirtgw {

PlannedAck plan_ack(Report& report, AckPlanner& planner, bool opened_ticket, const TestFaults& faults) {
  PlannedAck planned;
  try {
    faults.inject("acknowledgement", report);
    auto plan = planner.plan(report, opened_ticket);
    if (!plan) {
      planned.deferred_by = "acknowledgement plan: " + plan.error().message;
      return planned;
    }
    planned.ack.emplace();
    planned.ack->suppressed = std::move(plan->suppressed);
    planned.ack->request = std::move(plan->request);
  } catch (...) {
    planned.ack.reset();
    quarantine_for_fault(report, "acknowledgement", exception_class(std::current_exception()),
                         fault_in("acknowledgement plan"));
  }
  return planned;
}

std::optional<std::string> compose_ack(Report& report, std::optional<AckOutcome>& ack, AckComposer& composer) {
  if (!ack || ack->suppressed) return std::nullopt;
  Result<ComposedAck> composed = Error::internal("not composed");
  try {
    composed = composer.compose(ack->request);
  } catch (...) {
    ack.reset();
    quarantine_for_fault(report, "acknowledgement", exception_class(std::current_exception()),
                         fault_in("acknowledgement"));
    return std::nullopt;
  }
  if (composed) {
    ack->composed = std::move(composed.value());
  } else if (composed.error().kind == ErrorClass::temporary) {
    return "acknowledgement: " + composed.error().message;
  } else {
    // The team key cannot sign (say, it expired): audited for the operators.
    ack->failure = composed.error().message;
  }
  return std::nullopt;
}

}  // namespace csirtgw
