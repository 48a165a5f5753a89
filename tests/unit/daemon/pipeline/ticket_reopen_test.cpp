// The reporter's answer reopens a resolved ticket (daemon/pipeline/ticket_reopen.h),
// in a real store: a participant's follow-up to a resolved ticket sets it open
// and audits `ticket-reopened` once (also when assigned again after a crash);
// a non-participant's follow-up, a follow-up to an open ticket and a new
// ticket change nothing.
#include <doctest/doctest.h>

#include <string>

#include "store.h"
#include "temp_dir.h"
#include "ticket_reopen.h"
#include "ticket_store.h"

namespace csirtgw {
namespace {

Report report_from(const std::string& spool_id, const std::string& from, const std::string& subject) {
  Report report;
  report.spool_id = spool_id;
  report.sender = from;
  report.raw_message = "From: " + from + "\r\nTo: cert@csirt.example\r\nSubject: " + subject + "\r\nMessage-ID: <" +
                       spool_id + "@example.org>\r\n\r\nbody\r\n";
  report.queue = "incident-reports";
  report.classification.tlp = "GREEN";
  return report;
}

// assign_ticket then reopen_on_answer, in one transaction, as the ticket step does.
TicketAssignment join(Database& db, const Report& report) {
  auto tx = Transaction::begin(db);
  REQUIRE(tx.ok());
  auto assigned = assign_ticket(db, report, "XYZ-CERT");
  REQUIRE_MESSAGE(assigned.ok(), assigned.error().message);
  REQUIRE(reopen_on_answer(db, assigned.value(), report.spool_id).ok());
  REQUIRE(tx->commit().ok());
  return assigned.value();
}

std::string state_of(Database& db, std::int64_t number) {
  auto detail = ticket_detail(db, number);
  REQUIRE(detail.ok());
  REQUIRE(detail->has_value());
  return detail.value()->summary.state;
}

int reopened_events(Database& db) {
  auto stmt = db.prepare("SELECT count(*) FROM audit WHERE event = 'ticket-reopened' AND detail LIKE '%reporter answered%'");
  REQUIRE(stmt.ok());
  REQUIRE(stmt->step().value());
  return std::stoi(stmt->text(0));
}

TEST_CASE("ticket reopen: a participant's answer reopens a resolved ticket, once") {
  testing::TempDir dir;
  auto db = open_store(dir.path());
  REQUIRE(db.ok());
  const TicketAssignment opened = join(*db, report_from("s1", "reporter@partner.example", "Phishing"));
  REQUIRE(opened.created);
  CHECK(reopened_events(*db) == 0);

  // An answer to an open ticket changes nothing.
  join(*db, report_from("s2", "reporter@partner.example", "Re: [XYZ-CERT #1] Phishing"));
  CHECK(state_of(*db, opened.number) == "open");
  CHECK(reopened_events(*db) == 0);

  REQUIRE(change_ticket_state(*db, opened.number, "resolve", "ann").ok());
  // Someone else writing the tag into a subject does not reopen it.
  const TicketAssignment stranger = join(*db, report_from("s3", "someone@else.example", "[XYZ-CERT #1] hi"));
  CHECK(stranger.participant == false);
  CHECK(state_of(*db, opened.number) == "resolved");

  const TicketAssignment answer = join(*db, report_from("s4", "reporter@partner.example", "Re: [XYZ-CERT #1] Phishing"));
  CHECK(answer.participant == true);
  CHECK(state_of(*db, opened.number) == "open");
  CHECK(reopened_events(*db) == 1);
  join(*db, report_from("s4", "reporter@partner.example", "Re: [XYZ-CERT #1] Phishing"));  // again after a crash
  CHECK(reopened_events(*db) == 1);
}

}  // namespace
}  // namespace csirtgw
