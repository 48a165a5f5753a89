// The filing worker's acknowledgement steps (daemon/pipeline/ack_step.cpp) on a
// real SQLite store and real keys: a plan names the reporter; a cap suppresses
// and nothing is composed; a store failure defers; a throw quarantines the
// report with the step's name and no acknowledgement; composing signs, and a
// team key that cannot sign is recorded as the ack's failure, not a deferral.
#include <doctest/doctest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "ack_step.h"
#include "agent_shards.h"
#include "config.h"
#include "openpgp_test_keys.h"
#include "store.h"
#include "temp_dir.h"

namespace csirtgw {
namespace {

Report report_from(const std::string& id, const std::string& sender, const std::string& body = "body") {
  Report r;
  r.spool_id = id;
  r.sender = sender;
  r.ticket = "XYZ-CERT #" + id;
  r.recipients = {{"cert@csirt.example", "cert"}};
  r.raw_message = "From: x\r\nMessage-ID: <m" + id + "@example.org>\r\n\r\n" + body + "\r\n";
  return r;
}

Config unlimited_config() {
  Config config = default_config();
  config.ack_rate_limit = 0;
  config.ack_domain_rate_limit = 0;
  config.ack_global_rate_limit = 0;
  return config;
}

}  // namespace

TEST_CASE("plan_ack: planned, suppressed, deferred, quarantined") {
  testing::TempDir dir("csirtgw-ack-step");
  auto db = open_store(dir.path());
  REQUIRE(db);
  Config config = unlimited_config();
  const TestFaults no_faults;

  SUBCASE("a new report's acknowledgement goes to its sender") {
    AckPlanner planner(config, db.value());
    Report report = report_from("1", "reporter@example.org");
    auto planned = plan_ack(report, planner, true, no_faults);
    REQUIRE(planned.ack);
    CHECK_FALSE(planned.deferred_by);
    CHECK_FALSE(planned.ack->suppressed);
    CHECK(planned.ack->request.recipient == "reporter@example.org");
    CHECK(planned.ack->request.ticket == "XYZ-CERT #1");
    CHECK_FALSE(report.fault);
  }

  SUBCASE("over the per-address cap: planned as suppressed, and compose_ack leaves it alone") {
    config.ack_rate_limit = 1;
    AckPlanner planner(config, db.value());
    Report first = report_from("1", "reporter@example.org");
    Report second = report_from("2", "reporter@example.org");
    REQUIRE(plan_ack(first, planner, true, no_faults).ack);
    auto planned = plan_ack(second, planner, true, no_faults);
    REQUIRE(planned.ack);
    REQUIRE(planned.ack->suppressed);
    // No composer is needed for a suppressed acknowledgement: nothing is signed.
    testing::TempDir shard_dir("csirtgw-ack-step-shards");
    AgentShards shards(shard_dir.path() / "home", shard_dir.path() / "shards", 1);
    auto templates = load_ack_templates(config);
    REQUIRE(templates);
    AckComposer composer(config, templates.value(), shards, 0, "0000000000000000000000000000000000000000");
    CHECK_FALSE(compose_ack(second, planned.ack, composer));
    REQUIRE(planned.ack);
    CHECK_FALSE(planned.ack->composed);
    CHECK(planned.ack->failure.empty());
  }

  SUBCASE("a store that fails defers the report, with the reason") {
    REQUIRE(db->exec("DROP TABLE outbound"));
    config.ack_rate_limit = 5;  // the plan has to count the queued acknowledgements
    AckPlanner planner(config, db.value());
    Report report = report_from("1", "reporter@example.org");
    auto planned = plan_ack(report, planner, true, no_faults);
    CHECK_FALSE(planned.ack);
    REQUIRE(planned.deferred_by);
    CHECK(planned.deferred_by->rfind("acknowledgement plan: ", 0) == 0);
    CHECK_FALSE(report.fault);
  }

  SUBCASE("a plan that throws quarantines that report only") {
    const auto faults = TestFaults::parse("throw:acknowledgement:POISON-7");
    AckPlanner planner(config, db.value());
    Report poisoned = report_from("1", "reporter@example.org", "carries POISON-7 in its body");
    Report healthy = report_from("2", "reporter@example.org");
    auto planned = plan_ack(poisoned, planner, true, faults);
    CHECK_FALSE(planned.ack);
    CHECK_FALSE(planned.deferred_by);
    REQUIRE(poisoned.fault);
    CHECK(poisoned.fault->stage == "acknowledgement");
    CHECK(poisoned.queue == "quarantine");
    REQUIRE(poisoned.audit_notes.size() == 1);
    CHECK(poisoned.audit_notes[0].event == "quarantined");
    const auto detail = nlohmann::json::parse(poisoned.audit_notes[0].detail);
    CHECK(detail["stage"] == "acknowledgement");
    CHECK(detail["exception"] == "std::logic_error");
    CHECK(poisoned.audit_notes[0].detail.find("injected") == std::string::npos);  // never what()
    auto next = plan_ack(healthy, planner, true, faults);
    CHECK(next.ack);
    CHECK_FALSE(healthy.fault);
  }
}

TEST_CASE("compose_ack with real keys: signed, or the failure recorded") {
  testing::OpenPgpWorld& w = testing::ready_world();
  testing::TempDir dir("csirtgw-ack-step-compose");
  Config config = unlimited_config();
  auto templates = load_ack_templates(config);
  REQUIRE(templates);
  AgentShards shards(w.team_home, dir.path() / "shards", 1);
  REQUIRE(shards.prepare());
  Report report = report_from("20260101T000000-step", "reporter@example.org");
  std::optional<AckOutcome> ack = AckOutcome{};
  ack->request.spool_id = report.spool_id;
  ack->request.ticket = "XYZ-CERT #3";
  ack->request.recipient = "reporter@example.org";
  ack->request.from_address = "cert@csirt.example";
  ack->request.intake_name = "cert";

  SUBCASE("the team key signs") {
    AckComposer composer(config, templates.value(), shards, 0, w.team_fpr);
    CHECK_FALSE(compose_ack(report, ack, composer));
    REQUIRE(ack);
    REQUIRE(ack->composed);
    CHECK(ack->composed->message.find("application/pgp-signature") != std::string::npos);
    CHECK(ack->failure.empty());
  }

  SUBCASE("a team key that is not there: the report is filed, the failure audited") {
    AckComposer composer(config, templates.value(), shards, 0, "0000000000000000000000000000000000000000");
    CHECK_FALSE(compose_ack(report, ack, composer));
    REQUIRE(ack);
    CHECK_FALSE(ack->composed);
    CHECK_FALSE(ack->failure.empty());
    CHECK_FALSE(report.fault);
  }
}

TEST_CASE("TestFaults::parse: STEP and MARKER per comma-separated entry, malformed entries ignored") {
  Report marked = report_from("1", "a@example.org", "MARK-A and MARK-B");
  CHECK_NOTHROW(TestFaults::parse("").inject("tickets", marked));
  CHECK_NOTHROW(TestFaults::parse("throw:filing:MARK-Z").inject("filing", marked));
  CHECK_NOTHROW(TestFaults::parse("throw:filing:MARK-A").inject("tickets", marked));
  CHECK_THROWS(TestFaults::parse("nonsense,throw:tickets:MARK-B").inject("tickets", marked));
  CHECK_NOTHROW(TestFaults::parse("throw-without-colons").inject("tickets", marked));
}

}  // namespace csirtgw
