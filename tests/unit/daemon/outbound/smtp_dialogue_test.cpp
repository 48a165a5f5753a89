// Golden transcripts for the outbound client's state machine
// (daemon/outbound/smtp_dialogue.cpp): server replies in, the client's bytes and each
// mail's result out. The cases here are the ones a socket test cannot reach
// easily; tests/unit/daemon/outbound/smtp_client_test.cpp runs the common ones over TCP.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "smtp_dialogue.h"
#include "smtp_reply.h"

namespace csirtgw {
namespace {

const char* outcome_name(DeliveryOutcome outcome) {
  switch (outcome) {
    case DeliveryOutcome::accepted: return "accepted";
    case DeliveryOutcome::temporary: return "temporary";
    case DeliveryOutcome::permanent: return "permanent";
  }
  return "?";
}

struct Transcript {
  std::string sent;                  // everything the client sent, in order
  std::vector<std::string> results;  // "index outcome: reply", in the order handed out
  bool finished = false;
};

// Feeds each reply (text without the final CRLF); "FAIL:reason" calls on_failure.
Transcript converse(const std::vector<std::string>& replies, const std::vector<OutgoingMail>& mails) {
  const std::string helo = "gw.test";
  SmtpDialogue dialogue(helo, mails);
  Transcript t;
  std::vector<MailResult> results;
  for (const auto& text : replies) {
    REQUIRE_FALSE(dialogue.finished());
    if (text.rfind("FAIL:", 0) == 0) {
      dialogue.on_failure(text.substr(5), results);
    } else {
      ReplyParser parser;
      REQUIRE(parser.feed(text + "\r\n").status == ReplyParser::Status::complete);
      t.sent += dialogue.on_reply(parser.take_reply(), results);
    }
    for (const auto& r : results)
      t.results.push_back(std::to_string(r.index) + " " + outcome_name(r.result.outcome) + ": " + r.result.reply);
    results.clear();
  }
  t.finished = dialogue.finished();
  return t;
}

const std::vector<OutgoingMail> kTwoMails = {{"a@example.org", "A\r\n"}, {"b@example.org", "B\r\n"}};

}  // namespace

TEST_CASE("smtp dialogue: golden transcripts") {
  struct Row {
    std::string name;
    std::vector<std::string> replies;
    std::string sent;
    std::vector<std::string> results;
    bool finished;
  };
  const std::vector<Row> rows = {
      {"two mails",
       {"220 hi", "250 hi", "250 ok", "250 ok", "354 go", "250 queued 1", "250 ok", "250 ok", "354 go",
        "250 queued 2", "221 bye"},
       "EHLO gw.test\r\nMAIL FROM:<>\r\nRCPT TO:<a@example.org>\r\nDATA\r\nA\r\n.\r\n"
       "MAIL FROM:<>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nB\r\n.\r\nQUIT\r\n",
       {"0 accepted: 250 queued 1", "1 accepted: 250 queued 2"},
       true},
      {"EHLO 502 falls back to HELO",
       {"220 hi", "502 5.5.1 no", "250 hi", "250 ok", "250 ok", "354 go", "250 queued"},
       "EHLO gw.test\r\nHELO gw.test\r\nMAIL FROM:<>\r\nRCPT TO:<a@example.org>\r\nDATA\r\nA\r\n.\r\n"
       "MAIL FROM:<>\r\n",
       {"0 accepted: 250 queued"},
       false},
      {"HELO refused too",
       {"220 hi", "500 no", "550 no HELO", "221 bye"},
       "EHLO gw.test\r\nHELO gw.test\r\nQUIT\r\n",
       {"0 temporary: HELO: 550 no HELO", "1 temporary: HELO: 550 no HELO"},
       true},
      {"EHLO 4xx is not retried with HELO",
       {"220 hi", "454 4.7.0 busy", "221 bye"},
       "EHLO gw.test\r\nQUIT\r\n",
       {"0 temporary: EHLO: 454 4.7.0 busy", "1 temporary: EHLO: 454 4.7.0 busy"},
       true},
      {"554 greeting: temporary for the mails, QUIT",
       {"554 5.3.2 go away"},
       "QUIT\r\n",
       {"0 temporary: greeting: 554 5.3.2 go away", "1 temporary: greeting: 554 5.3.2 go away"},
       false},
      {"421 in a transaction ends the session without QUIT",
       {"220 hi", "250 hi", "250 ok", "421 4.4.2 closing"},
       "EHLO gw.test\r\nMAIL FROM:<>\r\nRCPT TO:<a@example.org>\r\n",
       {"0 temporary: 421 4.4.2 closing", "1 temporary: 421 4.4.2 closing"},
       true},
      {"MAIL 452 then RSET",
       {"220 hi", "250 hi", "452 4.3.1 full", "250 reset", "250 ok"},
       "EHLO gw.test\r\nMAIL FROM:<>\r\nRSET\r\nMAIL FROM:<>\r\nRCPT TO:<b@example.org>\r\n",
       {"0 temporary: 452 4.3.1 full"},
       false},
      {"DATA 554 is permanent",
       {"220 hi", "250 hi", "250 ok", "250 ok", "554 5.5.1 no valid recipients", "250 reset"},
       "EHLO gw.test\r\nMAIL FROM:<>\r\nRCPT TO:<a@example.org>\r\nDATA\r\nRSET\r\nMAIL FROM:<>\r\n",
       {"0 permanent: 554 5.5.1 no valid recipients"},
       false},
      {"552 after the final dot is permanent",
       {"220 hi", "250 hi", "250 ok", "250 ok", "354 go", "552 5.3.4 too big"},
       "EHLO gw.test\r\nMAIL FROM:<>\r\nRCPT TO:<a@example.org>\r\nDATA\r\nA\r\n.\r\nMAIL FROM:<>\r\n",
       {"0 permanent: 552 5.3.4 too big"},
       false},
      {"RSET refused gives up",
       {"220 hi", "250 hi", "550 no", "500 what"},
       "EHLO gw.test\r\nMAIL FROM:<>\r\nRSET\r\nQUIT\r\n",
       {"0 permanent: 550 no", "1 temporary: RSET: 500 what"},
       false},
      {"250 to DATA is a protocol error",
       {"220 hi", "250 hi", "250 ok", "250 ok", "250 what"},
       "EHLO gw.test\r\nMAIL FROM:<>\r\nRCPT TO:<a@example.org>\r\nDATA\r\nQUIT\r\n",
       {"0 temporary: protocol error: unexpected 250 what in reply to DATA",
        "1 temporary: protocol error: unexpected 250 what in reply to DATA"},
       false},
      {"354 after the final dot is a protocol error",
       {"220 hi", "250 hi", "250 ok", "250 ok", "354 go", "354 again"},
       "EHLO gw.test\r\nMAIL FROM:<>\r\nRCPT TO:<a@example.org>\r\nDATA\r\nA\r\n.\r\nQUIT\r\n",
       {"0 temporary: protocol error: 354 again after the final dot",
        "1 temporary: protocol error: 354 again after the final dot"},
       false},
      {"connection lost after the final dot",
       {"220 hi", "250 hi", "250 ok", "250 ok", "354 go", "FAIL:connection closed"},
       "EHLO gw.test\r\nMAIL FROM:<>\r\nRCPT TO:<a@example.org>\r\nDATA\r\nA\r\n.\r\n",
       {"0 temporary: connection closed", "1 temporary: connection closed"},
       true},
      {"a failure during QUIT changes no result",
       {"220 hi", "250 hi", "250 ok", "250 ok", "354 go", "250 q1", "250 ok", "250 ok", "354 go", "250 q2",
        "FAIL:timeout"},
       "EHLO gw.test\r\nMAIL FROM:<>\r\nRCPT TO:<a@example.org>\r\nDATA\r\nA\r\n.\r\n"
       "MAIL FROM:<>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nB\r\n.\r\nQUIT\r\n",
       {"0 accepted: 250 q1", "1 accepted: 250 q2"},
       true},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      const Transcript t = converse(row.replies, kTwoMails);
      CHECK(t.sent == row.sent);
      CHECK(t.results == row.results);
      CHECK(t.finished == row.finished);
    }
  }
}

