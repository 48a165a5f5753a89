#include "filed_copy.h"

#include "message_header.h"
#include "status_headers.h"

namespace csirtgw {

// Every envelope part was validated at the intake (printable ASCII, no CR/LF),
// so none can start a new header.
std::string filed_head(const Report& report, const std::string& hostname, std::time_t received) {
  std::string out = "Return-Path: <" + report.sender + ">\n";
  for (const auto& r : report.recipients) out += "Delivered-To: " + r.address + "\n";
  out += "Received: from " + report.helo + " (" + report.peer + ")\n\tby " + hostname + " (csirtgw) with " +
         (report.protocol == "lmtp" ? "LMTP" : "ESMTP") + " id " + report.spool_id + ";\n\t" +
         rfc5322_date(received) + "\n";
  return out + render_status_headers(report);
}

}  // namespace csirtgw
