// What the parsers read out of a report: named fields (from the team's form,
// ARF or X-ARF), per-field errors for a malformed report, and indicators found
// in free text. Parsers are pure functions over text; they never throw and never
// reject a message — a malformed report is still filed, with its errors.
#pragma once

#include <string>
#include <vector>

namespace csirtgw {

struct FieldValue {
  std::string field;  // canonical field name from the schema (e.g. "affected-host.ip")
  std::string value;  // trimmed; multi-line values keep their line breaks (LF)
  int block = 0;      // repeated blocks (several hosts): 0, 1, 2 ... per group
};

struct FieldError {
  std::string field;    // canonical name, or the label as written when unknown
  std::string message;  // e.g. "not an IP address", "required field missing"
};

enum class IndicatorKind { ipv4, ipv6, cidr, domain, url, email, cve, md5, sha1, sha256, timestamp };

// Where an indicator was found: the reporter's own text (or structured report),
// a message the reporter forwarded as evidence, or an attachment's bytes (its
// hashes; attachments are never opened).
enum class IndicatorOrigin { report_text, forwarded_original, attachment };

struct Indicator {
  IndicatorKind kind;
  std::string value;    // canonical (refanged, lower-case where case does not matter)
  bool defanged = false;  // it was written defanged (hxxp://, example[.]com, 192.0.2[.]1)
  IndicatorOrigin origin = IndicatorOrigin::report_text;
};

const char* to_string(IndicatorKind kind);
const char* to_string(IndicatorOrigin origin);

struct ReportContent {
  std::string format;                // "team-form" | "arf" | "x-arf" | "xarf-v4" | "xarf-v3" | "free-text"
  std::vector<FieldValue> fields;
  std::vector<FieldError> errors;
  std::vector<Indicator> indicators;
  std::string category_hint;         // the form's incident type (canonical RSIT id when valid) / ARF Feedback-Type / X-ARF category
  // The host the report is about, from a structured report (XARF v4
  // source_identifier, X-ARF Source, ARF Source-IP): an address or a domain,
  // as written (trimmed); empty when the report names none.
  std::string reported_host;
  std::string reported_port;
  bool authenticated = false;        // decrypted, or covered by a verified whole-message signature
};

}  // namespace csirtgw
