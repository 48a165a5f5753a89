// The team's own form read back from report bodies (filters/parsers/team_form_parser.cpp):
// the blank form round-trips, labels and aliases in any case and with bullets,
// multi-line values, repeated host blocks, typed values whose problems become
// per-field errors while the rest still parses, CRLF, and free text that must
// not be mistaken for a form.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "form_schema.h"
#include "team_form_parser.h"

namespace csirtgw {

namespace {

const FormSchema& schema() {
  static const FormSchema s = [] {
    auto loaded = load_form_schema(CSIRTGW_SOURCE_DIR "/schemas/reporting-form.toml");
    REQUIRE_MESSAGE(loaded.ok(), loaded.error().message);
    return loaded.value();
  }();
  return s;
}

ReportContent parse(const std::string& text) { return parse_team_form(text, schema()); }

// Values of one field, with their blocks, in order.
std::vector<std::pair<std::string, int>> values_of(const ReportContent& c, const std::string& field) {
  std::vector<std::pair<std::string, int>> out;
  for (const auto& f : c.fields)
    if (f.field == field) out.emplace_back(f.value, f.block);
  return out;
}

std::string value_of(const ReportContent& c, const std::string& field) {
  auto v = values_of(c, field);
  return v.empty() ? "<none>" : v.front().first;
}

std::vector<std::pair<std::string, std::string>> errors_of(const ReportContent& c) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : c.errors) out.emplace_back(e.field, e.message);
  return out;
}

std::vector<std::string> required_fields() {
  std::vector<std::string> out;
  for (const auto& f : schema().fields)
    if (f.required) out.push_back(f.name);
  return out;
}

// The blank form with answers filled in: {label, occurrence (0-based), answer};
// an answer with line breaks is written on the lines after the label.
struct Answer {
  std::string label;
  int occurrence;
  std::string value;
};

std::string fill(const std::string& blank, const std::vector<Answer>& answers) {
  std::istringstream in(blank);
  std::map<std::string, int> seen;
  std::string out;
  for (std::string line; std::getline(in, line);) {
    std::string written = line;
    if (!line.empty() && line.back() == ':' && line[0] != '#') {
      const std::string label = line.substr(0, line.size() - 1);
      const int n = seen[label]++;
      for (const auto& a : answers)
        if (a.label == label && a.occurrence == n)
          written = a.value.find('\n') == std::string::npos ? line + " " + a.value : line + "\n" + a.value;
    }
    out += written + "\n";
  }
  return out;
}

// The required fields, so that a row's line is inside a recognised form.
const std::string kFormHead =
    "Reporter name: Alice Example\n"
    "Reporter e-mail: alice@site.example\n"
    "Incident date and time: 2024-05-01T14:30:00Z\n"
    "Incident type: intrusions/system-compromise\n";

}  // namespace

TEST_CASE("team form: the unfilled blank form gives no fields, only missing required fields") {
  for (int blocks : {1, 2, 3}) {
    CAPTURE(blocks);
    const auto c = parse(render_blank_form(schema(), blocks));
    CHECK(c.format == "team-form");
    CHECK(c.fields.empty());
    CHECK(c.category_hint.empty());
    std::vector<std::string> missing;
    for (const auto& e : c.errors) {
      CHECK(e.message == "required field missing");
      missing.push_back(e.field);
    }
    CHECK(missing == required_fields());
  }
}

