// The filing worker's acknowledgement steps: the plan, in arrival order after
// the ticket (ack_planner.h), and the composing, on a stage thread
// (ack_composer.h). A step that throws quarantines its report, which then gets
// no acknowledgement; the next report goes on.
#pragma once

#include <optional>
#include <string>

#include "ack_composer.h"
#include "ack_planner.h"
#include "report.h"
#include "step_fault.h"

namespace csirtgw {

// One report's acknowledgement, from the plan to what is audited.
struct AckOutcome {
  std::optional<std::string> suppressed;  // audited as ack-suppressed
  AckRequest request;
  std::optional<ComposedAck> composed;    // audited as ack-queued
  std::string failure;                    // audited as ack-failed
};

struct PlannedAck {
  std::optional<AckOutcome> ack;           // nullopt: the report was quarantined
  std::optional<std::string> deferred_by;  // the store failed: the report waits
};

// Whether and to whom. `opened_ticket`: false for a follow-up.
PlannedAck plan_ack(Report& report, AckPlanner& planner, bool opened_ticket, const TestFaults& faults);

// Signs (and encrypts) a planned, unsuppressed acknowledgement into `ack`.
// A temporary failure (gpg-agent gone) is returned as the deferral reason; any
// other is recorded in ack->failure, and the report is filed all the same.
std::optional<std::string> compose_ack(Report& report, std::optional<AckOutcome>& ack, AckComposer& composer);

}  // namespace csirtgw
