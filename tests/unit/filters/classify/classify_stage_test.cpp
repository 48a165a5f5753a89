// Classification and routing (filters/classify/classify_stage.cpp) under the embedded
// default policy and reporting form: incident type from the team form or from
// keywords, constituency by affected address or domain, disclosure categories
// with their reasons, TLP 2.0 (unauthenticated labels only tighten), RFC 2350
// priority, the routing rules, and an audit note free of report contents.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "classify_stage.h"
#include "classify_test_support.h"
#include "route_stage.h"
#include "config.h"
#include "embedded_schemas.h"
#include "form_schema.h"
#include "policy.h"

namespace csirtgw {
namespace {

const Policy& policy() { return test_support::default_policy(); }
const FormSchema& form() { return test_support::default_form(); }
using test_support::crlf;

std::string plain_message(const std::string& body, const std::string& subject = "Incident report") {
  return crlf("From: Reporter <reporter@partner.example>\n"
              "To: cert@csirt.example\n"
              "Subject: " + subject + "\n"
              "Message-ID: <report-1@partner.example>\n"
              "MIME-Version: 1.0\n"
              "Content-Type: text/plain; charset=utf-8\n"
              "Content-Transfer-Encoding: 7bit\n"
              "\n" + body);
}

enum class Auth { none, decrypted, verified_signature, unverified_signature };

Report make_report(const std::string& body, Auth auth = Auth::none, const std::string& intake = "incidents") {
  Report report;
  report.spool_id = "20240501T000000-000001";
  report.protocol = "lmtp";
  report.sender = "reporter@partner.example";
  report.recipients = {{"cert@csirt.example", intake}};
  report.raw_message = plain_message(body);
  switch (auth) {
    case Auth::none: break;
    case Auth::decrypted: report.crypto.encryption = EncryptionState::decrypted; break;
    case Auth::verified_signature:
      report.crypto.signature = "good";
      report.crypto.sender_verified = true;
      break;
    case Auth::unverified_signature:
      report.crypto.signature = "good";
      report.crypto.sender_verified = false;
      break;
  }
  return report;
}

Report classify(Report report) {
  ClassifyStage stage(policy(), form(), default_config());
  const FilterOutcome outcome = stage.process(report);
  CHECK(outcome.verdict == FilterVerdict::proceed);
  return report;
}

Report classify(const std::string& body, Auth auth = Auth::none) { return classify(make_report(body, auth)); }

Report route(Report report) {
  RouteStage stage(policy());
  const FilterOutcome outcome = stage.process(report);
  CHECK(outcome.verdict == FilterVerdict::proceed);
  return report;
}

// A filled-in team form: the required fields and whatever `more` adds.
std::string team_form(const std::string& type, const std::string& more = "") {
  return "Reporter name: Alice Example\n"
         "Reporter e-mail: alice@partner.example\n"
         "Incident date and time: 2024-05-01T14:30:00Z\n"
         "Incident type: " + type + "\n" + more;
}

std::map<std::string, std::string> categories_of(const Classification& c) {
  std::map<std::string, std::string> out;
  for (const auto& r : c.categories) out[r.category] = r.because;
  return out;
}

std::string render(const std::map<std::string, std::string>& categories) {
  std::string out;
  for (const auto& [category, because] : categories) out += category + " <- " + because + "\n";
  return out;
}

const AuditNote* note(const Report& report, const std::string& event) {
  auto it = std::find_if(report.audit_notes.begin(), report.audit_notes.end(),
                         [&](const AuditNote& n) { return n.event == event; });
  return it == report.audit_notes.end() ? nullptr : &*it;
}

}  // namespace

TEST_CASE("classify: incident type from the form, the keywords, or nothing") {
  struct Row {
    std::string name;
    std::string body;
    std::string type;
    std::string because;
    std::string format;
  };
  const std::vector<Row> rows = {
      {"form names the type", team_form("intrusions/system-compromise", "Description: a phishing page\n"),
       "intrusions/system-compromise", "reported type", "team-form"},
      {"form names a bare RSIT type", team_form("phishing"), "fraud/phishing", "reported type", "team-form"},
      {"form says undetermined", team_form("other/undetermined", "Description: ransomware everywhere\n"),
       "other/undetermined", "reported type", "team-form"},
      {"keyword phishing", "Hello,\nwe found a phishing page on your web server.\n", "fraud/phishing",
       "keyword \"phishing\"", "free-text"},
      {"keyword in upper case", "PHISHING campaign against your users\n", "fraud/phishing", "keyword \"phishing\"",
       "free-text"},
      {"multi-word keyword", "A fake login page imitates your portal.\n", "fraud/phishing",
       "keyword \"fake login page\"", "free-text"},
      {"keyword ransomware", "One of your hosts spreads ransomware.\n", "malicious-code/infected-system",
       "keyword \"ransomware\"", "free-text"},
      {"keyword with punctuation", "Spam! Lots of it.\n", "abusive-content/spam", "keyword \"spam\"", "free-text"},
      {"first matching rule wins", "The compromised host now sends spam.\n", "intrusions/system-compromise",
       "keyword \"compromised\"", "free-text"},
      {"keywords match whole words only", "Our phishingkit collection and the spammers' list.\n",
       "other/undetermined", "nothing decided", "free-text"},
      {"nothing decides", "Hello,\nplease call me back tomorrow.\nRegards\n", "other/undetermined", "nothing decided",
       "free-text"},
      {"empty body", "", "other/undetermined", "nothing decided", "free-text"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      const Report report = classify(row.body);
      CHECK(report.content.format == row.format);
      CHECK(report.classification.type == row.type);
      CHECK(report.classification.type_because == row.because);
    }
  }
}

TEST_CASE("classify: a forwarded original is evidence, not the report's text") {
  const std::string message = crlf(
      "From: reporter@partner.example\n"
      "To: cert@csirt.example\n"
      "Subject: Fwd: look at this\n"
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=\"b1\"\n"
      "\n"
      "--b1\n"
      "Content-Type: text/plain\n"
      "\n"
      "See the attached message.\n"
      "--b1\n"
      "Content-Type: message/rfc822\n"
      "\n"
      "From: attacker@evil.test\n"
      "Subject: urgent\n"
      "Content-Type: text/plain\n"
      "\n"
      "This is a phishing test, ransomware included.\n"
      "--b1--\n");
  Report report = make_report("");
  report.raw_message = message;
  report = classify(report);
  CHECK(report.classification.type == "other/undetermined");
}

TEST_CASE("classify: constituency by affected address and domain") {
  struct Row {
    std::string name;
    std::string body;
    bool constituency;
    std::string because;
  };
  const std::vector<Row> rows = {
      {"form IP inside", team_form("fraud/phishing", "IP address: 192.0.2.10\n"), true, "affected 192.0.2.10"},
      {"form IP outside", team_form("fraud/phishing", "IP address: 203.0.113.10\n"), false,
       "no affected host inside the constituency"},
      {"form IPv6 inside", team_form("fraud/phishing", "IP address: 2001:db8::25\n"), true, "affected 2001:db8::25"},
      {"form hostname in a subdomain", team_form("fraud/phishing", "Hostname: www.example.edu\n"), true,
       "affected www.example.edu"},
      {"form hostname look-alike", team_form("fraud/phishing", "Hostname: www.evilexample.edu\n"), false,
       "no affected host inside the constituency"},
      {"form fields win over addresses in the text",
       team_form("fraud/phishing", "IP address: 203.0.113.10\nDescription: it attacked 192.0.2.1\n"), false,
       "no affected host inside the constituency"},
      {"attack source alone is not affected", team_form("fraud/phishing", "Source IP address: 203.0.113.99\n"), false,
       "no affected host inside the constituency"},
      {"text address inside", "Host 198.51.100.7 is scanning the internet.\n", true, "affected 198.51.100.7"},
      {"text address outside", "Host 203.0.113.9 is scanning the internet.\n", false,
       "no affected host inside the constituency"},
      {"text mentions one inside among others", "203.0.113.9 and 192.0.2.44 talk to each other.\n", true,
       "affected 192.0.2.44"},
      {"text domain inside", "mail.example.edu sends spam.\n", true, "affected mail.example.edu"},
      {"text domain upper case", "MAIL.EXAMPLE.EDU sends spam.\n", true, ""},
      {"text domain look-alike", "mail.evilexample.edu sends spam.\n", false, "no affected host inside the constituency"},
      {"an e-mail address names no host", "Write to bob@elsewhere.test for details.\n", true,
       "no affected host named: treated as ours"},
      {"no affected host", "Hello,\nplease call me back tomorrow.\n", true, "no affected host named: treated as ours"},
      {"form without hosts", team_form("fraud/phishing"), true, "no affected host named: treated as ours"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      const Report report = classify(row.body);
      CHECK(report.classification.constituency == row.constituency);
      if (!row.because.empty()) CHECK(report.classification.constituency_because == row.because);
    }
  }
}

TEST_CASE("classify: disclosure categories and what put them there") {
  struct Row {
    std::string name;
    std::string body;
    std::map<std::string, std::string> expected;  // category -> because (all of them)
  };
  const std::vector<Row> rows = {
      {"form fields",
       team_form("intrusions/system-compromise",
                 "IP address: 192.0.2.10\nSource IP address: 203.0.113.66\nIntrusion method: an old plugin\n"),
       {{"contact-information", "field reporter.name"},
        {"statistical", "field incident.start"},
        {"private-site", "field affected-host.ip"},
        {"intruder", "field attack-source.ip"},
        {"vulnerability", "field incident.method"},
        {"private-user", "indicator email"}}},
      {"CVE in free text", "Your server is affected by CVE-2024-1234.\n",
       {{"vulnerability", "indicator cve"}, {"statistical", "type vulnerable/vulnerable-system"}}},
      {"e-mail address in free text", "Please contact bob@victim.example about the phishing.\n",
       {{"private-user", "indicator email"}, {"statistical", "type fraud/phishing"}}},
      {"constituency address in free text", "Spam comes from 192.0.2.5.\n",
       {{"private-site", "indicator ipv4"}, {"statistical", "type abusive-content/spam"}}},
      {"constituency domain in free text", "Spam comes from relay.csirt.example.\n",
       {{"private-site", "indicator domain"}, {"statistical", "type abusive-content/spam"}}},
      {"outside address in free text", "Spam comes from 203.0.113.5.\n", {{"statistical", "type abusive-content/spam"}}},
      {"vulnerable type", "This service is exploitable.\n",
       {{"vulnerability", "type vulnerable/vulnerable-system"}, {"statistical", "type vulnerable/vulnerable-system"}}},
      {"nothing", "Hello,\nplease call me back tomorrow.\n", {}},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      const Report report = classify(row.body);
      CHECK(render(categories_of(report.classification)) == render(row.expected));
      for (const auto& r : report.classification.categories)
        CHECK(std::find(disclosure_categories().begin(), disclosure_categories().end(), r.category) !=
              disclosure_categories().end());
    }
  }
}