TEST_CASE("team form: the filled-in blank form gives its fields") {
  const std::string text = fill(render_blank_form(schema()),
                                {
                                    {"Reporter name", 0, "Alice Example"},
                                    {"Organisation", 0, "Example University"},
                                    {"Reporter e-mail", 0, "alice@uni.example"},
                                    {"Reporter phone", 0, "+49 40 1234-567"},
                                    {"Hostname", 0, "www.uni.example"},
                                    {"IP address", 0, "192.0.2.10"},
                                    {"Time zone", 0, "Europe/Berlin"},
                                    {"Function", 0, "web server"},
                                    {"Operating system and version", 0, "Debian 12"},
                                    {"Software and versions", 0, "nginx 1.22\nphp-fpm 8.2"},
                                    {"Affected accounts", 0, "www-data, alice"},
                                    {"Hostname", 1, "db.uni.example"},
                                    {"IP address", 1, "2001:db8::20"},
                                    {"Source IP address", 0, "198.51.100.7"},
                                    {"Incident date and time", 0, "2024-05-01 14:30 +02:00"},
                                    {"Incident type", 0, "intrusions/system-compromise"},
                                    {"Description", 0, "A web shell was found.\n\nIt ran for two days."},
                                    {"Vulnerabilities exploited", 0, "CVE-2024-0001\nCVE-2024-0002"},
                                    {"Impact", 0, "Customer data may have leaked."},
                                    {"TLP", 0, "amber"},
                                });
  const auto c = parse(text);
  CHECK(c.format == "team-form");
  CHECK(errors_of(c).empty());
  CHECK(c.category_hint == "intrusions/system-compromise");

  using V = std::vector<std::pair<std::string, int>>;
  const std::vector<std::pair<std::string, V>> expected = {
      {"reporter.name", {{"Alice Example", 0}}},
      {"reporter.organisation", {{"Example University", 0}}},
      {"reporter.email", {{"alice@uni.example", 0}}},
      {"reporter.phone", {{"+49 40 1234-567", 0}}},
      {"affected-host.hostname", {{"www.uni.example", 0}, {"db.uni.example", 1}}},
      {"affected-host.ip", {{"192.0.2.10", 0}, {"2001:db8::20", 1}}},
      {"affected-host.timezone", {{"Europe/Berlin", 0}}},
      {"affected-host.function", {{"web server", 0}}},
      {"affected-host.os", {{"Debian 12", 0}}},
      {"affected-host.software", {{"nginx 1.22\nphp-fpm 8.2", 0}}},
      {"affected-host.accounts", {{"www-data", 0}, {"alice", 0}}},
      {"attack-source.ip", {{"198.51.100.7", 0}}},
      {"attack-source.hostname", {}},
      {"incident.start", {{"2024-05-01 14:30 +02:00", 0}}},
      {"incident.type", {{"intrusions/system-compromise", 0}}},
      {"incident.description", {{"A web shell was found.\n\nIt ran for two days.", 0}}},
      {"incident.vulnerabilities", {{"CVE-2024-0001", 0}, {"CVE-2024-0002", 0}}},
      {"incident.impact", {{"Customer data may have leaked.", 0}}},
      {"incident.tlp", {{"AMBER", 0}}},
      {"incident.detection", {}},
  };
  for (const auto& [field, values] : expected) {
    CAPTURE(field);
    CHECK(values_of(c, field) == values);
  }
}

TEST_CASE("team form: labels, aliases, case, blanks and bullets") {
  struct Row {
    std::string line;
    std::string field;
    std::string value;
  };
  const std::vector<Row> rows = {
      {"Organisation: CERT Example", "reporter.organisation", "CERT Example"},
      {"ORGANIZATION: CERT Example", "reporter.organisation", "CERT Example"},
      {"Phone number: +1 (555) 010-0000", "reporter.phone", "+1 (555) 010-0000"},
      {"Email address: bob@x.example", "reporter.email", "alice@site.example"},  // the first value is kept
      {"  email   ADDRESS  :   bob@x.example", "reporter.email", "alice@site.example"},
      {"Host: srv1.site.example", "affected-host.hostname", "srv1.site.example"},
      {"- Host name: srv1.site.example", "affected-host.hostname", "srv1.site.example"},
      {"* IP: 192.0.2.1", "affected-host.ip", "192.0.2.1"},
      {"\tip:192.0.2.1", "affected-host.ip", "192.0.2.1"},
      {"Attacker IP: 203.0.113.9", "attack-source.ip", "203.0.113.9"},
      {"Source IP: 203.0.113[.]9", "attack-source.ip", "203.0.113.9"},
      {"Attacking host: evil[.]example", "attack-source.hostname", "evil.example"},
      {"Traffic Light Protocol: Amber+Strict", "incident.tlp", "AMBER+STRICT"},
      {"CVEs: CVE-2021-44228; CVE-2023-4966", "incident.vulnerabilities", "CVE-2021-44228"},
      {"OS: FreeBSD 14.0", "affected-host.os", "FreeBSD 14.0"},
      {"Detected by: our IDS", "incident.detection", "our IDS"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.line.c_str()) {
      const auto c = parse(kFormHead + row.line + "\n");
      CHECK(c.format == "team-form");
      CHECK(value_of(c, row.field) == row.value);
      for (const auto& e : c.errors) CHECK(e.message.find("given more than once") != std::string::npos);
    }
  }
}

