// Follow-ups do not relabel their ticket (daemon/pipeline/ticket_step.cpp,
// ticket_store.cpp): a follow-up is filed with the ticket's strictest TLP label
// and the ticket row agrees; a follow-up's sender is a participant when it is a
// verified signer, the reporter's address or an earlier participant's; anyone
// else's mail is marked, audited and raises the ticket's attention.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "status_headers.h"
#include "store.h"
#include "temp_dir.h"
#include "ticket_store.h"

namespace csirtgw {
namespace {

const std::string kPrefix = "XYZ-CERT";

Report make_report(const std::string& spool_id, const std::string& from, const std::string& subject,
                   const std::string& tlp, bool verified = false) {
  Report report;
  report.spool_id = spool_id;
  report.raw_message = "From: " + from + "\r\nTo: cert@csirt.example\r\nSubject: " + subject +
                       "\r\nMessage-ID: <" + spool_id + "@x>\r\n\r\nbody\r\n";
  report.queue = "incident-reports";
  report.classification.type = "fraud/phishing";
  report.classification.tlp = tlp;
  if (verified) {
    report.crypto.signature = "good";
    report.crypto.sender_verified = true;
  }
  return report;
}

// A fresh store, with the report that opens ticket #1 assigned.
struct OneTicket {
  testing::TempDir dir;
  Database db;
  explicit OneTicket(Report first) : db(opened(dir)) {
    auto tx = Transaction::begin(db);
    REQUIRE(tx.ok());
    auto made = assign_ticket(db, first, kPrefix);
    REQUIRE_MESSAGE(made.ok(), made.error().message);
    REQUIRE(made->created);
    REQUIRE(tx->commit().ok());
  }
  static Database opened(const testing::TempDir& dir) {
    auto store = open_store(dir.path());
    REQUIRE_MESSAGE(store.ok(), store.error().message);
    return std::move(store.value());
  }
};

TicketAssignment assign(Database& db, Report& report) {
  auto tx = Transaction::begin(db);
  REQUIRE(tx.ok());
  auto assigned = assign_ticket(db, report, kPrefix);
  REQUIRE_MESSAGE(assigned.ok(), assigned.error().message);
  REQUIRE(tx->commit().ok());
  if (!assigned->created) follow_ticket(report, assigned.value());
  return assigned.value();
}

TicketSummary summary(Database& db, std::int64_t number) {
  auto detail = ticket_detail(db, number);
  REQUIRE(detail.ok());
  REQUIRE(detail->has_value());
  return (*detail)->summary;
}

std::vector<nlohmann::json> audit_details(Database& db, const std::string& event) {
  auto stmt = db.prepare("SELECT detail FROM audit WHERE event = ? ORDER BY seq");
  REQUIRE(stmt.ok());
  stmt->bind(1, event);
  std::vector<nlohmann::json> out;
  while (true) {
    auto row = stmt->step();
    REQUIRE(row.ok());
    if (!row.value()) break;
    out.push_back(nlohmann::json::parse(stmt->text(0)));
  }
  return out;
}

}  // namespace

TEST_CASE("ticket step: a follow-up inherits the ticket's strictest label") {
  struct Row {
    std::string name;
    std::string ticket_tlp;
    std::string follow_up_tlp;
    std::string filed_tlp;  // the follow-up's X-Csirtgw-TLP and the ticket row afterwards
  };
  const std::vector<Row> rows = {
      {"RED ticket, AMBER follow-up", "RED", "AMBER", "RED"},
      {"RED ticket, CLEAR follow-up", "RED", "CLEAR", "RED"},
      {"AMBER ticket, RED follow-up tightens the ticket", "AMBER", "RED", "RED"},
      {"AMBER+STRICT ticket, GREEN follow-up", "AMBER+STRICT", "GREEN", "AMBER+STRICT"},
      {"same label", "AMBER", "AMBER", "AMBER"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      OneTicket store(make_report("s1", "alice@partner.example", "Phishing", row.ticket_tlp));
      Database& db = store.db;
      Report follow = make_report("s2", "alice@partner.example", "Re: [XYZ-CERT #1] Phishing", row.follow_up_tlp);
      const TicketAssignment joined = assign(db, follow);
      CHECK_FALSE(joined.created);
      CHECK(joined.number == 1);
      CHECK(follow.classification.tlp == row.filed_tlp);
      CHECK(summary(db, 1).tlp == row.filed_tlp);
      CHECK(render_status_headers(follow).find("X-Csirtgw-TLP: " + row.filed_tlp + "\n") != std::string::npos);
    }
  }
}

TEST_CASE("ticket step: who is a participant") {
  struct Row {
    std::string name;
    std::string from;
    bool verified;
    bool participant;
    std::string because;
  };
  const std::vector<Row> rows = {
      {"the reporter's address", "Alice <ALICE@partner.example>", false, true, "the reporter's address"},
      {"a verified signer", "bob@elsewhere.example", true, true, "verified signer"},
      {"an outsider", "eve@attacker.example", false, false, "unauthenticated, not a participant"},
      {"an outsider naming the reporter in the display name", "\"alice@partner.example\" <eve@attacker.example>", false,
       false, "unauthenticated, not a participant"},
      {"two From addresses", "alice@partner.example, eve@attacker.example", false, false, "no single From address"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      OneTicket store(make_report("s1", "Alice <alice@partner.example>", "Phishing", "RED"));
      Database& db = store.db;
      Report follow = make_report("s2", row.from, "Re: [XYZ-CERT #1] Phishing", "AMBER", row.verified);
      const TicketAssignment joined = assign(db, follow);
      REQUIRE(joined.participant.has_value());
      CHECK(*joined.participant == row.participant);
      CHECK(follow.participant == row.participant);
      CHECK(follow.classification.tlp == "RED");
      const std::string headers = render_status_headers(follow);
      CHECK(headers.find(std::string("X-Csirtgw-Participant: ") + (row.participant ? "yes" : "no") + "\n") !=
            std::string::npos);
      CHECK(summary(db, 1).attention == (row.participant ? 0 : 1));
      const auto joined_events = audit_details(db, "ticket-joined");
      REQUIRE(joined_events.size() == 1);
      CHECK(joined_events[0].at("participant") == row.participant);
      CHECK(joined_events[0].at("participant_because") == row.because);
      CHECK(joined_events[0].at("tlp") == "RED");
      CHECK(audit_details(db, "attention-raised").size() == (row.participant ? 0u : 1u));
      auto detail = ticket_detail(db, 1);
      REQUIRE(detail.ok());
      REQUIRE((*detail)->messages.size() == 2);
      CHECK((*detail)->messages[1].participant == row.participant);
    }
  }
}

TEST_CASE("ticket step: participants carry on, outsiders stay outside") {
  OneTicket store(make_report("s1", "alice@partner.example", "Phishing", "AMBER"));
  Database& db = store.db;
  // A verified signer takes part; later unsigned mail from the same address is a participant's.
  Report signed_mail = make_report("s2", "bob@elsewhere.example", "[XYZ-CERT #1]", "AMBER", true);
  CHECK(assign(db, signed_mail).participant == true);
  Report later = make_report("s3", "bob@elsewhere.example", "[XYZ-CERT #1] more", "AMBER");
  CHECK(assign(db, later).participant == true);
  // An outsider twice: never a participant by having written before.
  for (const char* spool : {"s4", "s5"}) {
    Report outsider = make_report(spool, "eve@attacker.example", "[XYZ-CERT #1] hi", "CLEAR");
    CHECK(assign(db, outsider).participant == false);
  }
  CHECK(summary(db, 1).attention == 2);
  CHECK(summary(db, 1).tlp == "AMBER");
  // Filed again after a crash: the same answer, counted once.
  Report again = make_report("s5", "eve@attacker.example", "[XYZ-CERT #1] hi", "CLEAR");
  const TicketAssignment retried = assign(db, again);
  CHECK(retried.participant == false);
  CHECK(again.classification.tlp == "AMBER");
  CHECK(summary(db, 1).attention == 2);
}

TEST_CASE("ticket step: follow_ticket keeps a quarantined follow-up in quarantine") {
  Report report = make_report("s1", "a@b.example", "x", "GREEN");
  report.queue = "quarantine";
  TicketAssignment ticket;
  ticket.number = 3;
  ticket.queue = "coordination";
  ticket.tlp = "AMBER";
  ticket.participant = true;
  follow_ticket(report, ticket);
  CHECK(report.queue == "quarantine");
  CHECK(report.classification.tlp == "AMBER");
  CHECK(report.classification.tlp_because == "the ticket's label");
  report.queue = "incident-reports";
  follow_ticket(report, ticket);
  CHECK(report.queue == "coordination");
}

}  // namespace csirtgw
