// The ticket desk (issue 18) on real SQLite stores in temp directories:
// migration 0009 from a store an older csirtgw left with tickets in it; the
// subject and reporter kept at creation; another team's tag joining the ticket
// that recorded it; merge (and follow-ups to the merged ticket), link, unlink,
// reject, take without --steal; the first response kept once; timings with
// known times; tickets.due_hours and the CLI's duration and priority syntax.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "audit_log.h"
#include "migrations.h"
#include "sqlite_db.h"
#include "store.h"
#include "temp_dir.h"
#include "ticket_desk.h"
#include "ticket_desk_commands.h"
#include "ticket_due.h"
#include "ticket_store.h"
#include "ticket_timings.h"

namespace csirtgw {
namespace {

using testing::TempDir;
const std::string kPrefix = "XYZ-CERT";

Report report_of(const std::string& spool_id, const std::string& from, const std::string& subject,
                 const std::string& extra_headers = "") {
  Report report;
  report.spool_id = spool_id;
  report.raw_message = "From: " + from + "\r\nTo: cert@csirt.example\r\nSubject: " + subject +
                       "\r\nMessage-ID: <" + spool_id + "@example.net>\r\n" + extra_headers +
                       "Content-Type: text/plain\r\n\r\nbody\r\n";
  report.queue = "incident-reports";
  report.crypto.signature = "none";
  report.classification.type = "fraud/phishing";
  report.classification.priority = 9;
  report.classification.tlp = "GREEN";
  return report;
}

TicketAssignment file(Database& db, const Report& report, std::size_t subject_max = 200) {
  auto tx = Transaction::begin(db);
  REQUIRE(tx);
  auto made = assign_ticket(db, report, kPrefix, subject_max);
  REQUIRE_MESSAGE(made, made.error().message);
  REQUIRE(tx->commit());
  return made.value();
}

TicketDetail detail_of(Database& db, std::int64_t n) {
  auto d = ticket_detail(db, n);
  REQUIRE(d);
  REQUIRE(d.value());
  return *d.value();
}

std::string one_text(Database& db, const std::string& sql) {
  auto stmt = db.prepare(sql);
  REQUIRE(stmt);
  auto row = stmt->step();
  REQUIRE(row);
  REQUIRE(row.value());
  return stmt->text(0);
}

std::vector<std::string> audit_events(Database& db) {
  auto stmt = db.prepare("SELECT event FROM audit ORDER BY seq");
  REQUIRE(stmt);
  std::vector<std::string> out;
  while (true) {
    auto row = stmt->step();
    REQUIRE(row);
    if (!row.value()) break;
    out.push_back(stmt->text(0));
  }
  return out;
}

// The migrations before 0009, as the csirtgw before this one applied them.
std::size_t desk_migration_index() {
  const auto& all = schema_migrations();
  for (std::size_t i = 0; i < all.size(); ++i)
    if (all[i].find("the ticket desk (issue 18)") != std::string_view::npos) return i;
  FAIL("migration 0009 is not embedded");
  return 0;
}

void make_old_store_with_tickets(const std::filesystem::path& dir) {
  auto db = Database::open((dir / "csirtgw.db").string(), Database::Mode::read_write);
  REQUIRE(db);
  const std::size_t before = desk_migration_index();
  for (std::size_t i = 0; i < before; ++i) REQUIRE(db->exec(schema_migrations()[i]));
  REQUIRE(db->exec("PRAGMA user_version = " + std::to_string(before)));
  REQUIRE(db->exec(
      "INSERT INTO tickets (created_at, updated_at, queue, state, owner, type, priority, tlp, constituency,"
      " categories, encryption, signature) VALUES"
      " ('2026-03-01T10:00:00.000000Z', '2026-03-01T12:00:00.000000Z', 'incident-reports', 'resolved', 'alice',"
      "  'fraud/phishing', 9, 'AMBER', 1, 'statistical', 'none', 'none'),"
      " ('2026-03-02T10:00:00.000000Z', '2026-03-02T10:30:00.000000Z', 'coordination', 'taken', 'bob',"
      "  'availability/ddos', 5, 'GREEN', 0, '', 'decrypted', 'good'),"
      " ('2026-03-03T10:00:00.000000Z', '2026-03-03T10:00:00.000000Z', 'incident-reports', 'open', '',"
      "  'fraud/phishing', 9, 'CLEAR', 1, '', 'none', 'none')"));
  REQUIRE(db->exec(
      "INSERT INTO ticket_messages (spool_id, ticket, message_id, role, added_at, sender) VALUES"
      " ('s1', 1, '<a@x>', 'report', '2026-03-01T10:00:00.000000Z', 'one@example.net'),"
      " ('s2', 2, '<b@x>', 'report', '2026-03-02T10:00:00.000000Z', 'two@example.net'),"
      " ('s3', 1, '<c@x>', 'follow-up', '2026-03-01T11:00:00.000000Z', 'one@example.net')"));
  REQUIRE(db->exec("INSERT INTO ticket_external_refs (ticket, reference) VALUES (2, 'ABC-CSIRT #991')"));
  REQUIRE(db->exec(
      "INSERT INTO audit (seq, at, event, spool_id, actor, detail, prev_hash, hash) VALUES"
      " (1, '2026-03-01T10:20:00.000000Z', 'ticket-take', '', 'alice', '{\"ticket\":1,\"action\":\"take\"}', '', 'h1'),"
      " (2, '2026-03-01T11:30:00.000000Z', 'ticket-resolve', '', 'alice', '{\"ticket\":1}', 'h1', 'h2'),"
      " (3, '2026-03-02T10:05:00.000000Z', 'ticket-comment', '', 'bob', '{\"ticket\":2}', 'h2', 'h3')"));
  REQUIRE(db->exec("UPDATE audit_head SET seq = 3, hash = 'h3' WHERE id = 1"));
}

}  // namespace

TEST_CASE("ticket desk: migration 0009 upgrades a store with tickets in it") {
  TempDir dir("csirtgw-desk-migration");
  make_old_store_with_tickets(dir.path());
  auto db = open_store(dir.path());
  REQUIRE_MESSAGE(db, db.error().message);
  CHECK(one_text(*db, "PRAGMA integrity_check") == "ok");
  CHECK(one_text(*db, "SELECT count(*) FROM pragma_foreign_key_check") == "0");
  auto all = list_tickets(*db, std::nullopt, std::nullopt);
  REQUIRE(all);
  REQUIRE(all->size() == 3);
  const auto& resolved = detail_of(*db, 1).summary;
  CHECK(resolved.state == "resolved");
  CHECK(resolved.owner == "alice");
  CHECK(resolved.reporter == "one@example.net");
  CHECK(resolved.first_response_at == "2026-03-01T10:20:00.000000Z");  // the take, from the audit log
  CHECK(resolved.resolved_at == "2026-03-01T11:30:00.000000Z");
  CHECK(detail_of(*db, 1).messages.size() == 2);
  const auto& taken = detail_of(*db, 2).summary;
  CHECK(taken.reporter == "two@example.net");
  CHECK(taken.first_response_at == "2026-03-02T10:05:00.000000Z");
  CHECK(taken.resolved_at == "");
  CHECK(detail_of(*db, 2).external_refs == std::vector<std::string>{"ABC-CSIRT #991"});
  CHECK(detail_of(*db, 3).summary.first_response_at == "");
  // The widened CHECK: the new states are taken, anything else is still refused.
  CHECK(reject_ticket(*db, 3, "a bounce", "carol"));
  CHECK(detail_of(*db, 3).summary.state == "rejected");
  CHECK_FALSE(db->exec("UPDATE tickets SET state = 'closed' WHERE number = 3"));
  // A new ticket after the upgrade continues the numbering.
  CHECK(file(*db, report_of("s4", "four@example.net", "new")).number == 4);
}

TEST_CASE("ticket desk: subject and reporter are kept, sanitised and bounded") {
  TempDir dir("csirtgw-desk-subject");
  auto db = open_store(dir.path());
  REQUIRE(db);
  const std::string hostile = "Phish \x1b]0;owned\x07\x1b[2J " + std::string(300, 'x');
  file(*db, report_of("s1", "Reporter <Reporter@Example.NET>", hostile), 40);
  const auto t = detail_of(*db, 1).summary;
  CHECK(t.reporter == "reporter@example.net");
  CHECK(t.subject.find('\x1b') == std::string::npos);
  CHECK(t.subject.find('\x07') == std::string::npos);
  CHECK(t.subject.rfind("Phish \\x1b]0;owned\\x07", 0) == 0);
  CHECK(t.subject.size() <= 40);
  // An encoded Subject is kept decoded.
  file(*db, report_of("s2", "a@example.net", "=?UTF-8?Q?Vorfall_=C3=BCber?="));
  CHECK(detail_of(*db, 2).summary.subject == "Vorfall \xc3\xbc" "ber");
}

TEST_CASE("ticket desk: another team's tag recorded as an external reference joins its ticket") {
  TempDir dir("csirtgw-desk-external");
  auto db = open_store(dir.path());
  REQUIRE(db);
  const auto opened = file(*db, report_of("s1", "peer@abc.example", "[ABC-CSIRT #991] scanning from your net"));
  CHECK(opened.created);
  file(*db, report_of("s2", "other@example.net", "unrelated"));
  const auto followed = file(*db, report_of("s3", "peer@abc.example", "Re: [abc-csirt #991] more hosts"));
  CHECK_FALSE(followed.created);
  CHECK(followed.number == opened.number);
  CHECK(*followed.participant);  // the reporter's address
  CHECK(detail_of(*db, 1).messages.size() == 2);
  // Another number of theirs is another case.
  CHECK(file(*db, report_of("s4", "peer@abc.example", "[ABC-CSIRT #992] new case")).created);
  const auto joined = nlohmann::json::parse(one_text(*db, "SELECT detail FROM audit WHERE spool_id = 's3'"));
  CHECK(joined.at("joined_by") == "external reference abc-csirt #991");
}

TEST_CASE("ticket desk: merge moves everything and follow-ups to the merged ticket join the other") {
  TempDir dir("csirtgw-desk-merge");
  auto db = open_store(dir.path());
  REQUIRE(db);
  file(*db, report_of("s1", "a@example.net", "phish one"));
  auto b = report_of("s2", "b@example.net", "[ABC-CSIRT #7] phish two");
  b.classification.tlp = "RED";
  file(*db, b);
  file(*db, report_of("s3", "c@example.net", "third"));
  REQUIRE(add_ticket_comment(*db, 2, "alice", "same kit as #1"));
  REQUIRE(link_tickets(*db, 2, 3, "alice"));

  CHECK(merge_tickets(*db, 1, 1, "alice").error().message == "cannot merge ticket #1 with itself");
  CHECK(merge_tickets(*db, 1, 9, "alice").error().message == "no ticket #9");
  REQUIRE(merge_tickets(*db, 1, 2, "alice"));
  const auto a = detail_of(*db, 1);
  CHECK(a.messages.size() == 2);
  CHECK(a.comments.size() == 1);
  CHECK(a.external_refs == std::vector<std::string>{"ABC-CSIRT #7"});
  CHECK(a.links == std::vector<std::int64_t>{3});
  CHECK(a.summary.tlp == "RED");  // the stricter label
  const auto merged = detail_of(*db, 2);
  CHECK(merged.summary.state == "merged");
  CHECK(merged.summary.merged_into == 1);
  CHECK(merged.messages.empty());
  CHECK(detail_of(*db, 3).links == std::vector<std::int64_t>{1});
  CHECK(merge_tickets(*db, 2, 3, "alice").error().message == "cannot merge into ticket #2: it was merged into #1");
  CHECK(merge_tickets(*db, 3, 2, "alice").error().message == "ticket #2 was already merged into #1");
  CHECK(change_ticket_state(*db, 2, "take", "bob").error().message ==
        "cannot take ticket #2: it was merged into #1; act on that ticket");

  // Follow-ups to the merged ticket: by our tag, by In-Reply-To, by their tag.
  CHECK(file(*db, report_of("s4", "b@example.net", "Re: [XYZ-CERT #2] phish two")).number == 1);
  CHECK(file(*db, report_of("s5", "b@example.net", "Re: phish", "In-Reply-To: <s2@example.net>\r\n")).number == 1);
  CHECK(file(*db, report_of("s6", "b@example.net", "Re: [ABC-CSIRT #7]")).number == 1);
  CHECK(*file(*db, report_of("s7", "b@example.net", "Re: [XYZ-CERT #2] x")).participant);  // b is a participant of #1 now
  const auto joined = nlohmann::json::parse(one_text(*db, "SELECT detail FROM audit WHERE spool_id = 's4'"));
  CHECK(joined.at("joined_by") == "subject tag, merged into #1");
  const auto merge_event =
      nlohmann::json::parse(one_text(*db, "SELECT detail FROM audit WHERE event = 'ticket-merge'"));
  CHECK(merge_event.at("ticket") == 1);
  CHECK(merge_event.at("merged") == 2);
  auto verdict = verify_audit_chain(*db);
  REQUIRE(verdict);
  CHECK(verdict->intact);
}

TEST_CASE("ticket desk: link, unlink, reject and take without --steal") {
  TempDir dir("csirtgw-desk-actions");
  auto db = open_store(dir.path());
  REQUIRE(db);
  for (const char* id : {"s1", "s2"}) file(*db, report_of(id, "a@example.net", id));
  REQUIRE(link_tickets(*db, 2, 1, "alice"));
  CHECK(detail_of(*db, 1).links == std::vector<std::int64_t>{2});
  CHECK(detail_of(*db, 2).links == std::vector<std::int64_t>{1});
  CHECK(link_tickets(*db, 1, 2, "alice").error().message == "tickets #1 and #2 are already linked");
  CHECK(link_tickets(*db, 1, 1, "alice").error().message == "cannot link ticket #1 with itself");
  REQUIRE(unlink_tickets(*db, 1, 2, "alice"));
  CHECK(detail_of(*db, 1).links.empty());
  CHECK(unlink_tickets(*db, 1, 2, "alice").error().message == "tickets #1 and #2 are not linked");

  REQUIRE(change_ticket_state(*db, 1, "take", "alice"));
  const auto refused = change_ticket_state(*db, 1, "take", "bob");
  CHECK(refused.error().message == "cannot take ticket #1: it is taken by alice; take it over with --steal");
  REQUIRE(change_ticket_state(*db, 1, "take", "bob", true));

  CHECK(reject_ticket(*db, 2, "  ", "alice").error().message == "rejecting ticket #2 needs a reason");
  REQUIRE(reject_ticket(*db, 2, "bounce from a mailer daemon", "alice"));
  const auto rejected = detail_of(*db, 2).summary;
  CHECK(rejected.state == "rejected");
  CHECK(rejected.reject_reason == "bounce from a mailer daemon");
  CHECK(rejected.first_response_at != "");
  CHECK(reject_ticket(*db, 2, "again", "alice").error().message == "cannot reject ticket #2: it is rejected");
  CHECK(change_ticket_state(*db, 2, "take", "bob").error().message == "cannot take ticket #2: it is rejected; reopen it first");
  REQUIRE(change_ticket_state(*db, 2, "reopen", "bob"));
  CHECK(detail_of(*db, 2).summary.reject_reason == "");
  const auto events = audit_events(*db);
  CHECK(std::count(events.begin(), events.end(), "ticket-link") == 1);
  CHECK(std::count(events.begin(), events.end(), "ticket-unlink") == 1);
  CHECK(std::count(events.begin(), events.end(), "ticket-reject") == 1);
  const auto reject_event =
      nlohmann::json::parse(one_text(*db, "SELECT detail FROM audit WHERE event = 'ticket-reject'"));
  CHECK(reject_event.at("reason") == "bounce from a mailer daemon");
}

TEST_CASE("ticket desk: the first response is kept once; resolve stamps the resolution") {
  TempDir dir("csirtgw-desk-first");
  auto db = open_store(dir.path());
  REQUIRE(db);
  file(*db, report_of("s1", "a@example.net", "x"));
  REQUIRE(note_first_response(*db, 1, "2026-05-01T10:00:00.000000Z"));
  REQUIRE(note_first_response(*db, 1, "2026-05-01T09:00:00.000000Z"));
  REQUIRE(add_ticket_comment(*db, 1, "alice", "looking"));
  CHECK(detail_of(*db, 1).summary.first_response_at == "2026-05-01T10:00:00.000000Z");
  CHECK(note_first_response(*db, 99, "2026-05-01T10:00:00.000000Z"));  // no such ticket: nothing
  CHECK(detail_of(*db, 1).summary.resolved_at == "");
  REQUIRE(change_ticket_state(*db, 1, "resolve", "alice"));
  CHECK(detail_of(*db, 1).summary.resolved_at != "");
  REQUIRE(change_ticket_state(*db, 1, "reopen", "alice"));
  CHECK(detail_of(*db, 1).summary.resolved_at == "");
}

TEST_CASE("ticket desk: timings with known times, rejected and merged left out") {
  auto ticket = [](const std::string& type, const std::string& state, const std::string& created,
                   const std::string& answered, const std::string& resolved) {
    TicketSummary t;
    t.type = type;
    t.state = state;
    t.created_at = created;
    t.first_response_at = answered;
    t.resolved_at = resolved;
    return t;
  };
  const std::vector<TicketSummary> tickets = {
      ticket("fraud/phishing", "resolved", "2026-01-05T10:00:00Z", "2026-01-05T10:10:00Z", "2026-01-05T12:00:00Z"),
      ticket("fraud/phishing", "resolved", "2026-01-06T10:00:00.5Z", "2026-01-06T10:30:00Z", "2026-01-07T10:00:00Z"),
      ticket("fraud/phishing", "taken", "2026-02-01T00:00:00Z", "2026-02-01T01:00:00Z", ""),
      ticket("fraud/phishing", "open", "2026-02-02T00:00:00Z", "", ""),
      ticket("availability/ddos", "resolved", "2026-02-03T00:00:00Z", "2026-02-03T00:05:00Z", "2026-02-03T04:00:00Z"),
      ticket("fraud/phishing", "rejected", "2026-01-05T00:00:00Z", "2026-01-09T00:00:00Z", "2026-01-09T00:00:00Z"),
      ticket("fraud/phishing", "merged", "2026-01-05T00:00:00Z", "2026-01-09T00:00:00Z", "2026-01-09T00:00:00Z"),
  };
  const TimingReport r = ticket_timings(tickets);
  const auto& phishing = r.by_type.at("fraud/phishing");
  CHECK(phishing.first_response.count == 3);          // 10 min, 30 min, 60 min
  CHECK(phishing.first_response.median_seconds == 1800);
  CHECK(phishing.first_response.p90_seconds == 3600);
  CHECK(phishing.resolution.count == 2);              // 2 h, 24 h
  CHECK(phishing.resolution.median_seconds == 7200);
  CHECK(phishing.resolution.p90_seconds == 86400);
  CHECK(r.by_type.at("availability/ddos").resolution.median_seconds == 4 * 3600);
  CHECK(r.by_month.at("2026-01").first_response.count == 2);
  CHECK(r.by_month.at("2026-02").first_response.count == 2);
  CHECK(r.by_month.at("2026-02").resolution.count == 1);
  CHECK(r.all.first_response.count == 4);
  CHECK(r.all.first_response.median_seconds == 600);  // 5, 10, 30, 60 min: the 2nd value (nearest rank)
  CHECK(r.all.first_response.p90_seconds == 3600);

  const auto ten = summarise_durations({10, 1, 9, 2, 8, 3, 7, 4, 6, 5});
  CHECK(ten.median_seconds == 5);
  CHECK(ten.p90_seconds == 9);
  CHECK(summarise_durations({}).count == 0);
  CHECK(utc_seconds("2026-01-01T00:00:00Z") == 1767225600);
  CHECK_FALSE(utc_seconds("2026-13-01T00:00:00Z"));
  CHECK_FALSE(utc_seconds("yesterday"));
  CHECK(short_duration(3 * 86400 + 4 * 3600 + 5) == "3d4h");
  CHECK(short_duration(2 * 3600 + 120) == "2h2m");
  CHECK(short_duration(42) == "42s");
}

TEST_CASE("ticket desk: tickets.due_hours and the CLI's durations and priorities") {
  auto table = parse_due_hours("2:4, 5:8, 9:24, 13:72");
  REQUIRE(table);
  CHECK(table->hours_for(1) == 4);
  CHECK(table->hours_for(2) == 4);
  CHECK(table->hours_for(3) == 8);
  CHECK(table->hours_for(9) == 24);
  CHECK(table->hours_for(13) == 72);
  CHECK(table->hours_for(40) == 72);
  CHECK(parse_due_hours("5:8, 2:4").error().message == "priorities must ascend (2 after 5)");
  CHECK(parse_due_hours("2:4,,5:8").error().message == "\"\" is not PRIORITY:HOURS (1..1000:0..87600)");
  CHECK(due_hours_problem("1:-1"));
  CHECK(due_hours_problem("13"));
  CHECK(parse_due_hours("13:0")->hours_for(5) == 0);
  CHECK_FALSE(due_hours_problem("1:1"));

  CHECK(parse_duration("2h") == 7200);
  CHECK(parse_duration("3d") == 259200);
  CHECK(parse_duration("1w") == 604800);
  CHECK(parse_duration("90s") == 90);
  for (const char* bad : {"", "h", "2", "2x", "-2h", "2.5h", "99999999999d"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_duration(bad));
  }
  CHECK(parse_priority_range("3") == std::make_pair<std::int64_t, std::int64_t>(3, 3));
  CHECK(parse_priority_range("1-4") == std::make_pair<std::int64_t, std::int64_t>(1, 4));
  for (const char* bad : {"", "0", "4-1", "1-", "a", "1-2-3", "1001"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_priority_range(bad));
  }
}

}  // namespace csirtgw
