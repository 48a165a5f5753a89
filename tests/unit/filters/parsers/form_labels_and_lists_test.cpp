// Forms as teams really fill them in (issue 16): labels written in any case
// and with blanks, hyphens or underscores are one label; the common field
// names of other teams' forms need no aliases; and a field holding a list of
// addresses parses each value, a bad one being an error for that value only.
#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "form_schema.h"
#include "team_form_parser.h"

namespace csirtgw {
namespace {

// The head of a small test schema: a form with one group "g".
constexpr const char* kOneGroup = R"([form]
name = "t"
version = 1
[[group]]
id = "g"
label = "G"
)";

const FormSchema& schema() {
  static const FormSchema s = [] {
    auto loaded = load_form_schema(CSIRTGW_SOURCE_DIR "/schemas/reporting-form.toml");
    REQUIRE_MESSAGE(loaded.ok(), loaded.error().message);
    return loaded.value();
  }();
  return s;
}

// A form with the required reporter fields and `more` lines.
ReportContent parse(const std::string& more) {
  return parse_team_form("Reporter name: Alice\nReporter e-mail: alice@partner.example\n" + more, schema());
}

std::vector<std::string> values_of(const ReportContent& c, const std::string& field) {
  std::vector<std::string> out;
  for (const auto& f : c.fields)
    if (f.field == field) out.push_back(f.value);
  return out;
}

std::vector<std::pair<std::string, std::string>> errors_of(const ReportContent& c, const std::string& field) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : c.errors)
    if (e.field == field) out.emplace_back(e.field, e.message);
  return out;
}

}  // namespace

TEST_CASE("form labels: case, blanks, hyphens and underscores fold") {
  const std::vector<std::string> spellings = {"Incident type",  "Incident-Type", "incident_type", "INCIDENT TYPE",
                                              "IncidentType",   "incident  type", "Incident - Type", "incident__TYPE"};
  for (const auto& label : spellings) {
    SUBCASE(label.c_str()) {
      const ReportContent c = parse(label + ": fraud/phishing\n");
      CHECK(c.format == "team-form");
      CHECK(values_of(c, "incident.type") == std::vector<std::string>{"fraud/phishing"});
      CHECK(c.category_hint == "fraud/phishing");
    }
  }
  CHECK(normalise_label("Incident-Type") == normalise_label("incident_type"));
  CHECK(normalise_label(" Incident  Type ") == "incidenttype");
  CHECK(normalise_label("E-mail") == normalise_label("EMAIL"));
}

TEST_CASE("form labels: aliases in a schema fold the same way") {
  const std::string toml = std::string(kOneGroup) + R"(
[[field]]
name = "g.kind"
group = "g"
label = "Kind"
aliases = ["Abuse_Kind", "abuse kind"]
type = "text"
disclosure = "statistical"
[[field]]
name = "g.where"
group = "g"
label = "Where"
type = "host"
disclosure = "private-site"
)";
  auto loaded = parse_form_schema(toml);
  REQUIRE_MESSAGE(loaded.ok(), loaded.error().message);  // one field's own spellings may fold together
  const ReportContent c = parse_team_form("ABUSE-KIND: spam\nwhere: mail.example.edu\n", loaded.value());
  CHECK(c.fields.size() == 2);

  // Across fields, a folded clash is a schema error.
  std::string clash = toml;
  clash.replace(clash.find("label = \"Where\""), 15, "label = \"Abuse kind\"");
  auto refused = parse_form_schema(clash);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("already used by field \"g.kind\"") != std::string::npos);
}

TEST_CASE("form labels: common field names of other teams' forms need no aliases") {
  struct Row {
    std::string label;
    std::string value;
    std::string field;
  };
  const std::vector<Row> rows = {
      {"Affected IP", "192.0.2.10", "affected-host.ip"},
      {"Victim", "www.example.edu", "affected-host.hostname"},
      {"Target", "192.0.2.11", "affected-host.hostname"},
      {"Hostname", "web1.example.edu", "affected-host.hostname"},
      {"Source IP", "203.0.113.5", "attack-source.ip"},
      {"Attacker", "evil.example", "attack-source.hostname"},
      {"Source of attack", "203.0.113.6", "attack-source.hostname"},
      {"Offending IP", "203.0.113.7", "attack-source.ip"},
      {"Incident Type", "phishing", "incident.type"},
      {"Category", "fraud/phishing", "incident.type"},
      {"Classification", "fraud/phishing", "incident.type"},
      {"Reporter", "Bob", "reporter.name"},
      {"Contact", "Bob", "reporter.name"},
      {"Organisation", "Example Org", "reporter.organisation"},
      {"Organization", "Example Org", "reporter.organisation"},
      {"Timestamp", "2024-05-01T14:30:00Z", "incident.start"},
      {"Date", "2024-05-01", "incident.start"},
      {"Time of incident", "2024-05-01 14:30 +02:00", "incident.start"},
      {"Description", "Someone got in.", "incident.description"},
      {"TLP", "AMBER", "incident.tlp"},
      {"Impact", "Web site down.", "incident.impact"},
      {"Severity", "high", "incident.severity"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.label.c_str()) {
      // Two other fields make it a form; the label under test gives its field's only value.
      const ReportContent c = parse_team_form(
          "Reporter phone: +49 40 1234567\nFunction: web server\n" + row.label + ": " + row.value + "\n", schema());
      const auto values = values_of(c, row.field);
      REQUIRE_MESSAGE(values.size() == 1, row.label);
      CHECK(errors_of(c, row.field).empty());
    }
  }
}

