// The reporting-form schema (filters/parsers/form_schema.cpp): the default schema in
// schemas/reporting-form.toml loads and says what RFC 2350 may disclose of each
// field; a broken schema is refused with the line of every problem; the blank
// form prints every field once per block.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "form_schema.h"

namespace csirtgw {

namespace {

const FormSchema& default_schema() {
  static const FormSchema schema = [] {
    auto loaded = load_form_schema(CSIRTGW_SOURCE_DIR "/schemas/reporting-form.toml");
    REQUIRE_MESSAGE(loaded.ok(), loaded.error().message);
    return loaded.value();
  }();
  return schema;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A minimal valid schema with `extra` appended (more groups and fields).
std::string schema_with(const std::string& extra) {
  return "[form]\n"                                     // 1
         "name = \"Test form\"\n"                       // 2
         "version = 1\n"                                // 3
         "\n"                                           // 4
         "[[group]]\n"                                  // 5
         "id = \"g\"\n"                                 // 6
         "label = \"Group\"\n"                          // 7
         "\n"                                           // 8
         "[[field]]\n"                                  // 9
         "name = \"g.a\"\n"                             // 10
         "group = \"g\"\n"                              // 11
         "label = \"Field A\"\n"                        // 12
         "aliases = [\"A\"]\n"                          // 13
         "type = \"text\"\n"                            // 14
         "disclosure = \"statistical\"\n"               // 15
         "\n" +                                         // 16
         extra;                                         // 17 ...
}

std::string field_with(const std::string& body) { return "[[field]]\n" + body; }  // [[field]] on line 17

}  // namespace

TEST_CASE("form schema: the default schema loads") {
  const auto& schema = default_schema();
  CHECK(!schema.name.empty());
  CHECK(schema.version == "1");
  CHECK(schema.category_field == "incident.type");

  struct GroupRow {
    std::string id;
    bool repeatable;
  };
  const std::vector<GroupRow> groups = {
      {"reporter", false}, {"affected-host", true}, {"attack-source", true}, {"incident", false}};
  REQUIRE(schema.groups.size() == groups.size());
  for (std::size_t i = 0; i < groups.size(); ++i) {
    CHECK(schema.groups[i].id == groups[i].id);
    CHECK(schema.groups[i].repeatable == groups[i].repeatable);
  }

  // The fields the issue asks for, modelled on the CERT/CC form.
  struct FieldRow {
    std::string name;
    FieldType type;
    bool required;
  };
  const std::vector<FieldRow> rows = {
      {"reporter.name", FieldType::text, true},
      {"reporter.organisation", FieldType::text, false},
      {"reporter.email", FieldType::email, true},
      {"reporter.phone", FieldType::phone, false},
      {"affected-host.hostname", FieldType::host, false},
      {"affected-host.ip", FieldType::ip, false},
      {"affected-host.timezone", FieldType::text, false},
      {"affected-host.function", FieldType::text, false},
      {"affected-host.os", FieldType::text, false},
      {"affected-host.software", FieldType::text, false},
      {"attack-source.hostname", FieldType::host, false},
      {"attack-source.ip", FieldType::ip, false},
      {"incident.start", FieldType::datetime, true},
      {"incident.type", FieldType::enumeration, true},
      {"incident.detection", FieldType::text, false},
      {"incident.method", FieldType::text, false},
      {"incident.tools", FieldType::text, false},
      {"incident.vulnerabilities", FieldType::list, false},
      {"incident.impact", FieldType::text, false},
      {"incident.tlp", FieldType::enumeration, false},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      const FormField* f = schema.find_field(row.name);
      REQUIRE(f != nullptr);
      CHECK(f->type == row.type);
      CHECK(f->required == row.required);
      CHECK(f->name.rfind(f->group + ".", 0) == 0);
    }
  }
}

TEST_CASE("form schema: every field has a valid RFC 2350 disclosure category") {
  const std::set<std::string> ids = {"private-user", "intruder",    "private-site",       "vulnerability",
                                     "embarrassing", "statistical", "contact-information"};
  for (const auto& f : default_schema().fields) {
    CAPTURE(f.name);
    CHECK(ids.count(to_string(f.disclosure)) == 1);
    CHECK(disclosure_from_string(to_string(f.disclosure)) == f.disclosure);
  }
  for (const auto& id : ids) CHECK(disclosure_from_string(id).has_value());
  CHECK(!disclosure_from_string("confidential").has_value());

  struct Row {
    std::string field;
    std::string disclosure;
  };
  const std::vector<Row> rows = {
      {"reporter.name", "contact-information"},     {"reporter.email", "contact-information"},
      {"affected-host.ip", "private-site"},         {"affected-host.os", "private-site"},
      {"affected-host.accounts", "private-user"},   {"attack-source.ip", "intruder"},
      {"attack-source.hostname", "intruder"},       {"incident.vulnerabilities", "vulnerability"},
      {"incident.method", "vulnerability"},         {"incident.impact", "embarrassing"},
      {"incident.type", "statistical"},             {"incident.logs", "private-user"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.field);
    const FormField* f = default_schema().find_field(row.field);
    REQUIRE(f != nullptr);
    CHECK(std::string(to_string(f->disclosure)) == row.disclosure);
  }
}

TEST_CASE("form schema: enum values of the default schema") {
  const FormField* type = default_schema().find_field("incident.type");
  REQUIRE(type != nullptr);
  for (const char* id : {"abusive-content/spam", "malicious-code/infected-system", "information-gathering/scanner",
                         "intrusion-attempts/exploit", "intrusions/system-compromise", "availability/ddos",
                         "fraud/phishing", "vulnerable/vulnerable-system", "other/other", "test/test"}) {
    CAPTURE(id);
    CHECK(std::count(type->values.begin(), type->values.end(), id) == 1);
  }
  for (const auto& v : type->values) CHECK(v.find('/') != std::string::npos);
  const FormField* tlp = default_schema().find_field("incident.tlp");
  REQUIRE(tlp != nullptr);
  CHECK(tlp->values == std::vector<std::string>{"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"});
}

TEST_CASE("form schema: labels and aliases are unique across the form") {
  std::set<std::string> seen;
  for (const auto& f : default_schema().fields) {
    CHECK(seen.insert(normalise_label(f.label)).second);
    for (const auto& a : f.aliases) {
      CAPTURE(a);
      CHECK(seen.insert(normalise_label(a)).second);
    }
  }
  CHECK(normalise_label("  E-Mail \t Address ") == "emailaddress");  // "Email address", "E_MAIL ADDRESS" ...
}

TEST_CASE("form schema: a minimal schema loads") {
  auto schema = parse_form_schema(schema_with(""));
  REQUIRE_MESSAGE(schema.ok(), schema.error().message);
  CHECK(schema->name == "Test form");
  CHECK(schema->version == "1");
  REQUIRE(schema->fields.size() == 1);
  CHECK(schema->fields[0].line == 9);
  CHECK(schema->fields[0].disclosure == DisclosureCategory::statistical);
  CHECK(schema->groups[0].repeatable == false);
}

TEST_CASE("form schema: errors name their lines") {
  struct Row {
    std::string name;
    std::string toml;
    std::string expected;  // the start of a line of the error message
  };
  const std::string base = "name = \"g.b\"\ngroup = \"g\"\nlabel = \"Field B\"\n";  // lines 18-20
  const std::vector<Row> rows = {
      {"TOML syntax", "[form]\nname = \"unterminated\n", "line 2: "},
      {"unknown type", schema_with(field_with(base + "type = \"number\"\ndisclosure = \"intruder\"\n")),
       "line 21: field \"g.b\": unknown type \"number\" (text, email, phone, ip, host, datetime, enum, list)"},
      {"enum without values", schema_with(field_with(base + "type = \"enum\"\ndisclosure = \"intruder\"\n")),
       "line 17: field \"g.b\": an enum needs values"},
      {"enum with empty values",
       schema_with(field_with(base + "type = \"enum\"\nvalues = []\ndisclosure = \"intruder\"\n")),
       "line 22: field \"g.b\": an enum needs values"},
      {"values on a text field",
       schema_with(field_with(base + "type = \"text\"\nvalues = [\"x\"]\ndisclosure = \"intruder\"\n")),
       "line 22: field \"g.b\": values apply to enum fields only"},
      {"unknown group",
       schema_with(field_with("name = \"h.b\"\ngroup = \"h\"\nlabel = \"Field B\"\ntype = \"text\"\n"
                              "disclosure = \"intruder\"\n")),
       "line 17: field \"h.b\": unknown group \"h\""},
      {"name outside its group",
       schema_with(field_with("name = \"x.b\"\ngroup = \"g\"\nlabel = \"Field B\"\ntype = \"text\"\n"
                              "disclosure = \"intruder\"\n")),
       "line 17: field \"x.b\": name must start with its group \"g.\""},
      {"duplicate name",
       schema_with(field_with("name = \"g.a\"\ngroup = \"g\"\nlabel = \"Other\"\ntype = \"text\"\n"
                              "disclosure = \"intruder\"\n")),
       "line 17: field \"g.a\" already defined at line 9"},
      {"alias used twice, in another case",
       schema_with(field_with(base + "aliases = [\"field  a\"]\ntype = \"text\"\ndisclosure = \"intruder\"\n")),
       "line 17: field \"g.b\": label or alias \"field  a\" already used by field \"g.a\" (line 9)"},
      {"unknown disclosure",
       schema_with(field_with(base + "type = \"text\"\ndisclosure = \"secret\"\n")),
       "line 22: field \"g.b\": unknown disclosure category \"secret\" (private-user, intruder, private-site, "
       "vulnerability, embarrassing, statistical, contact-information)"},
      {"missing disclosure", schema_with(field_with(base + "type = \"text\"\n")),
       "line 17: field \"g.b\": disclosure missing"},
      {"label with a colon",
       schema_with(field_with("name = \"g.b\"\ngroup = \"g\"\nlabel = \"Field: B\"\ntype = \"text\"\n"
                              "disclosure = \"intruder\"\n")),
       "line 17: field \"g.b\": label must not contain ':'"},
      {"multiline ip",
       schema_with(field_with(base + "type = \"ip\"\nmultiline = true\ndisclosure = \"intruder\"\n")),
       "line 22: field \"g.b\": multiline applies to text and list fields only"},
      {"wrong value type", schema_with(field_with(base + "type = \"text\"\nrequired = \"yes\"\ndisclosure = \"intruder\"\n")),
       "line 22: field.required must be true or false"},
      {"unknown key", schema_with(field_with(base + "type = \"text\"\ndisclosure = \"intruder\"\ncolour = 1\n")),
       "line 23: unknown key field.colour"},
      {"duplicate group",
       schema_with("[[group]]\nid = \"g\"\nlabel = \"Again\"\n"), "line 17: group \"g\" already defined at line 5"},
      {"group without fields", schema_with("[[group]]\nid = \"empty\"\nlabel = \"Empty\"\n"),
       "line 17: group \"empty\" has no fields"},
      {"bad group id", schema_with("[[group]]\nid = \"Bad Id\"\nlabel = \"x\"\n"),
       "line 17: group: id must be lower-case letters, digits and '-' (got \"Bad Id\")"},
      {"unknown section", schema_with("[colours]\nred = 1\n"), "line 17: unknown section \"colours\" (form, group, field)"},
      {"no form table", "[[group]]\nid = \"g\"\nlabel = \"G\"\n", "the schema needs a [form] table"},
      {"category field names no field",
       "[form]\nname = \"x\"\nversion = 1\ncategory_field = \"g.nope\"\n[[group]]\nid = \"g\"\nlabel = \"G\"\n"
       "[[field]]\nname = \"g.a\"\ngroup = \"g\"\nlabel = \"A\"\ntype = \"text\"\ndisclosure = \"intruder\"\n",
       "form.category_field names no field: \"g.nope\""},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      auto schema = parse_form_schema(row.toml);
      REQUIRE(!schema.ok());
      CHECK(schema.error().kind == ErrorClass::bad_input);
      const auto lines = lines_of(schema.error().message);
      CAPTURE(schema.error().message);
      CHECK(std::any_of(lines.begin(), lines.end(),
                        [&](const std::string& line) { return line.rfind(row.expected, 0) == 0; }));
    }
  }
}

