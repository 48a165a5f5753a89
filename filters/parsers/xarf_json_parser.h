// XARF reports written as JSON: the published XARF v4 format ("xarf_version",
// "category", "type", "source_identifier", "reporter"/"sender", "evidence"[] and
// the per-category fields), the older layout some generators still send
// ({"Version": "4", "ReporterInfo", "Report": {"ReportClass", "ReportType"}})
// and XARF v3 in that same layout ("Version": "3", classes like "Network").
//
// A pure function over untrusted text: never throws (nlohmann-json does; that
// stops here), never rejects — a malformed report comes back with its errors.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "report_content.h"

namespace csirtgw {

// nullopt when `body` is not an XARF JSON document. Fields are "xarf." + the
// kebab-case key ("xarf.source-identifier", "xarf.reporter-org",
// "xarf.evidence-hash" ...; arrays one field per element, in blocks), evidence
// payloads are never taken (base64 the classifier must not read). category_hint
// is "<category>/<type>" (v4; "reputation/<type>/<threat_type>" when a
// reputation report names its threat) or "<ReportClass>/<ReportType>"; format
// "xarf-v4" or "xarf-v3"; reported_host/reported_port from source_identifier
// and source_port (Source/SourceIp in the older layout). A "tlp" or
// "confidentiality" member becomes the field "xarf.tlp".
std::optional<ReportContent> parse_xarf_json(std::string_view body);

// "SourceIp" → "source-ip", "ReporterOrgEmail" → "reporter-org-email",
// "source_identifier" → "source-identifier".
std::string kebab_case(std::string_view key);

}  // namespace csirtgw
