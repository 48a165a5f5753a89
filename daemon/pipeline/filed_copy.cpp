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
  out += render_status_headers(report);
  // A message whose first line starts with white space has no header section
  // (RFC 5322 2.2.3: a field never starts so). Right below our fields that
  // line would read as a continuation of the last one ("X-Csirtgw-Priority:
  // 3" + " RED"): an empty line ends our header block first, and the message,
  // its own would-be headers included, is the body (as Postfix's cleanup
  // files content that does not start with a header).
  const std::string_view message = report.message();
  if (!message.empty() && (message.front() == ' ' || message.front() == '\t')) out += "\n";
  return out;
}

}  // namespace csirtgw