TEST_CASE("smtp dialogue: a recipient that would break RCPT TO is never sent") {
  const std::vector<OutgoingMail> mails = {
      {"x@example.org\r\nRCPT TO:<victim@example.org", "X\r\n"},
      {"", "Y\r\n"},
      {"b@example.org", "B\r\n"},
      {"c@example.org>", "C\r\n"},
  };
  const Transcript t = converse({"220 hi", "250 hi", "250 ok", "250 ok", "354 go", "250 q", "221 bye"}, mails);
  CHECK(t.sent ==
        "EHLO gw.test\r\nMAIL FROM:<>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nB\r\n.\r\nQUIT\r\n");
  CHECK(t.results == std::vector<std::string>{
                         "0 permanent: refused locally: recipient contains a control character",
                         "1 permanent: refused locally: recipient is empty",
                         "2 accepted: 250 q",
                         "3 permanent: refused locally: recipient contains '<' or '>'",
                     });
  CHECK(t.finished);
}

TEST_CASE("smtp dialogue: what it waits for names the step") {
  const std::string helo = "gw.test";
  SmtpDialogue dialogue(helo, kTwoMails);
  std::vector<MailResult> results;
  CHECK(dialogue.awaiting() == "the greeting");
  ReplyParser parser;
  REQUIRE(parser.feed("220 hi\r\n").status == ReplyParser::Status::complete);
  (void)dialogue.on_reply(parser.take_reply(), results);
  CHECK(dialogue.awaiting() == "the EHLO reply");
  CHECK(dialogue.sending() == "EHLO");
}

}  // namespace csirtgw
