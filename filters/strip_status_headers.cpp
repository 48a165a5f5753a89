#include "strip_status_headers.h"

#include "message_header.h"

namespace csirtgw {

FilterOutcome StripStatusHeaders::process(Report& report) {
  report.message = remove_header_fields(report.message, "X-Csirtgw-");
  return {};
}

}  // namespace csirtgw