TEST_CASE("team form: enum values") {
  struct Row {
    std::string written;
    std::string recorded;
  };
  const std::vector<Row> rows = {
      {"intrusions/system-compromise", "intrusions/system-compromise"},
      {"Fraud/Phishing", "fraud/phishing"},
      {"phishing", "fraud/phishing"},       // a bare RSIT type, unique
      {"DDoS", "availability/ddos"},
      {"system-compromise", "intrusions/system-compromise"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.written.c_str()) {
      const auto c = parse("Reporter name: A\nIncident type: " + row.written + "\n");
      CHECK(value_of(c, "incident.type") == row.recorded);
      CHECK(c.category_hint == row.recorded);  // the value recorded
    }
  }
}

TEST_CASE("team form: multi-line values") {
  SUBCASE("continuation lines up to the next field, paragraphs kept") {
    const auto c = parse(kFormHead +
                         "Description: It began on Monday.\n"
                         "The web server was slow.\n"
                         "\n"
                         "Then it stopped: nobody knows why.\n"
                         "\n"
                         "Impact: none\n");
    CHECK(value_of(c, "incident.description") ==
          "It began on Monday.\nThe web server was slow.\n\nThen it stopped: nobody knows why.");
    CHECK(value_of(c, "incident.impact") == "none");
    CHECK(c.errors.empty());
  }
  SUBCASE("value starting on the next line; indentation removed; indented labels are content") {
    const auto c = parse(kFormHead +
                         "Log excerpts:\n"
                         "    May  1 14:30:01 www sshd[123]: Accepted password for root\n"
                         "    Hostname: not-a-field.example\n"
                         "      # not a comment here\n"
                         "\n"
                         "TLP: RED\n");
    CHECK(value_of(c, "incident.logs") ==
          "May  1 14:30:01 www sshd[123]: Accepted password for root\nHostname: not-a-field.example\n"
          "  # not a comment here");
    CHECK(values_of(c, "affected-host.hostname").empty());
    CHECK(value_of(c, "incident.tlp") == "RED");
  }
  SUBCASE("comments at the margin are skipped inside a value") {
    const auto c = parse(kFormHead + "Impact: lost mail\n# a hint from the blank form\nand a defaced page\n");
    CHECK(value_of(c, "incident.impact") == "lost mail\nand a defaced page");
  }
  SUBCASE("a single-line field does not run on") {
    const auto c = parse(kFormHead + "Organisation: Example\nsome prose after it\nPhone: +1 555 0100\n");
    CHECK(value_of(c, "reporter.organisation") == "Example");
    CHECK(value_of(c, "reporter.phone") == "+1 555 0100");
  }
  SUBCASE("an empty single-line field takes the next line") {
    const auto c = parse(kFormHead + "Organisation:\nExample University\nFunction:\n\nprose\n");
    CHECK(value_of(c, "reporter.organisation") == "Example University");
    CHECK(values_of(c, "affected-host.function").empty());
  }
  SUBCASE("a multi-line list, one item per line") {
    const auto c = parse(kFormHead + "Vulnerabilities exploited:\n  CVE-2024-1, CVE-2024-2\n  CVE-2024-3\n");
    CHECK(values_of(c, "incident.vulnerabilities") ==
          std::vector<std::pair<std::string, int>>{{"CVE-2024-1", 0}, {"CVE-2024-2", 0}, {"CVE-2024-3", 0}});
  }
  SUBCASE("the signature separator ends the form") {
    const auto c = parse(kFormHead + "Impact: lost mail\n-- \nAlice Example: CERT\nTLP: RED\n");
    CHECK(value_of(c, "incident.impact") == "lost mail");
    CHECK(values_of(c, "incident.tlp").empty());
    CHECK(c.errors.empty());
  }
}

