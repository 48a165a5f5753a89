// Whose incident a report is: the constituency is decided by the affected
// side only — the form's affected-host fields, ARF Source-IP and
// Reported-Domain, the X-ARF/XARF reported source — then by the reporter's
// verified address, and only then, saying so, by the indicators in the free
// text. Attack-side fields (the form's intruder fields) never decide it, in
// the fields or in the text. Separately, whether the reporter is one of our own
// users: a constituent's report is an incident for the team even when what it
// points at is outside (a phishing mail, a threat).
#pragma once

#include <string>
#include <string_view>

#include "form_schema.h"
#include "policy.h"
#include "report.h"

namespace csirtgw {

// Where the constituency decision came from (the audit note records this, never the values).
enum class ConstituencySource { affected_field, verified_reporter, free_text, nothing_named };
const char* to_string(ConstituencySource source);

struct ReporterStanding {
  bool constituent = false;
  bool verified = false;  // the address is bound to the key of a good signature
  std::string because;    // e.g. "From domain example.edu is in the constituency"
};

// From the message's single From address (the verified one when the OpenPGP
// stage verified the sender). Several or malformed From addresses: no standing.
ReporterStanding reporter_standing(std::string_view message, const CryptoStatus& crypto, const Policy& policy);

// Sets c.constituency, c.constituency_because and returns where it came from.
ConstituencySource decide_constituency(Classification& c, const ReportContent& content, const FormSchema& form,
                                       const ReporterStanding& reporter, const Policy& policy);

// "https://host:8080/x" -> "host", "[2001:db8::1]:443" -> "2001:db8::1", "192.0.2.0/24" -> "192.0.2.0".
std::string host_part(std::string_view value);

}  // namespace csirtgw
