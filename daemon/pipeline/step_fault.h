// The boundary around each step of the filing worker: what a step that threw
// does to its message (quarantine with the step and the exception's class).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "report.h"

namespace csirtgw {

// The message goes to the quarantine with the step and the exception's class,
// audited; never the exception's text, which may quote the message.
void quarantine_for_fault(Report& report, const std::string& step, const std::string& exception,
                          const std::string& reason);

// The reason recorded for a step that threw.
std::string fault_in(const std::string& step);

// CSIRTGW_TEST_FAULT="abort|throw:STEP:MARKER[,...]" — for the fault tests
// only (tests/integration/test_stage_boundary.py): a message containing MARKER
// makes STEP (stages, tickets, acknowledgement, filing) abort the process or
// throw. Unset in production; read once, when the worker starts.
class TestFaults {
 public:
  static TestFaults from_environment();
  static TestFaults parse(std::string_view spec);
  // Aborts or throws when `report` carries the marker of a fault at `step`.
  void inject(std::string_view step, const Report& report) const;

 private:
  struct Fault {
    std::string action, step, marker;
  };
  std::vector<Fault> faults_;
};

}  // namespace csirtgw
