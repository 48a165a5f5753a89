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

struct Indicator {
  IndicatorKind kind;
  std::string value;    // canonical (refanged, lower-case where case does not matter)
  bool defanged = false;  // it was written defanged (hxxp://, example[.]com, 192.0.2[.]1)
};

const char* to_string(IndicatorKind kind);

struct ReportContent {
  std::string format;                // "team-form" | "arf" | "x-arf" | "xarf-v4" | "free-text"
  std::vector<FieldValue> fields;
  std::vector<FieldError> errors;
  std::vector<Indicator> indicators;
  std::string category_hint;         // the form's incident type (canonical RSIT id when valid) / ARF Feedback-Type / X-ARF category
  bool authenticated = false;        // decrypted, or covered by a verified whole-message signature
};

}  // namespace csirtgw
