// The gates of staff correspondence (daemon/correspondence/correspondence_gate.cpp):
// each rule both ways, and the quote stripping the CLI and the mail path share.
#include <doctest/doctest.h>

#include "correspondence_gate.h"

namespace csirtgw {
namespace {

TicketFacts ticket(const std::string& tlp, const std::string& categories = "", const std::string& encryption = "none") {
  TicketFacts t;
  t.number = 7;
  t.queue = "incidents";
  t.state = "open";
  t.tlp = tlp;
  t.categories = categories;
  t.encryption = encryption;
  t.reporter = "rep@y.example";
  t.participants = {"rep@y.example", "peer@z.example"};
  return t;
}

CorrespondenceRequest reply(std::string text = "Thanks, we are on it.\n") {
  CorrespondenceRequest r;
  r.ticket = 7;
  r.kind = CorrespondenceKind::reply;
  r.staff = "ana";
  r.text = std::move(text);
  return r;
}

CorrespondenceRequest forward(const std::string& to, std::string text = "Please handle this.\n") {
  CorrespondenceRequest r = reply(std::move(text));
  r.kind = CorrespondenceKind::forward;
  r.recipient = to;
  return r;
}

const RecipientKey kNoKey{"", "", "no key registered for x"};
const RecipientKey kKeyWithOrg{"AAAA", "Other CERT", ""};
const RecipientKey kKeyNoOrg{"BBBB", "", ""};

}  // namespace

TEST_CASE("encryption is required by an encrypted report, TLP AMBER/RED, private-user or intruder data") {
  CHECK(!encryption_required_because(ticket("GREEN")));
  CHECK(!encryption_required_because(ticket("CLEAR", "vulnerability,statistical")));
  CHECK(encryption_required_because(ticket("GREEN", "", "decrypted")) == "the report came encrypted");
  CHECK(encryption_required_because(ticket("GREEN", "", "failed")) == "the report came encrypted");
  CHECK(encryption_required_because(ticket("AMBER")) == "the ticket is TLP:AMBER");
  CHECK(encryption_required_because(ticket("AMBER+STRICT")) == "the ticket is TLP:AMBER+STRICT");
  CHECK(encryption_required_because(ticket("RED")) == "the ticket is TLP:RED");
  CHECK(encryption_required_because(ticket("GREEN", "vulnerability,private-user")) ==
        "the report holds private-user data");
  CHECK(encryption_required_because(ticket("GREEN", "intruder")) == "the report holds intruder data");
  // A category name that only contains another's is not it.
  CHECK(!encryption_required_because(ticket("GREEN", "private-site")));
}

TEST_CASE("decide_gates: each rule both ways") {
  SUBCASE("a GREEN reply without a key goes signed only; with a key, encrypted") {
    auto d = decide_gates(ticket("GREEN"), reply(), "rep@y.example", kNoKey);
    CHECK(d.allowed);
    CHECK(!d.encrypt);
    CHECK(d.rule == "signed-only-no-key");
    d = decide_gates(ticket("GREEN"), reply(), "rep@y.example", kKeyNoOrg);
    CHECK(d.allowed);
    CHECK(d.encrypt);
    CHECK(d.rule == "encrypted-to-registered-key");
  }
  SUBCASE("encryption-required: no usable key, not sent; a usable key, sent encrypted") {
    for (const auto& t : {ticket("GREEN", "", "decrypted"), ticket("RED"), ticket("GREEN", "intruder")}) {
      auto d = decide_gates(t, reply(), "rep@y.example", kNoKey);
      CHECK(!d.allowed);
      CHECK(d.rule == "encryption-required");
      CHECK(d.reason.find("no key registered for x") != std::string::npos);
      d = decide_gates(t, reply(), "rep@y.example", kKeyNoOrg);
      CHECK(d.allowed);
      CHECK(d.encrypt);
    }
  }
  SUBCASE("tlp-red-participants: a RED forward to a non-participant is refused, to a participant allowed") {
    auto d = decide_gates(ticket("RED"), forward("other@cert.example"), "other@cert.example", kKeyWithOrg);
    CHECK(!d.allowed);
    CHECK(d.rule == "tlp-red-participants");
    d = decide_gates(ticket("RED"), forward("peer@z.example"), "peer@z.example", kKeyWithOrg);
    CHECK(d.allowed);
    CHECK(d.encrypt);
    // AMBER+STRICT ("the organisation only") likewise.
    d = decide_gates(ticket("AMBER+STRICT"), forward("other@cert.example"), "other@cert.example", kKeyWithOrg);
    CHECK(d.rule == "tlp-red-participants");
    // A reply goes to the reporter, a participant.
    CHECK(decide_gates(ticket("RED"), reply(), "rep@y.example", kKeyNoOrg).allowed);
  }
  SUBCASE("tlp-amber-registered-org: an AMBER forward needs a registered key with an organisation") {
    auto d = decide_gates(ticket("AMBER"), forward("other@cert.example"), "other@cert.example", kKeyNoOrg);
    CHECK(!d.allowed);
    CHECK(d.rule == "tlp-amber-registered-org");
    CHECK(d.reason.find("without an organisation") != std::string::npos);
    d = decide_gates(ticket("AMBER"), forward("other@cert.example"), "other@cert.example", kNoKey);
    CHECK(d.rule == "tlp-amber-registered-org");
    d = decide_gates(ticket("AMBER"), forward("other@cert.example"), "other@cert.example", kKeyWithOrg);
    CHECK(d.allowed);
    CHECK(d.encrypt);
  }
  SUBCASE("a GREEN forward to anyone with a plain address; without a key, signed only") {
    auto d = decide_gates(ticket("GREEN"), forward("other@cert.example"), "other@cert.example", kNoKey);
    CHECK(d.allowed);
    CHECK(!d.encrypt);
    CHECK(d.strip_quotes);
  }
  SUBCASE("quotes-reply-only: a forward asking to keep quotes is refused; a reply may keep them") {
    auto f = forward("other@cert.example");
    f.keep_quotes = true;
    auto d = decide_gates(ticket("GREEN"), f, "other@cert.example", kKeyWithOrg);
    CHECK(!d.allowed);
    CHECK(d.rule == "quotes-reply-only");
    auto r = reply("> the report\nok\n");
    r.keep_quotes = true;
    d = decide_gates(ticket("GREEN"), r, "rep@y.example", kKeyWithOrg);
    CHECK(d.allowed);
    CHECK(!d.strip_quotes);
    r.keep_quotes = false;
    CHECK(decide_gates(ticket("GREEN"), r, "rep@y.example", kKeyWithOrg).strip_quotes);
  }
  SUBCASE("recipient-address and reporter-unknown") {
    for (const std::string bad : {"", "no-at-sign", "a@b@c", "Eve <eve@x.example>", "a b@x.example", "a@x.example,b@y"}) {
      auto d = decide_gates(ticket("GREEN"), forward(bad), bad, kNoKey);
      CHECK(!d.allowed);
      CHECK(d.rule == "recipient-address");
    }
    auto d = decide_gates(ticket("GREEN"), reply(), "", kNoKey);
    CHECK(d.rule == "reporter-unknown");
    d = decide_gates(ticket("GREEN"), reply(), "a@b@c", kNoKey);
    CHECK(d.rule == "reporter-unknown");
  }
  SUBCASE("empty-text: nothing left once the quotes are removed") {
    auto d = decide_gates(ticket("GREEN"), reply("On Mon, Eve wrote:\n> secret\n\n"), "rep@y.example", kKeyNoOrg);
    CHECK(!d.allowed);
    CHECK(d.rule == "empty-text");
  }
}

TEST_CASE("strip_quoted_report removes quoted lines, attributions and included originals") {
  struct Case {
    const char* name;
    std::string in, out;
  };
  const Case cases[] = {
      {"plain text stays", "Hello,\n\nwe blocked it.\n", "Hello,\n\nwe blocked it.\n"},
      {"bottom quote with attribution", "Thanks!\n\nOn Mon, 1 Jan 2024, Eve <e@y.example> wrote:\n> TLP:RED\n> 10.0.0.1\n",
       "Thanks!\n"},
      {"inline replies keep the staff text", "On Tue, Eve wrote:\n> Q1?\nA1.\n> Q2?\nA2.\n", "A1.\nA2.\n"},
      {"CRLF and nested quotes", "ok\r\n>> deep\r\n > indented\r\n", "ok\n"},
      {"a colon line not above a quote stays", "Steps:\n1. reset\n", "Steps:\n1. reset\n"},
      {"Outlook original", "See below.\n\n-----Original Message-----\nFrom: Eve\nsecret\n", "See below.\n"},
      {"Thunderbird inline forward", "FYI\n-------- Forwarded Message --------\nSubject: x\nsecret\n", "FYI\n"},
      {"German attribution", "Danke.\nAm 01.01.2024 um 10:00 schrieb Eve:\n\n> geheim\n", "Danke.\n"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    CHECK(strip_quoted_report(c.in) == c.out);
  }
  CHECK(has_quoted_lines("a\n> b\n"));
  CHECK(!has_quoted_lines("a\nb\n"));
}

}  // namespace csirtgw
