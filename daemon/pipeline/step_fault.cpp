// The boundary's answer to a fault in one of the filing worker's steps.
#include "step_fault.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "json_text.h"

namespace csirtgw {

void quarantine_for_fault(Report& report, const std::string& step, const std::string& exception,
                          const std::string& reason) {
  report.fault = StageFault{step, exception, reason};
  report.queue = "quarantine";
  nlohmann::json detail = {{"stage", step}, {"reason", reason}};
  if (!exception.empty()) detail["exception"] = exception;
  report.audit_notes.push_back({"quarantined", json_text(detail)});
  spdlog::get("worker")->error("{}: quarantined: {} failed{}{}", report.spool_id, step,
                               exception.empty() ? "" : " with ", exception);
}

std::string fault_in(const std::string& step) { return "the " + step + " step failed with an exception"; }

}  // namespace csirtgw
