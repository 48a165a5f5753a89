// Tickets (daemon/pipeline/ticket_store.cpp) in a real store in a temp directory: ticket
// tags in subjects; assigning filed reports to new tickets or, as follow-ups,
// to existing ones (our tag, In-Reply-To/References, the same Message-ID),
// idempotently by spool id; other teams' tags kept as external references;
// listing, state changes and comments; and the audit chain afterwards.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "temp_dir.h"
#include "audit_log.h"
#include "store.h"
#include "ticket_store.h"

namespace csirtgw {
namespace {

const std::string kPrefix = "XYZ-CERT";

using testing::TempDir;

struct Headers {
  std::string subject = "Phishing page";
  std::string message_id;  // "" for none
  std::string in_reply_to;
  std::string references;
};

Report make_report(const std::string& spool_id, const Headers& h, const std::string& queue = "incident-reports") {
  std::string message = "From: reporter@partner.example\r\nTo: cert@csirt.example\r\nSubject: " + h.subject + "\r\n";
  if (!h.message_id.empty()) message += "Message-ID: " + h.message_id + "\r\n";
  if (!h.in_reply_to.empty()) message += "In-Reply-To: " + h.in_reply_to + "\r\n";
  if (!h.references.empty()) message += "References: " + h.references + "\r\n";
  message += "Content-Type: text/plain\r\n\r\nSee [XYZ-CERT #1] in the body: never a tag.\r\n";
  Report report;
  report.spool_id = spool_id;
  report.raw_message = message;
  report.queue = queue;
  report.crypto.encryption = EncryptionState::decrypted;
  report.crypto.signature = "good";
  report.classification.type = "fraud/phishing";
  report.classification.priority = 9;
  report.classification.tlp = "AMBER";
  report.classification.constituency = true;
  report.classification.categories = {{"statistical", "type fraud/phishing"}, {"private-site", "field affected-host.ip"}};
  return report;
}

TicketAssignment assign(Database& db, const Report& report) {
  auto tx = Transaction::begin(db);
  REQUIRE(tx.ok());
  auto assigned = assign_ticket(db, report, kPrefix);
  REQUIRE_MESSAGE(assigned.ok(), assigned.error().message);
  REQUIRE(tx->commit().ok());
  return assigned.value();
}

std::vector<TicketSummary> list(Database& db, const std::optional<std::string>& queue = std::nullopt,
                                const std::optional<std::string>& state = std::nullopt) {
  auto listed = list_tickets(db, queue, state);
  REQUIRE_MESSAGE(listed.ok(), listed.error().message);
  return listed.value();
}

std::vector<std::int64_t> numbers(const std::vector<TicketSummary>& tickets) {
  std::vector<std::int64_t> out;
  for (const auto& t : tickets) out.push_back(t.number);
  return out;
}

TicketDetail detail(Database& db, std::int64_t number) {
  auto found = ticket_detail(db, number);
  REQUIRE_MESSAGE(found.ok(), found.error().message);
  REQUIRE(found->has_value());
  return **found;
}

struct AuditRow {
  std::string event, spool_id, actor;
  nlohmann::json detail;
};

std::vector<AuditRow> audit_rows(Database& db) {
  auto stmt = db.prepare("SELECT event, spool_id, actor, detail FROM audit ORDER BY seq");
  REQUIRE(stmt.ok());
  std::vector<AuditRow> rows;
  while (true) {
    auto row = stmt->step();
    REQUIRE(row.ok());
    if (!row.value()) break;
    rows.push_back({stmt->text(0), stmt->text(1), stmt->text(2), nlohmann::json::parse(stmt->text(3))});
  }
  return rows;
}

std::int64_t count(Database& db, const std::string& sql) {
  auto stmt = db.prepare(sql);
  REQUIRE(stmt.ok());
  auto row = stmt->step();
  REQUIRE(row.ok());
  REQUIRE(row.value());
  return stmt->integer(0);
}

void check_chain_intact(Database& db) {
  auto verdict = verify_audit_chain(db);
  REQUIRE_MESSAGE(verdict.ok(), verdict.error().message);
  CHECK(verdict->intact);
  CHECK(verdict->reason == "");
  CHECK(verdict->events == count(db, "SELECT COUNT(*) FROM audit"));
}

std::string render(const std::vector<TicketTag>& tags) {
  std::string out;
  for (const auto& t : tags) out += (out.empty() ? "" : " | ") + format_ticket(t.prefix, t.number);
  return out;
}

}  // namespace

TEST_CASE("ticket: tags in subjects") {
  struct Row {
    std::string subject;
    std::string tags;  // rendered "PREFIX #N | ..."
  };
  const std::vector<Row> rows = {
      {"Re: [XYZ-CERT #12] x", "XYZ-CERT #12"},
      {"[XYZ-CERT #1]", "XYZ-CERT #1"},
      {"Re: [XYZ-CERT #3] [ABC-CSIRT #991] scan [XYZ-CERT #4]", "XYZ-CERT #3 | ABC-CSIRT #991 | XYZ-CERT #4"},
      {"[list-name] Re: [XYZ-CERT #5]", "XYZ-CERT #5"},
      {"x] stray bracket [XYZ-CERT #6]", "XYZ-CERT #6"},
      {"[Team_2 #7]", "Team_2 #7"},
      {"[XYZ-CERT #000000000042]", "XYZ-CERT #42"},
      {"[XYZ-CERT #999999999999]", "XYZ-CERT #999999999999"},
      {"[XYZ-CERT #1234567890123]", ""},  // 13 digits: not a tag
      {"[XYZ-CERT #99999999999999999999999999999]", ""},
      {"[XYZ-CERT #]", ""},
      {"[A B #1]", ""},
      {"[ #1]", ""},
      {"[#1]", ""},
      {"[XYZ-CERT#1]", ""},
      {"[XYZ-CERT #1a]", ""},
      {"[XYZ-CERT #-1]", ""},
      {"[XYZ-CERT # 1]", ""},
      {"[XYZ/CERT #1]", ""},
      {"[XYZ-CERT #12", ""},
      {"XYZ-CERT #12", ""},
      {"[" + std::string(41, 'A') + " #1]", ""},
      {"[" + std::string(40, 'A') + " #1]", std::string(40, 'A') + " #1"},
      {"", ""},
      {"[[[[]]]]", ""},
  };
  for (const auto& row : rows) {
    CAPTURE(row.subject);
    CHECK(render(ticket_tags(row.subject)) == row.tags);
  }
}

// Bug: ticket_tags pairs each '[' with the next ']', so a tag inside an outer
// bracket is lost: "[Fwd: Re: [XYZ-CERT #12] x]" (how several mail clients
// write a forward's subject) and "[[XYZ-CERT #12]]" yield no tag, and the
// follow-up opens a new ticket.
TEST_CASE("ticket: tags inside outer brackets") {
  const std::vector<std::string> subjects = {"[Fwd: Re: [XYZ-CERT #12] phishing]", "[[XYZ-CERT #12]]",
                                             "[EXT] [Fwd: [XYZ-CERT #12]]"};
  for (const auto& subject : subjects) {
    CAPTURE(subject);
    CHECK(render(ticket_tags(subject)) == "XYZ-CERT #12");
  }
}

TEST_CASE("ticket: assigning filed reports") {
  TempDir dir;
  auto opened = open_store(dir.path());
  REQUIRE_MESSAGE(opened.ok(), opened.error().message);
  Database& db = opened.value();

  const Report first = make_report("spool-1", {"Phishing page at example.edu", "<m1@partner.example>", "", ""});
  const TicketAssignment created = assign(db, first);
  CHECK(created.created);
  CHECK(created.number == 1);
  CHECK(created.queue == "incident-reports");

  SUBCASE("a new ticket records the classification") {
    const auto tickets = list(db);
    REQUIRE(tickets.size() == 1);
    const TicketSummary& t = tickets[0];
    CHECK(t.number == 1);
    CHECK(t.queue == "incident-reports");
    CHECK(t.state == "open");
    CHECK(t.owner == "");
    CHECK(t.type == "fraud/phishing");
    CHECK(t.priority == 9);
    CHECK(t.tlp == "AMBER");
    CHECK(t.constituency);
    CHECK(t.categories == "statistical,private-site");
    CHECK(t.encryption == "decrypted");
    CHECK(t.signature == "good");
    CHECK(t.messages == 1);
    CHECK_FALSE(t.created_at.empty());
    const TicketDetail d = detail(db, 1);
    REQUIRE(d.messages.size() == 1);
    CHECK(d.messages[0].spool_id == "spool-1");
    CHECK(d.messages[0].message_id == "<m1@partner.example>");
    CHECK(d.messages[0].role == "report");
    CHECK(d.external_refs.empty());
    CHECK(d.comments.empty());
  }

  SUBCASE("the same spool id again is the same ticket") {
    for (int i = 0; i < 2; ++i) {
      const TicketAssignment again = assign(db, first);
      CHECK(again.created);  // still the report that opened it (its acknowledgement depends on that)
      CHECK(again.number == 1);
      CHECK(again.queue == "incident-reports");
    }
    CHECK(list(db).size() == 1);
    CHECK(count(db, "SELECT COUNT(*) FROM ticket_messages") == 1);
    CHECK(count(db, "SELECT COUNT(*) FROM audit WHERE event LIKE 'ticket-%'") == 1);
  }

  SUBCASE("the same spool id with a changed subject is still the same ticket") {
    Report retried = make_report("spool-1", {"[ABC-CSIRT #5] other", "<other@partner.example>", "", ""});
    const TicketAssignment again = assign(db, retried);
    CHECK(again.created);
    CHECK(again.number == 1);
    CHECK(list(db).size() == 1);
  }

  SUBCASE("a report that joins nothing opens a new ticket") {
    const TicketAssignment second = assign(db, make_report("spool-2", {"Scan from 203.0.113.9", "<m2@partner.example>", "", ""}, "coordination"));
    CHECK(second.created);
    CHECK(second.number == 2);
    CHECK(second.queue == "coordination");
    CHECK(list(db).size() == 2);
  }

  struct FollowUp {
    std::string name;
    Headers headers;
    std::string joined_by;
  };
  const std::vector<FollowUp> follow_ups = {
      {"our tag in the subject", {"Re: [XYZ-CERT #1] Phishing page", "<m2@partner.example>", "", ""}, "subject tag"},
      {"our tag without a Message-ID", {"AW: [XYZ-CERT #1]", "", "", ""}, "subject tag"},
      {"In-Reply-To", {"Re: your report", "<m2@partner.example>", "<m1@partner.example>", ""},
       "In-Reply-To/References"},
      {"References", {"more", "<m2@partner.example>", "", "<unknown@x.example> <m1@partner.example>"},
       "In-Reply-To/References"},
      {"folded References", {"more", "<m2@partner.example>", "", "<unknown@x.example>\r\n <m1@partner.example>"},
       "In-Reply-To/References"},
      {"the same Message-ID delivered again", {"Phishing page at example.edu", "<m1@partner.example>", "", ""},
       "same Message-ID"},
  };
  for (const auto& row : follow_ups) {
    SUBCASE(row.name.c_str()) {
      // Filed into another queue on its own, the follow-up goes with its ticket.
      const TicketAssignment joined = assign(db, make_report("spool-2", row.headers, "coordination"));
      CHECK_FALSE(joined.created);
      CHECK(joined.number == 1);
      CHECK(joined.queue == "incident-reports");
      CHECK(list(db).size() == 1);
      const TicketDetail d = detail(db, 1);
      CHECK(d.summary.messages == 2);
      CHECK(d.summary.queue == "incident-reports");
      REQUIRE(d.messages.size() == 2);
      CHECK(d.messages[1].spool_id == "spool-2");
      CHECK(d.messages[1].role == "follow-up");
      const auto rows = audit_rows(db);
      REQUIRE(rows.size() == 2);
      CHECK(rows[1].event == "ticket-joined");
      CHECK(rows[1].spool_id == "spool-2");
      CHECK(rows[1].actor == "csirtgw");
      CHECK(rows[1].detail.at("joined_by") == row.joined_by);
      CHECK(rows[1].detail.at("ticket") == "XYZ-CERT #1");
      CHECK(rows[1].detail.at("queue") == "incident-reports");
    }
  }

  SUBCASE("our tag wins over In-Reply-To") {
    assign(db, make_report("spool-2", {"Another report", "<m2@partner.example>", "", ""}));
    const TicketAssignment joined =
        assign(db, make_report("spool-3", {"Re: [XYZ-CERT #2]", "<m3@partner.example>", "<m1@partner.example>", ""}));
    CHECK_FALSE(joined.created);
    CHECK(joined.number == 2);
  }

  SUBCASE("a follow-up of a follow-up joins by its Message-ID") {
    assign(db, make_report("spool-2", {"Re: [XYZ-CERT #1]", "<m2@partner.example>", "", ""}));
    const TicketAssignment joined =
        assign(db, make_report("spool-3", {"Re: Re: thanks", "<m3@partner.example>", "<m2@partner.example>", ""}));
    CHECK_FALSE(joined.created);
    CHECK(joined.number == 1);
    CHECK(detail(db, 1).messages.size() == 3);
  }

  SUBCASE("another team's tag is an external reference") {
    const TicketAssignment second =
        assign(db, make_report("spool-2", {"[ABC-CSIRT #991] Scanning from your network", "<m2@abc.example>", "", ""}));
    CHECK(second.created);
    CHECK(second.number == 2);
    CHECK(detail(db, 2).external_refs == std::vector<std::string>{"ABC-CSIRT #991"});
    CHECK(detail(db, 1).external_refs.empty());
    const auto rows = audit_rows(db);
    REQUIRE(rows.size() == 2);
    CHECK(rows[1].event == "ticket-created");
    CHECK(rows[1].detail.at("external_refs") == nlohmann::json::array({"ABC-CSIRT #991"}));
  }

  SUBCASE("our tag and another team's: joined, with the reference kept once") {
    for (const std::string spool : {"spool-2", "spool-3"}) {
      const TicketAssignment joined = assign(
          db, make_report(spool, {"Re: [ABC-CSIRT #991] [XYZ-CERT #1] [DEF-CERT #7]", "<" + spool + "@abc.example>", "", ""}));
      CHECK_FALSE(joined.created);
      CHECK(joined.number == 1);
    }
    CHECK(detail(db, 1).external_refs == std::vector<std::string>{"ABC-CSIRT #991", "DEF-CERT #7"});
  }

  SUBCASE("our tag naming no ticket opens a new one") {
    const TicketAssignment assigned =
        assign(db, make_report("spool-2", {"Re: [XYZ-CERT #999] guessed number", "<m2@partner.example>", "", ""}));
    CHECK(assigned.created);
    CHECK(assigned.number == 2);
    CHECK_FALSE(ticket_detail(db, 999)->has_value());
    CHECK(detail(db, 2).external_refs.empty());
  }

  SUBCASE("a tag in the body is not a tag") {
    const TicketAssignment assigned = assign(db, make_report("spool-2", {"no tag here", "<m2@partner.example>", "", ""}));
    CHECK(assigned.created);  // though the body names "[XYZ-CERT #1]"
    CHECK(assigned.number == 2);
  }

  SUBCASE("assignment rolled back with its transaction leaves nothing") {
    {
      auto tx = Transaction::begin(db);
      REQUIRE(tx.ok());
      auto assigned = assign_ticket(db, make_report("spool-2", {"new", "<m2@partner.example>", "", ""}), kPrefix);
      REQUIRE(assigned.ok());
      CHECK(assigned->created);
    }  // no commit
    CHECK(list(db).size() == 1);
    CHECK(count(db, "SELECT COUNT(*) FROM ticket_messages WHERE spool_id = 'spool-2'") == 0);
    check_chain_intact(db);
  }

  check_chain_intact(db);
}

// Bug: the Subject is searched for tags without decoding RFC 2047 encoded
// words, so a reply whose client encoded the subject (any non-ASCII subject:
// "AW: [XYZ-CERT #1] Phishing-Seite – dringend") opens a new ticket.
TEST_CASE("ticket: our tag in an RFC 2047 encoded subject") {
  struct Row {
    std::string name;
    std::string subject;
  };
  const std::vector<Row> rows = {
      // base64 of "AW: [XYZ-CERT #1] Phishing-Seite – dringend" (UTF-8)
      {"B encoding", "=?UTF-8?B?QVc6IFtYWVotQ0VSVCAjMV0gUGhpc2hpbmctU2VpdGUg4oCTIGRyaW5nZW5k?="},
      {"Q encoding", "=?UTF-8?Q?AW:_[XYZ-CERT_#1]_Phishing-Seite_=E2=80=93_dringend?="},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      TempDir dir;
      auto opened = open_store(dir.path());
      REQUIRE(opened.ok());
      Database& db = opened.value();
      REQUIRE(assign(db, make_report("spool-1", {"Phishing page", "<m1@partner.example>", "", ""})).created);
      const TicketAssignment reply = assign(db, make_report("spool-2", {row.subject, "<m2@partner.example>", "", ""}));
      CHECK_FALSE(reply.created);
      CHECK(reply.number == 1);
    }
  }
}