TEST_CASE("team form: repeated blocks") {
  SUBCASE("two affected hosts are blocks 0 and 1") {
    const auto c = parse(kFormHead +
                         "Hostname: a.site.example\nIP address: 192.0.2.1\nFunction: mail\n"
                         "Hostname: b.site.example\nIP address: 192.0.2.2\n"
                         "Source IP: 198.51.100.1\nSource IP: 198.51.100.2\n");
    using V = std::vector<std::pair<std::string, int>>;
    CHECK(values_of(c, "affected-host.hostname") == V{{"a.site.example", 0}, {"b.site.example", 1}});
    CHECK(values_of(c, "affected-host.ip") == V{{"192.0.2.1", 0}, {"192.0.2.2", 1}});
    CHECK(values_of(c, "affected-host.function") == V{{"mail", 0}});
    CHECK(values_of(c, "attack-source.ip") == V{{"198.51.100.1", 0}, {"198.51.100.2", 1}});
    CHECK(c.errors.empty());
  }
  SUBCASE("a block left empty is dropped and the rest renumbered") {
    const std::string text = fill(render_blank_form(schema(), 3), {
                                                                      {"Reporter name", 0, "A"},
                                                                      {"Reporter e-mail", 0, "a@x.example"},
                                                                      {"IP address", 1, "192.0.2.1"},
                                                                      {"Hostname", 2, "c.x.example"},
                                                                      {"Incident type", 0, "test"},
                                                                      {"Incident date and time", 0, "2024-01-31"},
                                                                  });
    const auto c = parse(text);
    CHECK(values_of(c, "affected-host.ip") == std::vector<std::pair<std::string, int>>{{"192.0.2.1", 0}});
    CHECK(values_of(c, "affected-host.hostname") == std::vector<std::pair<std::string, int>>{{"c.x.example", 1}});
    CHECK(errors_of(c).empty());
  }
  SUBCASE("a repeated field of a group that is not repeatable") {
    const auto c = parse(kFormHead + "Reporter name: Bob\nTLP: GREEN\nTLP: RED\n");
    CHECK(values_of(c, "reporter.name") == std::vector<std::pair<std::string, int>>{{"Alice Example", 0}});
    CHECK(values_of(c, "incident.tlp") == std::vector<std::pair<std::string, int>>{{"GREEN", 0}});
    CHECK(errors_of(c) == std::vector<std::pair<std::string, std::string>>{
                              {"reporter.name", "given more than once; the first value is kept"},
                              {"incident.tlp", "given more than once; the first value is kept"},
                          });
  }
}

TEST_CASE("team form: a list given twice accumulates") {
  const auto c = parse(kFormHead + "CVE: CVE-2024-1\nTLP: RED\nVulnerabilities: CVE-2024-2; CVE-2024-3\n");
  CHECK(values_of(c, "incident.vulnerabilities") ==
        std::vector<std::pair<std::string, int>>{{"CVE-2024-1", 0}, {"CVE-2024-2", 0}, {"CVE-2024-3", 0}});
  CHECK(c.errors.empty());
}

TEST_CASE("team form: any text keeps the invariants") {
  // Deterministic pseudo-random texts built from the pieces that matter.
  const std::vector<std::string> pieces = {
      "Hostname:", "IP address:", "Reporter name:", "Description:", "TLP:", "Incident type:", "CVE:",
      "Unknown thing:", "- ", "* ", "# ", "-- ", "  ", "\t", ":", " ", "\r", "\n", "\r\n", "\n\n",
      "192.0.2.1", "a.example", "x@y.example", "phishing", "RED", "2024-05-01", "[.]", "<", ">", ",", ";",
      std::string("\0", 1), "\xC3\xA9", "\xFF"};
  unsigned state = 12345;
  auto next = [&] { return state = state * 1103515245u + 12345u, (state >> 16) & 0x7fff; };
  std::set<std::string> names;
  for (const auto& f : schema().fields) names.insert(f.name);
  for (int round = 0; round < 500; ++round) {
    std::string text;
    const unsigned length = next() % 60;
    for (unsigned i = 0; i < length; ++i) text += pieces[next() % pieces.size()];
    CAPTURE(text);
    const auto c = parse(text);
    CHECK((c.format.empty() || c.format == "team-form"));
    if (c.format.empty()) {
      CHECK(c.fields.empty());
      CHECK(c.errors.empty());
    }
    for (const auto& f : c.fields) {
      CHECK(names.count(f.field) == 1);
      CHECK(!f.value.empty());
      CHECK(f.value.find('\r') == std::string::npos);
      CHECK(f.block >= 0);
    }
  }
}

