// Machine-readable abuse reports: ARF (RFC 5965 feedback reports, with the RFC
// 6591 auth-failure fields), legacy X-ARF (a YAML part, "X-XARF: PLAIN" /
// "X-ARF: YES") and XARF v4 (a JSON document). Each parser reads the MIME tree
// that scan_mime already produced over the raw message and returns the fields,
// per-field errors and the indicators found in the report's text.
//
// Pure functions over untrusted text: no I/O, never throw (the YAML and JSON
// libraries do; that stops here), never reject — a malformed report comes back
// with its errors. nullopt means "not this format at all".
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "mime_structure.h"
#include "report_content.h"

namespace csirtgw {

// Largest YAML or JSON report body handed to a parser library.
inline constexpr std::size_t max_structured_report_bytes = 1 << 20;

// RFC 5965: `root` is multipart/report; report-type=feedback-report. Fields are
// "arf." + the lower-case field name ("arf.feedback-type", "arf.source-ip",
// "arf.original-rcpt-to" ...; repeated fields get block 0, 1, 2 ...), plus
// "arf.original-from", "arf.original-subject", "arf.original-message-id" and
// "arf.original-date" from the original message's headers. category_hint is the
// Feedback-Type as written; format "arf"; reported_host the Source-IP.
std::optional<ReportContent> parse_arf(std::string_view message, const MimeEntity& root);

// XARF as JSON (xarf_json_parser.h: the published v4 format, the older
// "Version"/"Report" layout, v3) when a part — application/json, a *.json
// attachment, or a text part such as a JSON body or the legacy layout's
// report.txt — holds such a document. Otherwise legacy X-ARF when the top-level
// header says X-XARF: PLAIN or X-ARF: YES: the YAML part's keys lower-cased
// ("xarf.category", "xarf.report-type", "xarf.source" ...), category_hint the
// Report-Type (or Category), format "x-arf". The reported host, when it is an
// address or domain, is the first indicator.
std::optional<ReportContent> parse_xarf(std::string_view message, const MimeEntity& root);

}  // namespace csirtgw
