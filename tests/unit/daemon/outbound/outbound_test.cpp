// The outbound queue (daemon/store/outbound_store.cpp, daemon/outbound/ack_planner.cpp,
// daemon/outbound/ack_sender.cpp's pure parts) on a real SQLite store.
#include <doctest/doctest.h>

#include <ctime>

#include "ack_planner.h"
#include "ack_sender.h"
#include "outbound_store.h"
#include "store.h"
#include "temp_dir.h"

namespace csirtgw {

TEST_CASE("retry_delay doubles from retry_min up to retry_max") {
  CHECK(retry_delay(1, 60, 3600) == 60);
  CHECK(retry_delay(2, 60, 3600) == 120);
  CHECK(retry_delay(3, 60, 3600) == 240);
  CHECK(retry_delay(7, 60, 3600) == 3600);
  CHECK(retry_delay(1000, 60, 3600) == 3600);  // no overflow
  CHECK(retry_delay(1, 5000, 3600) == 3600);
}

TEST_CASE("split_host_port") {
  CHECK(split_host_port("127.0.0.1:25") == std::make_pair(std::string("127.0.0.1"), std::string("25")));
  CHECK(split_host_port("[::1]:2525") == std::make_pair(std::string("::1"), std::string("2525")));
  CHECK(split_host_port("relay.example:smtp") == std::make_pair(std::string("relay.example"), std::string("smtp")));
  CHECK(!split_host_port(""));
  CHECK(!split_host_port("host"));
  CHECK(!split_host_port(":25"));
  CHECK(!split_host_port("host:"));
  CHECK(!split_host_port("[::1:25"));
}

TEST_CASE("outbound store: queue, due, defer, send, fail") {
  testing::TempDir dir("csirtgw-outbound");
  auto db = open_store(dir.path());
  REQUIRE(db);
  const std::int64_t now = 1'000'000;
  {
    auto tx = Transaction::begin(db.value());
    REQUIRE(tx);
    REQUIRE(insert_outbound(db.value(), {"s1", "XYZ-CERT #1", "Rep@Example.org", "<ack.s1@h>", false, 0, 0}, now));
    REQUIRE(insert_outbound(db.value(), {"s2", "XYZ-CERT #2", "rep@example.org", "<ack.s2@h>", true, 0, 0}, now + 1));
    // Filing the same report again never queues a second acknowledgement.
    REQUIRE(insert_outbound(db.value(), {"s1", "XYZ-CERT #1", "rep@example.org", "<ack.s1@h>", false, 0, 0}, now + 2));
    REQUIRE(tx->commit());
  }
  SUBCASE("the rate-limit count ignores the address's case and respects the window") {
    CHECK(outbound_count_since(db.value(), "REP@example.ORG", now).value() == 2);
    CHECK(outbound_count_since(db.value(), "rep@example.org", now + 1).value() == 1);
    CHECK(outbound_count_since(db.value(), "other@example.org", 0).value() == 0);
  }
  SUBCASE("due rows, oldest first; deferral moves the next attempt") {
    REQUIRE(queued_outbound(db.value())->size() == 2);
    auto due = due_outbound(db.value(), now + 5, 10);
    REQUIRE(due);
    REQUIRE(due->size() == 2);
    CHECK(due->at(0).spool_id == "s1");
    CHECK(due->at(1).encrypted);
    REQUIRE(mark_outbound_deferred(db.value(), "s1", 1, now + 65, "451 try later"));
    CHECK(due_outbound(db.value(), now + 5, 10)->size() == 1);
    CHECK(seconds_until_next_outbound(db.value(), now + 5).value() == 0);
    REQUIRE(mark_outbound_sent(db.value(), "s2", "250 ok"));
    CHECK(seconds_until_next_outbound(db.value(), now + 5).value() == 60);
    CHECK(due_outbound(db.value(), now + 65, 10)->at(0).attempts == 1);
    REQUIRE(mark_outbound_failed(db.value(), "s1", "550 no"));
    CHECK(seconds_until_next_outbound(db.value(), now).value() == -1);
    CHECK(due_outbound(db.value(), now + 1000, 10)->empty());
    CHECK(queued_outbound(db.value())->empty());
    CHECK(outbound_row_exists(db.value(), "s1").value());
    CHECK(!outbound_row_exists(db.value(), "s3").value());
  }
}

TEST_CASE("AckPlanner: rate limit counts the queue and the batch being filed") {
  testing::TempDir dir("csirtgw-planner");
  auto db = open_store(dir.path());
  REQUIRE(db);
  Config config = default_config();
  config.ack_rate_limit = 3;
  {
    auto tx = Transaction::begin(db.value());
    REQUIRE(insert_outbound(db.value(), {"old", "XYZ-CERT #1", "rep@example.org", "<a@h>", false, 0, 0},
                            std::time(nullptr) - 10));
    REQUIRE(tx->commit());
  }
  AckPlanner planner(config, db.value());
  auto report = [](const std::string& id, const std::string& sender) {
    Report r;
    r.spool_id = id;
    r.sender = sender;
    r.ticket = "XYZ-CERT #" + id;
    r.recipients = {{"abuse@csirt.example", "abuse"}};
    r.raw_message = "From: x\r\nMessage-ID: <m" + id + "@example.org>\r\n\r\nbody\r\n";
    r.crypto.encryption = EncryptionState::failed;
    return r;
  };
  auto first = planner.plan(report("2", "Rep@example.org"), true);
  REQUIRE(first);
  CHECK(!first->suppressed);
  CHECK(first->request.recipient == "Rep@example.org");
  CHECK(first->request.from_address == "abuse@csirt.example");
  CHECK(first->request.intake_name == "abuse");
  CHECK(first->request.in_reply_to == "<m2@example.org>");
  CHECK(first->request.report_encrypted);  // attempted counts, not only success
  CHECK(planner.plan(report("3", "rep@example.org"), true).value().suppressed == std::nullopt);
  auto third = planner.plan(report("4", "rep@example.org"), true);
  REQUIRE(third);
  CHECK(third->suppressed.value_or("").find("rate limit: 3") == 0);
  CHECK(third->request.ticket == "XYZ-CERT #4");
  CHECK(!planner.plan(report("5", "other@example.org"), true).value().suppressed);
}

}  // namespace csirtgw