TEST_CASE("team form: malformed values give one error each, the rest still parses") {
  struct Row {
    std::string line;
    std::string field;
    std::string message;
  };
  const std::vector<Row> rows = {
      {"IP address: 300.1.2.3", "affected-host.ip", "not an IP address (block 0)"},
      {"IP address: 192.0.2.1/33", "affected-host.ip", "not an IP address (block 0)"},
      {"Source IP address: localhost", "attack-source.ip", "not an IP address (block 0)"},
      {"Reporter e-mail: alice at site.example", "reporter.email", "not an e-mail address"},
      {"Reporter e-mail: alice@", "reporter.email", "not an e-mail address"},
      {"Reporter e-mail: a..b@site.example", "reporter.email", "not an e-mail address"},
      {"Reporter e-mail: alice@localhost", "reporter.email", "not an e-mail address"},
      {"Reporter phone: call me maybe", "reporter.phone", "not a phone number"},
      {"Reporter phone: 12", "reporter.phone", "not a phone number"},
      {"Hostname: www..site.example", "affected-host.hostname", "not a host name or IP address (block 0)"},
      {"Hostname: -bad-.example", "affected-host.hostname", "not a host name or IP address (block 0)"},
      {"Hostname: 300.1.2.3", "affected-host.hostname", "not a host name or IP address (block 0)"},
      {"Incident date and time: yesterday afternoon", "incident.start", "not a date and time (ISO 8601 or RFC 5322)"},
      {"Incident date and time: 2024-02-30 10:00", "incident.start", "not a date and time (ISO 8601 or RFC 5322)"},
      {"Incident date and time: 2024-05-01 25:00", "incident.start", "not a date and time (ISO 8601 or RFC 5322)"},
      {"Incident date and time: 32 May 2024 10:00 +0200", "incident.start",
       "not a date and time (ISO 8601 or RFC 5322)"},
      {"TLP: WHITE", "incident.tlp", "not one of: CLEAR, GREEN, AMBER, AMBER+STRICT, RED"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.line.c_str()) {
      const std::string text =
          "Reporter name: Alice Example\nIncident type: other/other\n" + row.line + "\nOrganisation: Example\n";
      const auto c = parse(text);
      CHECK(c.format == "team-form");
      bool found = false;
      for (const auto& e : c.errors)
        if (e.field == row.field && e.message == row.message) found = true;
      CAPTURE(c.errors.size());
      CHECK(found);
      // The other errors are the required fields the text leaves out.
      for (const auto& e : c.errors)
        if (!(e.field == row.field && e.message == row.message)) CHECK(e.message == "required field missing");
      CHECK(value_of(c, "reporter.organisation") == "Example");
      CHECK(value_of(c, "reporter.name") == "Alice Example");
    }
  }

  SUBCASE("an unknown incident type lists the allowed values and is not recorded") {
    const auto c = parse("Reporter name: A\nIncident type: hacked\n");
    REQUIRE(c.errors.size() >= 1);
    CHECK(c.errors[0].field == "incident.type");
    CHECK(c.errors[0].message.rfind("not one of: abusive-content/spam, ", 0) == 0);
    CHECK(c.errors[0].message.find("intrusions/system-compromise") != std::string::npos);
    CHECK(values_of(c, "incident.type").empty());
    CHECK(c.category_hint == "hacked");  // not a value: as written
    CHECK(value_of(c, "reporter.name") == "A");
  }
  SUBCASE("an error in a second host block names the block") {
    const auto c = parse(kFormHead + "IP: 192.0.2.1\nIP: 192.0.2.999\n");
    CHECK(errors_of(c) == std::vector<std::pair<std::string, std::string>>{
                              {"affected-host.ip", "not an IP address (block 1)"},
                          });
    CHECK(values_of(c, "affected-host.ip") == std::vector<std::pair<std::string, int>>{{"192.0.2.1", 0}});
  }
  SUBCASE("an unknown field inside a form") {
    const auto c = parse(kFormHead + "Favourite colour: blue\nTLP: RED\n");
    CHECK(errors_of(c) == std::vector<std::pair<std::string, std::string>>{
                              {"Favourite colour", "unknown field"},
                          });
    CHECK(value_of(c, "incident.tlp") == "RED");
  }
}