TEST_CASE("form schema: all problems are reported at once, in line order") {
  const std::string toml = schema_with(field_with(
      "name = \"g.b\"\ngroup = \"g\"\nlabel = \"Field B\"\ntype = \"colour\"\ndisclosure = \"nobody\"\n"));
  auto schema = parse_form_schema(toml);
  REQUIRE(!schema.ok());
  const auto lines = lines_of(schema.error().message);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].rfind("line 21: ", 0) == 0);
  CHECK(lines[1].rfind("line 22: ", 0) == 0);
}

TEST_CASE("form schema: an unreadable file") {
  auto schema = load_form_schema("/nonexistent/reporting-form.toml");
  REQUIRE(!schema.ok());
  CHECK(schema.error().message == "cannot read /nonexistent/reporting-form.toml");
}

TEST_CASE("form schema: the blank form") {
  const auto& schema = default_schema();

  struct Row {
    int blocks;
    int printed;
  };
  for (const Row row : {Row{2, 2}, Row{3, 3}, Row{1, 1}, Row{0, 1}, Row{-5, 1}}) {
    CAPTURE(row.blocks);
    const auto form = render_blank_form(schema, row.blocks);
    const auto lines = lines_of(form);
    // Every field once per block: repeatable groups `printed` times.
    for (const auto& f : schema.fields) {
      CAPTURE(f.name);
      const auto* group = schema.find_group(f.group);
      REQUIRE(group != nullptr);
      const auto count = std::count(lines.begin(), lines.end(), f.label + ":");
      CHECK(count == (group->repeatable ? row.printed : 1));
    }
    // Only comments, blank lines and "Label:" lines, none with a trailing blank
    // (format=flowed would join it with the next line).
    for (const auto& line : lines) {
      CAPTURE(line);
      CHECK(line.size() <= 80);
      if (line.empty() || line[0] == '#') continue;
      CHECK(line.back() == ':');
    }
    CHECK(form.find("# ---- Affected host " + std::to_string(row.printed) + " ----\n") != std::string::npos);
    CHECK(form.find("# ---- Affected host " + std::to_string(row.printed + 1) + " ----\n") == std::string::npos);
  }

  const auto form = render_blank_form(schema);
  CHECK(form.rfind("# " + schema.name + ", version 1\n", 0) == 0);
  CHECK(form.find("# Please fill in what you know") != std::string::npos);
  CHECK(form.find("# ---- Your contact details ----\n") != std::string::npos);
  CHECK(form.find("# ---- Attack source 2 ----\n") != std::string::npos);
  CHECK(form.find("# ---- Your contact details 1") == std::string::npos);
  CHECK(form.find("# More than 2? Copy one \"Affected host\" block") != std::string::npos);
  CHECK(form.find("# More than 2? Copy one \"Attack source\" block") != std::string::npos);
  // Enum fields list their values on '#' lines before the field.
  const auto tlp = form.find("# One of: CLEAR, GREEN, AMBER, AMBER+STRICT, RED\nTLP:\n");
  CHECK(tlp != std::string::npos);
  const auto rsit = form.find("# One of: abusive-content/spam,");
  REQUIRE(rsit != std::string::npos);
  CHECK(form.find("intrusions/system-compromise", rsit) < form.find("Incident type:\n", rsit));
  CHECK(form.find("# Required. E-mail address.\nReporter e-mail:\n") != std::string::npos);
  // The intro is re-wrapped paragraph by paragraph.
  CHECK(form.find("# Please fill in what you know and send the form to the team, encrypted with\n"
                  "# the team's OpenPGP key if it holds anything confidential. Incomplete reports\n") !=
        std::string::npos);
}

}  // namespace csirtgw