TEST_CASE("ticket: listing by queue and state") {
  TempDir dir;
  auto opened = open_store(dir.path());
  REQUIRE(opened.ok());
  Database& db = opened.value();
  Report a = make_report("spool-1", {"a", "<a@x.example>", "", ""}, "incident-reports");
  Report b = make_report("spool-2", {"b", "<b@x.example>", "", ""}, "coordination");
  Report c = make_report("spool-3", {"c", "<c@x.example>", "", ""}, "incident-reports");
  c.classification.priority = 3;  // listed first: by priority, then number
  REQUIRE(assign(db, a).number == 1);
  REQUIRE(assign(db, b).number == 2);
  REQUIRE(assign(db, c).number == 3);
  REQUIRE(change_ticket_state(db, 3, "take", "alice").ok());

  struct Row {
    std::string name;
    std::optional<std::string> queue, state;
    std::vector<std::int64_t> expected;
  };
  const std::vector<Row> rows = {
      {"all", std::nullopt, std::nullopt, {3, 1, 2}},
      {"one queue", "incident-reports", std::nullopt, {3, 1}},
      {"other queue", "coordination", std::nullopt, {2}},
      {"open", std::nullopt, "open", {1, 2}},
      {"taken", std::nullopt, "taken", {3}},
      {"queue and state", "incident-reports", "open", {1}},
      {"nothing matches", "coordination", "taken", {}},
      {"unknown queue", "nope", std::nullopt, {}},
      {"queue name is not a pattern", "%", std::nullopt, {}},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) { CHECK(numbers(list(db, row.queue, row.state)) == row.expected); }
  }
}