TEST_CASE("classify: TLP 2.0, where unauthenticated labels only tighten") {
  struct Row {
    std::string name;
    std::string body;
    Auth auth;
    std::string tlp;
    std::string because;  // a fragment
  };
  const std::vector<Row> rows = {
      {"no label: the default", "Hello,\nplease call me back.\n", Auth::none, "AMBER", "default"},
      {"unauthenticated CLEAR is ignored", "TLP:CLEAR\nHello.\n", Auth::none, "AMBER", "default"},
      {"unauthenticated GREEN is ignored", "TLP:GREEN\nHello.\n", Auth::none, "AMBER", "default"},
      {"unauthenticated RED counts", "TLP:RED\nHello.\n", Auth::none, "RED", "unauthenticated"},
      {"unauthenticated AMBER+STRICT counts", "TLP: AMBER+STRICT\nHello.\n", Auth::none, "AMBER+STRICT",
       "marker TLP:AMBER+STRICT"},
      {"decrypted CLEAR counts", "TLP:CLEAR\nHello.\n", Auth::decrypted, "CLEAR", "marker TLP:CLEAR"},
      {"verified signature GREEN counts", "TLP:GREEN\nHello.\n", Auth::verified_signature, "GREEN", "marker TLP:GREEN"},
      {"good signature of an unverified sender is not authentication", "TLP:CLEAR\nHello.\n",
       Auth::unverified_signature, "AMBER", "default"},
      {"TLP 1.0 WHITE reads as CLEAR", "TLP:WHITE\nHello.\n", Auth::decrypted, "CLEAR", ""},
      {"lower case marker", "tlp:red\nHello.\n", Auth::none, "RED", ""},
      {"conflicting GREEN and RED: RED", "TLP:GREEN\nHello.\nTLP:RED\n", Auth::decrypted, "RED", "marker TLP:RED"},
      {"conflicting RED and GREEN: RED", "TLP:RED\nHello.\nTLP:GREEN\n", Auth::decrypted, "RED", "marker TLP:RED"},
      {"authenticated AMBER+STRICT with a blank", "TLP: AMBER+STRICT\n", Auth::decrypted, "AMBER+STRICT", ""},
      {"AMBER+STRICT is not read as AMBER", "TLP:AMBER+STRICT and TLP:AMBER\n", Auth::decrypted, "AMBER+STRICT", ""},
      {"authenticated form field", team_form("fraud/phishing", "TLP: GREEN\n"), Auth::decrypted, "GREEN",
       "field incident.tlp"},
      {"unauthenticated form field CLEAR is ignored", team_form("fraud/phishing", "TLP: CLEAR\n"), Auth::none, "AMBER",
       "default"},
      {"unauthenticated form field RED counts", team_form("fraud/phishing", "TLP: RED\n"), Auth::none, "RED",
       "unauthenticated"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      const Report report = classify(row.body, row.auth);
      CHECK(report.content.authenticated == (row.auth == Auth::decrypted || row.auth == Auth::verified_signature));
      CHECK(report.classification.tlp == row.tlp);
      CHECK(report.classification.tlp_because.find(row.because) != std::string::npos);
    }
  }
}

