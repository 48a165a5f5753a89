// The boundary around each step of the filing worker: what a step that threw
// does to its message (quarantine with the step and the exception's class).
#pragma once

#include <string>

#include "report.h"

namespace csirtgw {

// The message goes to the quarantine with the step and the exception's class,
// audited; never the exception's text, which may quote the message.
void quarantine_for_fault(Report& report, const std::string& step, const std::string& exception,
                          const std::string& reason);

// The reason recorded for a step that threw.
std::string fault_in(const std::string& step);

}  // namespace csirtgw
