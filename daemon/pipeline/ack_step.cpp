// The filing worker's acknowledgement steps: the plan, in arrival order after
// the ticket (ack_planner.h), and the composing, on a stage thread (ack_composer.h).
#include "filing_worker.h"

#include "exception_text.h"
#include "step_fault.h"

namespace csirtgw {

// The first step, in arrival order: whether and to whom (false: deferred,
// the message and those behind it wait).
bool FilingWorker::plan_ack(StagedReport& item, AckPlanner& planner) {
  Report& report = *item.report;
  try {
    inject_test_fault("acknowledgement", report);
    auto plan = planner.plan(report, item.opened_ticket);
    if (!plan) {
      item.deferred_by = "acknowledgement plan: " + plan.error().message;
      return false;
    }
    item.ack.emplace();
    item.ack->suppressed = std::move(plan->suppressed);
    item.ack->request = std::move(plan->request);
  } catch (...) {
    item.ack.reset();
    quarantine_for_fault(report, "acknowledgement", exception_class(std::current_exception()),
                         fault_in("acknowledgement plan"));
  }
  return true;
}

// The second step, on a stage thread: sign (and encrypt) the acknowledgement.
void FilingWorker::compose_ack(StagedReport& item, std::size_t slot) {
  if (!item.ack || item.ack->suppressed) return;
  Result<ComposedAck> composed = Error::internal("not composed");
  try {
    composed = composers_[slot].compose(item.ack->request);
  } catch (...) {
    item.ack.reset();
    quarantine_for_fault(*item.report, "acknowledgement", exception_class(std::current_exception()),
                         fault_in("acknowledgement"));
    return;
  }
  if (composed) {
    item.ack->composed = std::move(composed.value());
  } else if (composed.error().kind == ErrorClass::temporary) {
    item.deferred_by = "acknowledgement: " + composed.error().message;
  } else {
    // The team key cannot sign (say, it expired): the report is filed all the
    // same and the failure is audited for the operators.
    item.ack->failure = composed.error().message;
  }
}

}  // namespace csirtgw