TEST_CASE("team form: values that pass their type") {
  struct Row {
    std::string line;
    std::string field;
    std::string value;
  };
  const std::vector<Row> rows = {
      {"Incident date and time: 2024-05-01", "incident.start", "2024-05-01"},
      {"Date/time: Wed, 1 May 2024 14:30:00 +0200", "incident.start", "Wed, 1 May 2024 14:30:00 +0200"},
      {"Incident date and time: 2024-05-01T14:30Z", "incident.start", "2024-05-01T14:30Z"},
      {"Incident date and time: 2024-05-01T14:30:00.250+02:00", "incident.start",
       "2024-05-01T14:30:00.250+02:00"},
      {"Incident date and time: 2024-02-29 08:00 CET", "incident.start", "2024-02-29 08:00 CET"},
      {"Incident date and time: 1 May 2024 14:30 GMT", "incident.start", "1 May 2024 14:30 GMT"},
      {"Incident date and time: Wed,01 May 2024 14:30:59 -0000 (UTC)", "incident.start",
       "Wed,01 May 2024 14:30:59 -0000 (UTC)"},
      {"Reporter e-mail: Alice Example <Alice.Example+cert@Site.Example>", "reporter.email",
       "Alice.Example+cert@Site.Example"},
      {"Reporter e-mail: <alice@site.example>", "reporter.email", "alice@site.example"},
      {"IP address: 2001:db8::1", "affected-host.ip", "2001:db8::1"},
      {"IP address: ::ffff:192.0.2.1", "affected-host.ip", "::ffff:192.0.2.1"},
      {"Hostname: 192.0.2.1", "affected-host.hostname", "192.0.2.1"},
      {"Hostname: web01", "affected-host.hostname", "web01"},
      {"Hostname: xn--mnchen-3ya.example.", "affected-host.hostname", "xn--mnchen-3ya.example."},
      {"Reporter phone: +44 (0)20 7946 0000", "reporter.phone", "+44 (0)20 7946 0000"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.line.c_str()) {
      const auto c = parse("Reporter name: A\nIncident type: test\n" + row.line + "\n");
      CHECK(value_of(c, row.field) == row.value);
      for (const auto& e : c.errors) CHECK(e.message == "required field missing");
    }
  }
}

TEST_CASE("team form: CRLF input reads like LF, and no value holds a CR") {
  const std::string lf = kFormHead +
                         "Description: first line\n  second line\n\nthird\n"
                         "Hostname: a.example\nHostname: b.example\r\n"
                         "Organisation: Example\n";
  std::string crlf;
  for (char ch : lf) crlf += ch == '\n' ? std::string("\r\n") : std::string(1, ch);
  const auto a = parse(lf), b = parse(crlf);
  CHECK(b.format == "team-form");
  REQUIRE(a.fields.size() == b.fields.size());
  for (std::size_t i = 0; i < a.fields.size(); ++i) {
    CHECK(a.fields[i].field == b.fields[i].field);
    CHECK(a.fields[i].value == b.fields[i].value);
    CHECK(a.fields[i].block == b.fields[i].block);
    CHECK(b.fields[i].value.find('\r') == std::string::npos);
  }
  CHECK(value_of(b, "incident.description") == "first line\n  second line\n\nthird");
  CHECK(errors_of(a) == errors_of(b));
  CHECK(b.errors.empty());

  const auto blank = render_blank_form(schema());
  std::string blank_crlf;
  for (char ch : blank) blank_crlf += ch == '\n' ? std::string("\r\n") : std::string(1, ch);
  const auto c = parse(blank_crlf);
  CHECK(c.fields.empty());
  CHECK(c.errors.size() == required_fields().size());
}

TEST_CASE("team form: free text is not taken for a form") {
  struct Row {
    std::string name;
    std::string text;
  };
  const std::vector<Row> rows = {
      {"prose", "Hi team,\n\nwe see scanning from 198.51.100.7 against our network.\nRegards, Bob\n"},
      {"prose with colons",
       "Dear CSIRT:\nNote: the attack started at 10:30 UTC.\nSee https://example.org/report for details.\n"
       "Thanks: Bob\n"},
      {"one known label only", "Hello,\nSource IP: 198.51.100.7\nhas been scanning us since Monday.\n"},
      {"one known label twice", "IP: 192.0.2.1\nIP: 192.0.2.2\n"},
      {"a forwarded message header",
       "---------- Forwarded message ---------\nFrom: Bob <bob@x.example>\nDate: Wed, 1 May 2024 10:00 +0200\n"
       "Subject: abuse\nTo: abuse@y.example\n\nPlease look into this.\n"},
      {"labels inside a quote", "> Reporter name: A\n> TLP: RED\n"},
      {"empty", ""},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      const auto c = parse(row.text);
      CHECK(c.format.empty());
      CHECK(c.fields.empty());
      CHECK(c.errors.empty());
      CHECK(c.category_hint.empty());
    }
  }
}

}  // namespace csirtgw
