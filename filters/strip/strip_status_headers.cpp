// The strip stage: incoming X-Csirtgw-* headers removed (strip_status_headers.h).
#include "strip_status_headers.h"

#include "message_header.h"

namespace csirtgw {

FilterOutcome StripStatusHeaders::process(Report& report) {
  // Rewritten (copied) only when a forged field is there: most messages have
  // none and are not duplicated in memory.
  if (has_header_fields(report.message(), "X-Csirtgw-"))
    report.set_message(remove_header_fields(report.message(), "X-Csirtgw-"));
  return {};
}

}  // namespace csirtgw
