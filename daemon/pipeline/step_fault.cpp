// The boundary's answer to a fault in one of the filing worker's steps.
#include "step_fault.h"

#include <cstdlib>
#include <stdexcept>

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

TestFaults TestFaults::from_environment() {
  const char* spec = std::getenv("CSIRTGW_TEST_FAULT");
  return parse(spec ? spec : "");
}

TestFaults TestFaults::parse(std::string_view spec) {
  TestFaults parsed;
  while (!spec.empty()) {
    const auto comma = spec.find(',');
    const std::string one(spec.substr(0, comma));
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    const auto first = one.find(':'), second = one.find(':', first + 1);
    if (first != std::string::npos && second != std::string::npos)
      parsed.faults_.push_back({one.substr(0, first), one.substr(first + 1, second - first - 1), one.substr(second + 1)});
  }
  return parsed;
}

void TestFaults::inject(std::string_view step, const Report& report) const {
  for (const auto& fault : faults_) {
    if (fault.step != step || report.raw_message.find(fault.marker) == std::string::npos) continue;
    if (fault.action == "abort") std::abort();
    throw std::logic_error("injected test fault");
  }
}

}  // namespace csirtgw
