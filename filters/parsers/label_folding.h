// How names written by people compare: one folding for form labels and for the
// class names reports carry (X-ARF/XARF types, RSIT hints), so "Incident-Type",
// "incident_type", "Incident Type" and "IncidentType" are one label, and
// "Network/ddos", "network:DDoS" and "network.ddos" one class.
#pragma once

#include <string>
#include <string_view>

namespace csirtgw {

// Lower case; blanks, hyphens and underscores dropped.
std::string normalise_label(std::string_view label);
// normalise_label's folding, trimmed, with '.' dropped too and ':' read as '/'
// (a class path: "abuse:spam" is "abuse/spam").
std::string squashed_class_name(std::string_view name);

}  // namespace csirtgw
