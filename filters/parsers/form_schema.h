// The team's reporting form as data: groups and fields read from a TOML schema
// (schemas/reporting-form.toml documents the format), and the blank plain-text
// form `csirtgw form` prints for reporters. Loading never throws: every problem
// comes back in one Error, one "line N: ..." per problem. A schema is validated
// once and then immutable; the parser (team_form_parser.h) relies on its checks
// (unique labels, known groups, enum values present).
#pragma once

#include "label_folding.h"  // normalise_label: how labels compare

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"

namespace csirtgw {

enum class FieldType { text, email, phone, ip, host, datetime, enumeration, list };

// Schema spelling: "text", "email", ..., "enum", "list".
const char* to_string(FieldType type);
std::optional<FieldType> field_type_from_string(std::string_view id);

// RFC 2350 Appendix E: who may see what a field holds.
enum class DisclosureCategory {
  private_user,
  intruder,
  private_site,
  vulnerability,
  embarrassing,
  statistical,
  contact_information,
};

// Schema spelling: "private-user", ..., "contact-information".
const char* to_string(DisclosureCategory category);
std::optional<DisclosureCategory> disclosure_from_string(std::string_view id);

struct FormField {
  std::string name;                  // canonical, "<group>.<key>", e.g. "affected-host.ip"
  std::string group;                 // FormGroup::id
  std::string label;                 // printed on the blank form
  std::vector<std::string> aliases;  // other labels the parser accepts
  FieldType type = FieldType::text;
  std::vector<std::string> values;   // enum only
  bool required = false;
  bool multiline = false;            // text and list only
  bool multi = false;                // several values (ip, host: default true; email)
  DisclosureCategory disclosure = DisclosureCategory::private_site;
  std::string help;                  // printed as a '#' line above the field
  int line = 0;                      // where the [[field]] starts in the schema
};

struct FormGroup {
  std::string id;
  std::string label;
  bool repeatable = false;
  int line = 0;
};

struct FormSchema {
  std::string name;
  std::string version;
  std::string intro;
  std::string category_field;  // field whose value becomes ReportContent::category_hint; may be empty
  std::vector<FormGroup> groups;  // in form order
  std::vector<FormField> fields;  // in schema order; rendered grouped, in this order within a group

  const FormGroup* find_group(std::string_view id) const;
  const FormField* find_field(std::string_view name) const;
};


Result<FormSchema> parse_form_schema(std::string_view toml_text);
Result<FormSchema> load_form_schema(const std::filesystem::path& file);

// The blank form: '#' comment lines (title, intro, how to fill in, section
// headings, per-field hints, the allowed values of enum fields) and one
// "Label:" line per field. Repeatable groups are printed `blocks_per_group`
// times (at least once), followed by a note on how to add more.
std::string render_blank_form(const FormSchema& schema, int blocks_per_group = 2);

}  // namespace csirtgw