TEST_CASE("classify: RFC 2350 priority levels") {
  struct Row {
    std::string name;
    std::string body;
    std::string type;
    int priority;
  };
  const std::vector<Row> rows = {
      {"violence", "There was a bomb threat against the data centre.\n", "abusive-content/violence", 1},
      {"violence from the form", team_form("abusive-content/violence"), "abusive-content/violence", 1},
      {"system compromise", "Our web server was compromised last night.\n", "intrusions/system-compromise", 3},
      {"data leak", "Customer records were leaked.\n", "information-content-security/data-leak", 4},
      {"ddos", "A ddos hits the university.\n", "availability/ddos", 5},
      {"phishing", "A phishing page is hosted there.\n", "fraud/phishing", 9},
      {"infected system", "The host is infected with malware.\n", "malicious-code/infected-system", 10},
      {"spam", "Unsolicited mail again.\n", "abusive-content/spam", 11},
      {"undetermined", "Hello,\nplease call me back tomorrow.\n", "other/undetermined", 13},
      {"undetermined but a word decides", "Something is odd on my workstation.\n", "other/undetermined", 10},
      {"a word decides over the type", "Spam threatens physical safety.\n", "abusive-content/spam", 1},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      const Report report = classify(row.body);
      CHECK(report.classification.type == row.type);
      CHECK(report.classification.priority == row.priority);
      CHECK_FALSE(report.classification.priority_name.empty());
    }
  }
}

