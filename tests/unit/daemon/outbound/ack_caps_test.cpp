// The backscatter caps of the AckPlanner (daemon/outbound/ack_planner.h): per recipient
// domain within ack.rate_window, over all recipients within the hour, and how
// they combine with the per-address limit — on a real SQLite store whose
// outbound rows stand for acknowledgements queued before (also before a
// restart: a new planner reads them again).
#include <doctest/doctest.h>

#include <ctime>
#include <string>
#include <vector>

#include "ack_planner.h"
#include "once_per_window.h"
#include "outbound_store.h"
#include "store.h"
#include "temp_dir.h"

namespace csirtgw {
namespace {

struct Queued {
  std::string recipient;
  std::int64_t age;  // seconds before now
};

struct Planned {
  std::string sender;
  const char* suppressed;  // nullptr: acknowledged; else how the reason starts
};

struct CapCase {
  const char* name;
  std::int64_t rate_limit, domain_limit, global_limit, window;
  std::vector<Queued> queued;
  std::vector<Planned> plans;  // in one batch, in order
};

Report report_from(const std::string& id, const std::string& sender) {
  Report r;
  r.spool_id = id;
  r.sender = sender;
  r.ticket = "XYZ-CERT #" + id;
  r.recipients = {{"cert@csirt.example", "cert"}};
  r.raw_message = "From: x\r\nMessage-ID: <m" + id + "@example.org>\r\n\r\nbody\r\n";
  return r;
}

}  // namespace

TEST_CASE("AckPlanner caps: per domain, over everyone, and with the per-address limit") {
  const std::vector<CapCase> cases = {
      {"the domain cap counts the queue and the batch, any address and case at that domain",
       0, 2, 0, 3600,
       {{"a@victim.example", 10}, {"a@other.example", 10}},
       {{"b@victim.example", nullptr},
        {"c@VICTIM.example", "domain rate limit: 2 acknowledgements to this domain within 3600 s "
                             "(ack.domain_rate_limit = 2)"},
        {"d@other.example", nullptr}}},
      {"the domain cap's window is ack.rate_window",
       0, 1, 0, 60,
       {{"a@victim.example", 120}},
       {{"b@victim.example", nullptr}, {"c@victim.example", "domain rate limit: 1 "}}},
      {"only that very domain counts, not its subdomains or look-alikes",
       0, 1, 0, 3600,
       {{"a@sub.victim.example", 10}, {"a@victim.example.evil", 10}, {"\"x@victim.example\"@evil.example", 10}},
       {{"b@victim.example", nullptr}}},
      {"the global cap counts every recipient within the hour, whatever ack.rate_window says",
       0, 0, 3, 60,
       {{"a@one.example", 10}, {"b@two.example", 1800}, {"c@three.example", 3700}},
       {{"d@four.example", nullptr},
        {"e@five.example", "global rate limit: 3 acknowledgements within 3600 s (ack.global_rate_limit = 3)"},
        {"f@six.example", "global rate limit: 3 "}}},
      {"0 disables both caps",
       0, 0, 0, 3600,
       {{"a@victim.example", 1}, {"b@victim.example", 2}, {"c@victim.example", 3}},
       {{"d@victim.example", nullptr}, {"e@victim.example", nullptr}}},
      {"the per-address limit comes first; a suppressed acknowledgement counts for no cap",
       1, 2, 3, 3600,
       {{"rep@victim.example", 10}},
       {{"rep@victim.example", "rate limit: 1 acknowledgements to this address"},
        {"other@victim.example", nullptr},
        {"third@victim.example", "domain rate limit: 2 "},
        {"rep@elsewhere.example", nullptr},
        {"next@more.example", "global rate limit: 3 "}}},
      {"the domain cap before the global one when both are reached",
       0, 1, 1, 3600,
       {{"a@victim.example", 10}},
       {{"b@victim.example", "domain rate limit: 1 "}, {"c@other.example", "global rate limit: 1 "}}},
      {"a limit lowered below what was queued still suppresses, with the real count",
       0, 0, 2, 3600,
       {{"a@one.example", 1}, {"b@two.example", 2}, {"c@three.example", 3}},
       {{"d@four.example", "global rate limit: 3 acknowledgements within 3600 s (ack.global_rate_limit = 2)"}}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    testing::TempDir dir("csirtgw-caps");
    auto db = open_store(dir.path());
    REQUIRE(db);
    Config config = default_config();
    config.ack_rate_limit = c.rate_limit;
    config.ack_domain_rate_limit = c.domain_limit;
    config.ack_global_rate_limit = c.global_limit;
    config.ack_rate_window = c.window;
    const std::int64_t now = std::time(nullptr);
    {
      auto tx = Transaction::begin(db.value());
      REQUIRE(tx);
      int n = 0;
      for (const auto& q : c.queued) {
        const std::string id = "q" + std::to_string(++n);
        REQUIRE(insert_outbound(db.value(), {id, "XYZ-CERT #" + id, q.recipient, "<" + id + "@h>", false, 0, 0},
                                now - q.age));
      }
      REQUIRE(tx->commit());
    }
    AckPlanner planner(config, db.value());
    int n = 0;
    for (const auto& p : c.plans) {
      CAPTURE(p.sender);
      auto plan = planner.plan(report_from("p" + std::to_string(++n), p.sender), true);
      REQUIRE(plan);
      if (!p.suppressed) {
        CHECK_MESSAGE(!plan->suppressed, plan->suppressed.value_or(""));
      } else {
        REQUIRE(plan->suppressed);
        CHECK_MESSAGE(plan->suppressed->rfind(p.suppressed, 0) == 0, *plan->suppressed);
        // The reason names the cap and counts, never whom it concerns.
        CHECK(plan->suppressed->find("example") == std::string::npos);
      }
    }
  }
}

TEST_CASE("AckPlanner caps: the counts survive a restart (a new planner reads the store)") {
  testing::TempDir dir("csirtgw-caps-restart");
  auto db = open_store(dir.path());
  REQUIRE(db);
  Config config = default_config();
  config.ack_rate_limit = 0;
  config.ack_domain_rate_limit = 1;
  config.ack_global_rate_limit = 0;
  {
    AckPlanner planner(config, db.value());
    auto plan = planner.plan(report_from("1", "a@victim.example"), true);
    REQUIRE(plan);
    REQUIRE(!plan->suppressed);
    // What the worker does with a plan that is not suppressed, in the batch's transaction.
    auto tx = Transaction::begin(db.value());
    REQUIRE(insert_outbound(db.value(), {"1", "XYZ-CERT #1", "a@victim.example", "<ack.1@h>", false, 0, 0},
                            std::time(nullptr)));
    REQUIRE(tx->commit());
  }
  AckPlanner after_restart(config, db.value());
  auto plan = after_restart.plan(report_from("2", "b@victim.example"), true);
  REQUIRE(plan);
  CHECK(plan->suppressed.value_or("").rfind("domain rate limit: 1 ", 0) == 0);
}

TEST_CASE("outbound_count_domain_since: exactly the domain, its case ignored, LIKE's wildcards literal") {
  testing::TempDir dir("csirtgw-caps-count");
  auto db = open_store(dir.path());
  REQUIRE(db);
  const std::int64_t now = 1'000'000;
  {
    auto tx = Transaction::begin(db.value());
    int n = 0;
    for (const char* r : {"a@Ex_mple.ORG", "b@exxmple.org", "c@ex%ple.org", "d@ex_mple.org", "e@sub.ex_mple.org"}) {
      const std::string id = "s" + std::to_string(++n);
      REQUIRE(insert_outbound(db.value(), {id, "T", r, "<" + id + "@h>", false, 0, 0}, now + n));
    }
    REQUIRE(tx->commit());
  }
  CHECK(outbound_count_domain_since(db.value(), "ex_mple.org", now).value() == 2);
  CHECK(outbound_count_domain_since(db.value(), "ex_mple.org", now + 2).value() == 1);
  CHECK(outbound_count_domain_since(db.value(), "exxmple.org", now).value() == 1);
  CHECK(outbound_count_domain_since(db.value(), "ex%ple.org", now).value() == 1);
  CHECK(outbound_count_domain_since(db.value(), "mple.org", now).value() == 0);
  CHECK(outbound_count_all_since(db.value(), now).value() == 5);
  CHECK(outbound_count_all_since(db.value(), now + 5).value() == 1);
}

TEST_CASE("OncePerWindow: the first time, then not again within the window") {
  OncePerWindow once;
  CHECK(once.first_in_window("global", 1000, 3600));
  CHECK(!once.first_in_window("global", 1001, 3600));
  CHECK(once.first_in_window("domain a.example", 1001, 60));
  CHECK(!once.first_in_window("domain a.example", 1060, 60));
  CHECK(once.first_in_window("domain a.example", 1061, 60));
  CHECK(!once.first_in_window("global", 4599, 3600));
  CHECK(once.first_in_window("global", 4600, 3600));
}

}  // namespace csirtgw
