// Helpers the structured-report parsers (ARF, X-ARF, XARF JSON) share: a capped
// field sink, field look-ups, the checks by field name, and the bounds run on a
// JSON or YAML text before a recursive library sees it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "mime_structure.h"
#include "report_content.h"

namespace csirtgw {

inline constexpr std::size_t max_report_nesting = 64;          // brackets in a YAML or JSON report
inline constexpr std::size_t max_report_fields = 5000;         // fields taken from one report
inline constexpr std::size_t max_report_value_bytes = 64 * 1024;  // a rendered structured value

// Fields with a cap: a report with more fields than anyone writes gets one error.
class FieldSink {
 public:
  FieldSink(ReportContent& content, std::string error_field)
      : content_(content), error_field_(std::move(error_field)) {}
  void add(std::string field, std::string value, int block = 0);

 private:
  ReportContent& content_;
  std::string error_field_;
  bool capped_ = false;
};

std::vector<const FieldValue*> values_of(const ReportContent& content, std::string_view field);
const FieldValue* first_value(const ReportContent& content, std::string_view field);
bool has_value(const ReportContent& content, std::string_view field);
// A "required field missing" error when `field` has no non-blank value.
void require(ReportContent& content, std::string_view field);

bool is_port(std::string_view v);
bool is_positive_integer(std::string_view v);

// Deepest bracket nesting in a JSON or flow-style YAML text, skipping quoted
// strings. Both libraries recurse per level; this runs first.
std::size_t bracket_depth(std::string_view text);

// Address, port and date checks on the "xarf." fields, one error per field.
void validate_xarf_fields(ReportContent& content);

// The part's body with its transfer encoding undone.
std::string decoded_body(std::string_view message, const MimeEntity& entity);
// The part's file name as written: Content-Type name=, else Content-Disposition filename=.
std::string part_filename(std::string_view message, const MimeEntity& entity);

}  // namespace csirtgw