TEST_CASE("route: the first matching rule names the queue") {
  struct Row {
    std::string name;
    std::string queue_before;
    EncryptionState encryption;
    std::string signature;
    std::string intake;
    std::string type;
    bool constituency;
    std::string queue;
    std::string rule;
  };
  const std::vector<Row> rows = {
      {"quarantined by the OpenPGP stage stays", "quarantine", EncryptionState::failed, "bad", "vuln",
       "vulnerable/vulnerable-system", true, "quarantine", "quarantined by the OpenPGP stage"},
      {"undecryptable", "incoming", EncryptionState::failed, "none", "incidents", "fraud/phishing", true, "quarantine",
       "undecryptable or malformed"},
      {"bad signature", "incoming", EncryptionState::none, "bad", "incidents", "fraud/phishing", true, "quarantine",
       "tampered or forged signatures"},
      {"vulnerability intake", "incoming", EncryptionState::decrypted, "good", "vuln", "other/undetermined", false,
       "vulnerabilities", "vulnerability reports"},
      {"vulnerable type", "incoming", EncryptionState::none, "none", "incidents", "vulnerable/weak-crypto", true,
       "vulnerabilities", "vulnerable systems"},
      {"vulnerable type outside the constituency", "incoming", EncryptionState::none, "none", "incidents",
       "vulnerable/vulnerable-system", false, "vulnerabilities", "vulnerable systems"},
      {"outside the constituency", "incoming", EncryptionState::none, "unknown-key", "incidents", "fraud/phishing",
       false, "coordination", "outside the constituency"},
      {"everything else", "incoming", EncryptionState::decrypted, "good", "incidents", "fraud/phishing", true,
       "incident-reports", "everything else"},
      {"unknown signer is not bad", "incoming", EncryptionState::none, "unknown-key", "incidents",
       "other/undetermined", true, "incident-reports", "everything else"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      Report report = make_report("Hello.\n", Auth::none, row.intake);
      report.queue = row.queue_before;
      report.crypto.encryption = row.encryption;
      report.crypto.signature = row.signature;
      report.classification.type = row.type;
      report.classification.constituency = row.constituency;
      report = route(report);
      CHECK(report.queue == row.queue);
      CHECK(report.route_rule == row.rule);
      if (row.queue_before != "quarantine") {
        const AuditNote* routed = note(report, "routed");
        REQUIRE(routed != nullptr);
        const auto detail = nlohmann::json::parse(routed->detail);
        CHECK(detail.at("queue") == row.queue);
        CHECK(detail.at("rule") == row.rule);
      }
    }
  }
}

