// The route stage (filters/route/route_stage.cpp) under the embedded default
// policy: the first rule whose conditions hold names the queue, the quarantine
// stays, and a constituent's report that points outside is an incident for the
// team, not a coordination case.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "filters/default_rules.h"
#include "route_stage.h"

namespace csirtgw {
namespace {

Report make_report(const std::string& intake) {
  Report report;
  report.spool_id = "20240501T000000-000001";
  report.recipients = {{"cert@csirt.example", intake}};
  report.raw_message = "From: reporter@partner.example\r\nSubject: x\r\n\r\nHello.\r\n";
  return report;
}

Report route(Report report) {
  RouteStage stage(testing::default_policy());
  const FilterOutcome outcome = stage.process(report);
  CHECK(outcome.verdict == FilterVerdict::proceed);
  return report;
}

const AuditNote* note(const Report& report, const std::string& event) {
  for (const auto& n : report.audit_notes)
    if (n.event == event) return &n;
  return nullptr;
}

}  // namespace

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
      Report report = make_report(row.intake);
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

TEST_CASE("route: a constituent's report is an incident for the team") {
  struct Row {
    std::string name;
    bool reporter_constituent;
    bool constituency;
    std::string type;
    std::string intake;
    std::string queue;
    std::string rule;
  };
  const std::vector<Row> rows = {
      {"constituent's phishing report pointing outside", true, false, "fraud/phishing", "incidents",
       "incident-reports", "reported by a constituent"},
      {"constituent's threat pointing outside", true, false, "abusive-content/violence", "incidents",
       "incident-reports", "reported by a constituent"},
      {"outsider's phishing report pointing outside", false, false, "fraud/phishing", "incidents", "coordination",
       "outside the constituency"},
      {"constituent's vulnerability report still goes to vulnerabilities", true, false, "vulnerable/vulnerable-system",
       "incidents", "vulnerabilities", "vulnerable systems"},
      {"constituent's report inside", true, true, "fraud/phishing", "incidents", "incident-reports",
       "reported by a constituent"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      Report report = make_report(row.intake);
      report.classification.type = row.type;
      report.classification.constituency = row.constituency;
      report.classification.reporter_constituent = row.reporter_constituent;
      report = route(report);
      CHECK(report.queue == row.queue);
      CHECK(report.route_rule == row.rule);
      const AuditNote* routed = note(report, "routed");
      REQUIRE(routed != nullptr);
      CHECK(nlohmann::json::parse(routed->detail).at("rule") == row.rule);
    }
  }
}

TEST_CASE("route: reporter_constituent in a policy is checked") {
  const std::string policy = "[tickets]\nprefix = \"T\"\n[[route]]\nname = \"own\"\nreporter_constituent = true\n"
                             "queue = \"own\"\n[[route]]\nqueue = \"rest\"\n[[route]]\nbogus = 1\nqueue = \"x\"\n";
  LoadedPolicy loaded = parse_policy(policy, rsit_taxonomy_text());
  REQUIRE(loaded.errors.size() == 1);
  CHECK(loaded.errors[0].message == "route.bogus: unknown setting");
  REQUIRE(loaded.policy.routes.size() == 3);
  CHECK(loaded.policy.routes[0].reporter_constituent == true);
  CHECK_FALSE(loaded.policy.routes[1].reporter_constituent.has_value());
}

}  // namespace csirtgw