TEST_CASE("ticket: state changes and comments") {
  TempDir dir;
  auto opened = open_store(dir.path());
  REQUIRE(opened.ok());
  Database& db = opened.value();
  REQUIRE(assign(db, make_report("spool-1", {"Phishing page", "<m1@partner.example>", "", ""})).created);
  REQUIRE(assign(db, make_report("spool-2", {"Re: [XYZ-CERT #1]", "<m2@partner.example>", "", ""})).number == 1);

  SUBCASE("take, resolve, reopen") {
    struct Step {
      std::string action, who, state, owner;
    };
    const std::vector<Step> steps = {
        {"take", "alice", "taken", "alice"},
        {"resolve", "bob", "resolved", "alice"},
        {"reopen", "carol", "open", "alice"},
        {"take", "dave", "taken", "dave"},
    };
    for (const auto& step : steps) {
      CAPTURE(step.action);
      const auto st = change_ticket_state(db, 1, step.action, step.who);
      REQUIRE_MESSAGE(st.ok(), st.error().message);
      const TicketDetail d = detail(db, 1);
      CHECK(d.summary.state == step.state);
      CHECK(d.summary.owner == step.owner);
    }
    const auto rows = audit_rows(db);
    REQUIRE(rows.size() == 6);
    const std::vector<std::string> events = {"ticket-created", "ticket-joined", "ticket-take",
                                             "ticket-resolve", "ticket-reopen", "ticket-take"};
    const std::vector<std::string> actors = {"csirtgw", "csirtgw", "alice", "bob", "carol", "dave"};
    for (std::size_t i = 0; i < rows.size(); ++i) {
      CAPTURE(i);
      CHECK(rows[i].event == events[i]);
      CHECK(rows[i].actor == actors[i]);
    }
    CHECK(rows[0].spool_id == "spool-1");
    CHECK(rows[1].spool_id == "spool-2");
    CHECK(rows[2].spool_id == "");
    CHECK(rows[2].detail.at("ticket") == 1);
    CHECK(rows[2].detail.at("action") == "take");
    CHECK(rows[2].detail.at("state") == "taken");
  }

  SUBCASE("actions that do not apply to the ticket's state are refused with the reason") {
    struct Step {
      std::string action, who;
      bool force;
      const char* refused;  // nullptr: done
      std::string state, owner;
    };
    const std::vector<Step> steps = {
        {"reopen", "alice", false, "cannot reopen ticket #1: it is open, not resolved or rejected", "open", ""},
        {"take", "alice", false, nullptr, "taken", "alice"},
        {"take", "alice", false, "cannot take ticket #1: it is already taken by alice", "taken", "alice"},
        {"take", "bob", false, "cannot take ticket #1: it is taken by alice; take it over with --steal", "taken", "alice"},
        {"take", "bob", true, nullptr, "taken", "bob"},
        {"resolve", "bob", false, nullptr, "resolved", "bob"},
        {"resolve", "bob", false, "cannot resolve ticket #1: it is already resolved", "resolved", "bob"},
        {"take", "carol", true, "cannot take ticket #1: it is resolved; reopen it first", "resolved", "bob"},
        {"reopen", "carol", false, nullptr, "open", "bob"},
        {"take", "carol", false, nullptr, "taken", "carol"},
    };
    for (const auto& step : steps) {
      CAPTURE(step.action);
      CAPTURE(step.who);
      const auto st = change_ticket_state(db, 1, step.action, step.who, step.force);
      if (step.refused) {
        REQUIRE_FALSE(st.ok());
        CHECK(st.error().kind == ErrorClass::bad_input);
        CHECK(st.error().message == step.refused);
      } else {
        CHECK_MESSAGE(st.ok(), st.error().message);
      }
      const TicketDetail d = detail(db, 1);
      CHECK(d.summary.state == step.state);
      CHECK(d.summary.owner == step.owner);
    }
    // Only what happened is audited; the hand-over names whom it was taken from.
    const auto rows = audit_rows(db);
    REQUIRE(rows.size() == 2 + 5);
    CHECK(rows[3].event == "ticket-take");
    CHECK(rows[3].actor == "bob");
    CHECK(rows[3].detail.at("taken_from") == "alice");
    CHECK_FALSE(rows[2].detail.contains("taken_from"));
  }

  SUBCASE("bad input changes nothing") {
    struct Row {
      std::string name;
      std::int64_t number;
      std::string action;
    };
    const std::vector<Row> rows = {
        {"take an unknown ticket", 42, "take"},
        {"resolve an unknown ticket", 42, "resolve"},
        {"reopen ticket zero", 0, "reopen"},
        {"unknown action", 1, "delete"},
        {"action in the wrong case", 1, "Take"},
    };
    for (const auto& row : rows) {
      CAPTURE(row.name);
      const auto st = change_ticket_state(db, row.number, row.action, "alice");
      REQUIRE_FALSE(st.ok());
      CHECK(st.error().kind == ErrorClass::bad_input);
    }
    CHECK(detail(db, 1).summary.state == "open");
    CHECK(list(db).size() == 1);
    CHECK(count(db, "SELECT COUNT(*) FROM audit") == 2);
    // The failed attempts left no transaction open.
    CHECK(change_ticket_state(db, 1, "take", "alice").ok());
  }

  SUBCASE("comments") {
    REQUIRE(add_ticket_comment(db, 1, "alice", "Called the host owner.").ok());
    REQUIRE(add_ticket_comment(db, 1, "bob", "Page taken down; reporter 192.0.2.10 informed.").ok());
    const TicketDetail d = detail(db, 1);
    REQUIRE(d.comments.size() == 2);
    CHECK(d.comments[0].author == "alice");
    CHECK(d.comments[0].text == "Called the host owner.");
    CHECK(d.comments[1].author == "bob");
    CHECK(d.comments[1].text == "Page taken down; reporter 192.0.2.10 informed.");
    CHECK_FALSE(d.comments[0].at.empty());

    const auto unknown = add_ticket_comment(db, 7, "alice", "nobody reads this");
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().kind == ErrorClass::bad_input);
    CHECK(count(db, "SELECT COUNT(*) FROM ticket_comments") == 2);

    const auto rows = audit_rows(db);
    REQUIRE(rows.size() == 4);
    CHECK(rows[2].event == "ticket-comment");
    CHECK(rows[2].actor == "alice");
    CHECK(rows[3].actor == "bob");
    // The audit log records that a comment was made, not what it says.
    CHECK(rows[3].detail.at("comment_length") == std::string("Page taken down; reporter 192.0.2.10 informed.").size());
    CHECK(rows[3].detail.dump().find("192.0.2.10") == std::string::npos);
  }

  SUBCASE("detail of an unknown ticket is empty, not an error") {
    auto found = ticket_detail(db, 5);
    REQUIRE(found.ok());
    CHECK_FALSE(found->has_value());
  }

  check_chain_intact(db);
}

}  // namespace csirtgw