TEST_CASE("classify and route: end to end") {
  struct Row {
    std::string name;
    std::string body;
    std::string intake;
    std::string queue;
  };
  const std::vector<Row> rows = {
      {"CVE report to the vulnerability intake", "CVE-2024-1234 in our product.\n", "vuln", "vulnerabilities"},
      {"CVE report to the incident intake", "Your server is affected by CVE-2024-1234.\n", "incidents",
       "vulnerabilities"},
      {"phishing outside the constituency", "A phishing page at 203.0.113.80.\n", "incidents", "coordination"},
      {"phishing inside the constituency", "A phishing page at 192.0.2.80.\n", "incidents", "incident-reports"},
      {"nothing at all", "Hello.\n", "incidents", "incident-reports"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      Report report = classify(make_report(row.body, Auth::none, row.intake));
      report = route(report);
      CHECK(report.queue == row.queue);
    }
  }
}

TEST_CASE("classify: the blank form's '#' help lines decide nothing") {
  // The help lines list every incident type ("abusive-content/violence" ...)
  // and the TLP labels; only what the reporter wrote may count.
  SUBCASE("the blank form as printed") {
    const Report report = classify(render_blank_form(form(), 1));
    CHECK(report.content.format == "team-form");
    CHECK(report.classification.type == "other/undetermined");
    CHECK(report.classification.priority == 13);
    CHECK(report.classification.tlp == "AMBER");
  }
  SUBCASE("comment lines in a filled-in form") {
    const Report report = classify(
        team_form("other/undetermined", "# e.g. a desktop, workstation or laptop; TLP:RED if unsure\n"), Auth::decrypted);
    CHECK(report.classification.type == "other/undetermined");
    CHECK(report.classification.priority == 13);
    CHECK(report.classification.tlp == "AMBER");
  }
}

