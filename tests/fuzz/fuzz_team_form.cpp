// parse_team_form (filters/parsers/team_form_parser.h) with the embedded default
// reporting form (schemas/reporting-form.toml via embedded_schemas.cpp) over
// arbitrary decoded text/plain bodies.
//
// Checked: the documented contract — never throws; the format is "team-form"
// or empty, and an empty format has no fields, errors or hint; values hold no
// CR; every recorded field is one of the schema's; blocks are non-negative.
#include <string_view>

#include "embedded_schemas.h"
#include "form_schema.h"
#include "fuzz_common.h"
#include "team_form_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace csirtgw;
  static const FormSchema schema = [] {
    auto parsed = parse_form_schema(default_form_schema_text());
    FUZZ_CHECK(parsed.ok(), "the embedded reporting form does not parse");
    return parsed.value();
  }();

  const ReportContent content = parse_team_form(fuzz::as_text(data, size), schema);
  if (content.format.empty()) {
    FUZZ_CHECK(content.fields.empty() && content.errors.empty(), "not a form, yet fields or errors");
    return 0;
  }
  FUZZ_CHECK(content.format == "team-form", "unexpected format");
  for (const auto& f : content.fields) {
    FUZZ_CHECK(f.value.find('\r') == std::string::npos, "a value holds a CR");
    FUZZ_CHECK(schema.find_field(f.field) != nullptr, "a field that is not in the schema");
    FUZZ_CHECK(f.block >= 0, "negative block");
  }
  return 0;
}
