// The one interface every pipeline stage implements (decrypt/verify, form,
// classify, route, acknowledge ...). A stage looks at the Report, may change it,
// and says how to go on. Stages never throw: untrusted input is a result.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "report.h"

namespace csirtgw {

enum class FilterVerdict {
  proceed,  // go on to the next stage
  stop,     // the report is settled (e.g. quarantined): skip the remaining stages
  defer,    // temporary failure (gpg-agent gone, disk full): keep it spooled, retry later
};

struct FilterOutcome {
  FilterVerdict verdict = FilterVerdict::proceed;
  std::string reason;  // for the log and the audit event; never message contents
  // A deferral because the OpenPGP worker died (or hung) on this message: the
  // attempt counts toward openpgp.worker_failures like a death of the process.
  bool worker_died = false;
};

class Filter {
 public:
  virtual ~Filter() = default;
  virtual std::string_view name() const = 0;
  virtual FilterOutcome process(Report& report) = 0;
};

using FilterChain = std::vector<std::unique_ptr<Filter>>;

}  // namespace csirtgw