TEST_CASE("classify: the audit note records ids, counts and categories") {
  const Report report =
      classify(team_form("fraud/phishing", "IP address: 192.0.2.10\nTLP: RED\n"), Auth::decrypted);
  const AuditNote* classified = note(report, "classified");
  REQUIRE(classified != nullptr);
  const auto detail = nlohmann::json::parse(classified->detail);
  CHECK(detail.at("format") == "team-form");
  CHECK(detail.at("authenticated") == true);
  CHECK(detail.at("type") == "fraud/phishing");
  CHECK(detail.at("type_because") == "reported type");
  CHECK(detail.at("constituency") == true);
  CHECK(detail.at("tlp") == "RED");
  CHECK(detail.at("priority") == 9);
  CHECK(detail.at("fields") == report.content.fields.size());
  CHECK(detail.at("field_errors").empty());
  CHECK(detail.at("indicators").at("ipv4") == 1);
  CHECK(detail.at("indicators").at("email") == 1);
  REQUIRE(detail.at("categories").is_array());
  CHECK(detail.at("categories").size() == report.classification.categories.size());
}

// The note's "categories" carry each DisclosureReason::because verbatim, so an
// indicator's reason names its kind only (it once named the value, and the
// report's e-mail and IP addresses landed in the audit log).
TEST_CASE("classify: the audit note holds no field or indicator values") {
  struct Row {
    std::string name;
    std::string body;
    std::vector<std::string> secrets;
  };
  const std::vector<Row> rows = {
      {"team form",
       team_form("fraud/phishing", "IP address: 192.0.2.10\nHostname: www.example.edu\n"
                                   "Affected accounts: jdoe\nDescription: victim is carol@victim.example\n"),
       {"Alice Example", "alice@partner.example", "192.0.2.10", "www.example.edu", "jdoe", "carol@victim.example"}},
      {"free text", "Phishing mail from 192.0.2.66 to dave@example.edu, see CVE-2024-1234.\n",
       {"192.0.2.66", "dave@example.edu"}},
      {"bad form values", team_form("fraud/phishing", "IP address: 192.0.2.999\nReporter phone: call-me-maybe\n"),
       {"192.0.2.999", "call-me-maybe", "alice@partner.example"}},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      const Report report = classify(row.body);
      const AuditNote* classified = note(report, "classified");
      REQUIRE(classified != nullptr);
      for (const auto& secret : row.secrets) {
        CAPTURE(secret);
        CAPTURE(classified->detail);
        CHECK(classified->detail.find(secret) == std::string::npos);
      }
    }
  }
}

// Bug (schemas/reporting-form.toml): "fraud/unauthorized-use-of-resources" is
// offered but is not the RSIT id "fraud/unauthorised-use-of-resources", so a
// form naming it is classified other/undetermined.
TEST_CASE("classify: every incident type the form offers classifies as itself") {
  const FormField* field = form().find_field(form().category_field);
  REQUIRE(field != nullptr);
  REQUIRE(field->values.size() > 30);
  for (const auto& type : field->values) {
    CAPTURE(type);
    const Report report = classify(team_form(type));
    CHECK(report.classification.type == type);
    CHECK(report.classification.type_because == "reported type");
  }
}

}  // namespace csirtgw
