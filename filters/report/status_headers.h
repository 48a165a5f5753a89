// The X-Csirtgw-* headers csirtgw writes on every filed message (the contract
// that triage tools and acceptance tests read). Values come only from the
// Report's own fields — fixed words and hex fingerprints — never free text from
// the message; the classification evidence (X-Csirtgw-Constituency-Because,
// X-Csirtgw-Reporter) names at most a checked IP address or plain host name,
// and every value passes sanitize_untrusted once more.
#pragma once

#include <string>

#include "report.h"

namespace csirtgw {

// LF-terminated header lines, to be placed above the filed message.
std::string render_status_headers(const Report& report);

}  // namespace csirtgw
