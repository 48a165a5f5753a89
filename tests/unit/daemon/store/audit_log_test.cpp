// The hash-chained audit log (daemon/store/audit_log.cpp) in a real store in a temp
// directory: appending in transactions, verifying, and every kind of tampering
// done with raw SQL behind csirtgw's back, each reported at the right event.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "temp_dir.h"
#include "audit_log.h"
#include "store.h"

namespace csirtgw {
namespace {

const std::string kGenesis(64, '0');

using testing::TempDir;

void exec(Database& db, const std::string& sql) {
  auto st = db.exec(sql);
  REQUIRE_MESSAGE(st.ok(), sql << ": " << st.error().message);
}

std::string query_text(Database& db, const std::string& sql) {
  auto stmt = db.prepare(sql);
  REQUIRE_MESSAGE(stmt.ok(), sql);
  auto row = stmt->step();
  REQUIRE(row.ok());
  REQUIRE(row.value());
  return stmt->text(0);
}

AuditEvent event_number(int n) {
  return {n % 2 ? "received" : "filed", "spool-" + std::to_string(n), "csirtgw",
          "{\"n\":" + std::to_string(n) + ",\"queue\":\"incoming\"}"};
}

// Appends events first..last, each transaction holding `per_transaction` events.
void append_events(Database& db, int first, int last, int per_transaction = 2) {
  for (int n = first; n <= last;) {
    auto tx = Transaction::begin(db);
    REQUIRE(tx.ok());
    for (int k = 0; k < per_transaction && n <= last; ++k, ++n) {
      auto st = append_audit_event(db, event_number(n));
      REQUIRE_MESSAGE(st.ok(), st.error().message);
    }
    REQUIRE(tx->commit().ok());
  }
}

AuditVerdict verify(Database& db) {
  auto verdict = verify_audit_chain(db);
  REQUIRE_MESSAGE(verdict.ok(), verdict.error().message);
  return verdict.value();
}

}  // namespace

TEST_CASE("audit log: an empty store verifies intact") {
  TempDir dir;
  auto db = open_store(dir.path());
  REQUIRE_MESSAGE(db.ok(), db.error().message);
  CHECK(std::filesystem::exists(dir.path() / "csirtgw.db"));
  const auto verdict = verify(db.value());
  CHECK(verdict.intact);
  CHECK(verdict.events == 0);
  CHECK(verdict.head_hash == kGenesis);
  CHECK(verdict.broken_at == 0);
}

TEST_CASE("audit log: appended events chain and verify") {
  TempDir dir;
  {
    auto db = open_store(dir.path());
    REQUIRE(db.ok());
    append_events(db.value(), 1, 5);
    const auto verdict = verify(db.value());
    CHECK(verdict.intact);
    CHECK(verdict.events == 5);
    CHECK(verdict.reason == "");
    CHECK(verdict.head_hash == query_text(db.value(), "SELECT hash FROM audit WHERE seq = 5"));
    CHECK(verdict.head_hash == query_text(db.value(), "SELECT hash FROM audit_head WHERE id = 1"));

    // Recompute the chain independently from the stored rows.
    auto rows = db->prepare("SELECT seq, at, event, spool_id, actor, detail, prev_hash, hash FROM audit ORDER BY seq");
    REQUIRE(rows.ok());
    std::string prev = kGenesis;
    int count = 0;
    while (true) {
      auto row = rows->step();
      REQUIRE(row.ok());
      if (!row.value()) break;
      ++count;
      CAPTURE(count);
      CHECK(rows->integer(0) == count);
      const AuditEvent expected = event_number(count);
      CHECK(rows->text(2) == expected.event);
      CHECK(rows->text(3) == expected.spool_id);
      CHECK(rows->text(5) == expected.detail);
      CHECK(rows->text(6) == prev);
      CHECK(rows->text(7) == audit_row_hash(prev, count, rows->text(1), expected));
      CHECK(rows->text(7).size() == 64);
      prev = rows->text(7);
    }
    CHECK(count == 5);
  }
  SUBCASE("the chain survives reopening and goes on") {
    auto db = open_store(dir.path());
    REQUIRE(db.ok());
    append_events(db.value(), 6, 8, 3);
    const auto verdict = verify(db.value());
    CHECK(verdict.intact);
    CHECK(verdict.events == 8);
  }
  SUBCASE("a read-only store verifies too") {
    auto db = open_store_read_only(dir.path());
    REQUIRE(db.ok());
    const auto verdict = verify(db.value());
    CHECK(verdict.intact);
    CHECK(verdict.events == 5);
  }
  SUBCASE("a transaction that is not committed leaves no trace") {
    auto db = open_store(dir.path());
    REQUIRE(db.ok());
    {
      auto tx = Transaction::begin(db.value());
      REQUIRE(tx.ok());
      REQUIRE(append_audit_event(db.value(), event_number(6)).ok());
    }  // rolled back
    const auto verdict = verify(db.value());
    CHECK(verdict.intact);
    CHECK(verdict.events == 5);
  }
}

TEST_CASE("audit log: tampering is detected at the right event") {
  struct Row {
    std::string name;
    std::function<void(Database&)> tamper;
    std::int64_t broken_at;
    std::string reason_contains;
  };
  const std::vector<Row> rows = {
      {"edit a detail", [](Database& db) { exec(db, "UPDATE audit SET detail = '{\"n\":99}' WHERE seq = 3"); }, 3,
       "contents do not match"},
      {"edit the first event's time",
       [](Database& db) { exec(db, "UPDATE audit SET at = '2000-01-01T00:00:00.000000Z' WHERE seq = 1"); }, 1,
       "contents do not match"},
      {"edit the last event's actor", [](Database& db) { exec(db, "UPDATE audit SET actor = 'mallory' WHERE seq = 5"); },
       5, "contents do not match"},
      {"edit an event and recompute its hash",
       [](Database& db) {
         const std::string prev = query_text(db, "SELECT prev_hash FROM audit WHERE seq = 3");
         const std::string at = query_text(db, "SELECT at FROM audit WHERE seq = 3");
         AuditEvent forged = event_number(3);
         forged.detail = "{\"n\":3,\"queue\":\"trash\"}";
         exec(db, "UPDATE audit SET detail = '" + forged.detail + "', hash = '" + audit_row_hash(prev, 3, at, forged) +
                      "' WHERE seq = 3");
       },
       4, "does not chain"},
      {"delete a middle event", [](Database& db) { exec(db, "DELETE FROM audit WHERE seq = 3"); }, 3, "missing"},
      {"delete the first event", [](Database& db) { exec(db, "DELETE FROM audit WHERE seq = 1"); }, 1, "missing"},
      {"delete the last event, head left alone", [](Database& db) { exec(db, "DELETE FROM audit WHERE seq = 5"); }, 5,
       "missing"},
      {"delete the last two events", [](Database& db) { exec(db, "DELETE FROM audit WHERE seq >= 4"); }, 4, "missing"},
      {"delete every event", [](Database& db) { exec(db, "DELETE FROM audit"); }, 1, "missing"},
      {"swap two rows' content",
       [](Database& db) {
         exec(db, "CREATE TEMP TABLE copy AS SELECT * FROM audit");
         exec(db,
              "UPDATE audit SET (at, event, spool_id, actor, detail, prev_hash, hash) = "
              "(SELECT at, event, spool_id, actor, detail, prev_hash, hash FROM copy WHERE copy.seq = 6 - audit.seq) "
              "WHERE seq IN (2, 4)");
       },
       2, "does not chain"},
      {"swap two rows' event and detail",
       [](Database& db) {
         exec(db, "CREATE TEMP TABLE copy AS SELECT * FROM audit");
         exec(db,
              "UPDATE audit SET (event, detail) = (SELECT event, detail FROM copy WHERE copy.seq = 6 - audit.seq) "
              "WHERE seq IN (2, 4)");
       },
       2, "contents do not match"},
      {"reorder: swap two rows' seq",
       [](Database& db) {
         exec(db, "UPDATE audit SET seq = -2 WHERE seq = 2");
         exec(db, "UPDATE audit SET seq = 2 WHERE seq = 4");
         exec(db, "UPDATE audit SET seq = 4 WHERE seq = -2");
       },
       2, "does not chain"},
      {"renumber the last event", [](Database& db) { exec(db, "UPDATE audit SET seq = 7 WHERE seq = 5"); }, 5,
       "missing"},
      {"forged event at the end with a correct hash, head not updated",
       [](Database& db) {
         const std::string prev = query_text(db, "SELECT hash FROM audit WHERE seq = 5");
         const std::string at = "2030-01-01T00:00:00.000000Z";
         const AuditEvent forged{"filed", "spool-x", "csirtgw", "{}"};
         auto insert = db.prepare(
             "INSERT INTO audit (seq, at, event, spool_id, actor, detail, prev_hash, hash) VALUES (6,?,?,?,?,?,?,?)");
         REQUIRE(insert.ok());
         insert->bind(1, at).bind(2, forged.event).bind(3, forged.spool_id).bind(4, forged.actor);
         insert->bind(5, forged.detail).bind(6, prev).bind(7, audit_row_hash(prev, 6, at, forged));
         REQUIRE(insert->run().ok());
       },
       6, "not covered by the chain head"},
      {"head moved back by one", [](Database& db) {
         exec(db, "UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit WHERE seq = 4)");
       },
       5, "not covered by the chain head"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      TempDir dir;
      auto db = open_store(dir.path());
      REQUIRE(db.ok());
      append_events(db.value(), 1, 5);
      REQUIRE(verify(db.value()).intact);
      row.tamper(db.value());
      const auto verdict = verify(db.value());
      CHECK_FALSE(verdict.intact);
      CHECK(verdict.broken_at == row.broken_at);
      CHECK_MESSAGE(verdict.reason.find(row.reason_contains) != std::string::npos, verdict.reason);
      CHECK(verdict.head_hash == "");
    }
  }
}

TEST_CASE("audit log: a damaged head record is detected") {
  struct Row {
    std::string name;
    std::string sql;
  };
  const Row rows[] = {
      {"head hash edited", "UPDATE audit_head SET hash = '" + std::string(64, 'f') + "'"},
      {"head seq moved forward", "UPDATE audit_head SET seq = 9"},
      {"head row deleted", "DELETE FROM audit_head"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      TempDir dir;
      auto db = open_store(dir.path());
      REQUIRE(db.ok());
      append_events(db.value(), 1, 3);
      exec(db.value(), row.sql);
      const auto verdict = verify(db.value());
      CHECK_FALSE(verdict.intact);
      CHECK(verdict.broken_at >= 1);
      CHECK_FALSE(verdict.reason.empty());
    }
  }
}

TEST_CASE("audit log: the row hash is an unambiguous encoding") {
  const AuditEvent base{"received", "s1", "csirtgw", "{}"};
  const std::string at = "2024-01-01T00:00:00.000000Z";
  const std::string h = audit_row_hash(kGenesis, 1, at, base);
  CHECK(h.size() == 64);
  CHECK(h.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(audit_row_hash(kGenesis, 1, at, base) == h);  // deterministic

  struct Variant {
    const char* name;
    std::string prev;
    std::int64_t seq;
    std::string at;
    AuditEvent event;
  };
  const Variant variants[] = {
      {"prev hash", std::string(64, '1'), 1, at, base},
      {"seq", kGenesis, 2, at, base},
      {"time", kGenesis, 1, "2024-01-01T00:00:00.000001Z", base},
      {"event", kGenesis, 1, at, {"filed", "s1", "csirtgw", "{}"}},
      {"spool id", kGenesis, 1, at, {"received", "s2", "csirtgw", "{}"}},
      {"actor", kGenesis, 1, at, {"received", "s1", "root", "{}"}},
      {"detail", kGenesis, 1, at, {"received", "s1", "csirtgw", "{ }"}},
      {"field boundary moved (event/spool id)", kGenesis, 1, at, {"receiveds", "1", "csirtgw", "{}"}},
      {"field boundary moved (actor/detail)", kGenesis, 1, at, {"received", "s1", "csirtgw{", "}"}},
      {"separator inside a field", kGenesis, 1, at, {"received", "s1;8:csirtgw", "", "{}"}},
  };
  for (const auto& v : variants) {
    CAPTURE(v.name);
    CHECK(audit_row_hash(v.prev, v.seq, v.at, v.event) != h);
  }
}

TEST_CASE("audit log: timestamps are UTC with microseconds") {
  const std::string t = utc_timestamp_now();
  REQUIRE(t.size() == 27);
  const std::string shape = "dddd-dd-ddTdd:dd:dd.ddddddZ";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    CAPTURE(i);
    if (shape[i] == 'd')
      CHECK((t[i] >= '0' && t[i] <= '9'));
    else
      CHECK(t[i] == shape[i]);
  }
  CHECK(t.substr(0, 2) == "20");
}

}  // namespace csirtgw