TEST_CASE("form lists: each value of a multi-valued field on its own") {
  struct Row {
    std::string name;
    std::string lines;
    std::string field;
    std::vector<std::string> values;
    std::vector<std::string> errors;
  };
  const std::vector<Row> rows = {
      {"commas", "Affected IP: 198.51.100.23, 203.0.113.99, 2001:db8:ffff::99\n", "affected-host.ip",
       {"198.51.100.23", "203.0.113.99", "2001:db8:ffff::99"}, {}},
      {"semicolons and blanks", "IP address: 198.51.100.23; 203.0.113.99 192.0.2.1\n", "affected-host.ip",
       {"198.51.100.23", "203.0.113.99", "192.0.2.1"}, {}},
      {"one bad value among three", "Affected IP: 198.51.100.23, 203.0.113.x, 2001:db8:ffff::99\n",
       "affected-host.ip", {"198.51.100.23", "2001:db8:ffff::99"}, {"value 2 of 3: not an IP address (block 0)"}},
      {"a lone bad value", "Affected IP: 300.1.2.3\n", "affected-host.ip", {}, {"not an IP address (block 0)"}},
      {"CIDR networks", "Affected IP: 198.51.100.0/24, 2001:db8::/48, 192.0.2.1/33\n", "affected-host.ip",
       {"198.51.100.0/24", "2001:db8::/48"}, {"value 3 of 3: not an IP address (block 0)"}},
      {"defanged values", "Affected IP: 198.51.100[.]23, 192.0.2[.]1\n", "affected-host.ip",
       {"198.51.100.23", "192.0.2.1"}, {}},
      {"continued on indented lines", "Affected IP: 198.51.100.23,\n    203.0.113.99\n    2001:db8::1\n",
       "affected-host.ip", {"198.51.100.23", "203.0.113.99", "2001:db8::1"}, {}},
      {"continued after a trailing comma", "Affected IP: 198.51.100.23,\n203.0.113.99\nSomething else here.\n",
       "affected-host.ip", {"198.51.100.23", "203.0.113.99"}, {}},
      {"value on the next line", "Affected IP:\n198.51.100.23, 203.0.113.99\n", "affected-host.ip",
       {"198.51.100.23", "203.0.113.99"}, {}},
      {"prose after the list is not a value", "Affected IP: 198.51.100.23\nThanks for looking.\n", "affected-host.ip",
       {"198.51.100.23"}, {}},
      {"hosts", "Hostname: www.example.edu, 192.0.2.7, bad_host!\n", "affected-host.hostname",
       {"www.example.edu", "192.0.2.7"}, {"value 3 of 3: not a host name or IP address (block 0)"}},
      {"attack sources", "Attacker IP: 203.0.113.5, 203.0.113.6\n", "attack-source.ip", {"203.0.113.5", "203.0.113.6"},
       {}},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      const ReportContent c = parse(row.lines);
      CHECK(values_of(c, row.field) == row.values);
      std::vector<std::string> errors;
      for (const auto& [field, message] : errors_of(c, row.field)) errors.push_back(message);
      CHECK(errors == row.errors);
    }
  }
}

TEST_CASE("form lists: an e-mail field is multi-valued only where the schema says so") {
  const std::string base = std::string(kOneGroup) + R"(
[[field]]
name = "g.name"
group = "g"
label = "Name"
type = "text"
disclosure = "contact-information"
[[field]]
name = "g.mail"
group = "g"
label = "Mail"
type = "email"
disclosure = "contact-information"
)";
  const std::string text = "Name: x\nMail: Alice <alice@example.edu>, bob@example.edu, not-an-address\n";
  auto single = parse_form_schema(base);
  REQUIRE(single.ok());
  CHECK_FALSE(single->fields[1].multi);
  const ReportContent one = parse_team_form(text, single.value());
  CHECK(values_of(one, "g.mail").empty());
  CHECK(errors_of(one, "g.mail").size() == 1);

  auto multi = parse_form_schema(base + "multi = true\n");
  REQUIRE_MESSAGE(multi.ok(), multi.error().message);
  const ReportContent many = parse_team_form(text, multi.value());
  CHECK(values_of(many, "g.mail") == std::vector<std::string>{"alice@example.edu", "bob@example.edu"});
  REQUIRE(errors_of(many, "g.mail").size() == 1);
  CHECK(errors_of(many, "g.mail")[0].second == "value 3 of 3: not an e-mail address");

  auto wrong = parse_form_schema(base.substr(0, base.find("[[field]]\nname = \"g.mail\"")) +
                                 "[[field]]\nname = \"g.mail\"\ngroup = \"g\"\nlabel = \"Mail\"\ntype = \"text\"\n"
                                 "disclosure = \"statistical\"\nmulti = true\n");
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().message.find("multi applies to ip, host and email fields only") != std::string::npos);
}

TEST_CASE("form lists: the default form's address fields are multi-valued") {
  for (const char* name : {"affected-host.ip", "affected-host.hostname", "attack-source.ip", "attack-source.hostname"}) {
    const FormField* field = schema().find_field(name);
    REQUIRE(field != nullptr);
    CHECK_MESSAGE(field->multi, name);
  }
  CHECK_FALSE(schema().find_field("reporter.email")->multi);
}

}  // namespace csirtgw
