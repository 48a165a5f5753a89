// The staff command grammar (daemon/pipeline/staff_command.h): the keyword
// line, forward's address, resolve and quote, and what is left of the text
// once a mail client's quoted report and attribution line are removed.
#include <doctest/doctest.h>

#include <string>

#include "correspondence.h"
#include "staff_command.h"

namespace csirtgw {
namespace {

TEST_CASE("staff command: keyword lines") {
  struct Row {
    const char* body;
    StaffAction action;
    const char* forward_to;
    bool resolve, quote;
    const char* text;
  };
  const Row rows[] = {
      {"reply\nThanks, we are on it.\n", StaffAction::reply, "", false, false, "Thanks, we are on it.\n"},
      {"\r\n  \r\nReply\r\nThanks.\r\n", StaffAction::reply, "", false, false, "Thanks.\n"},
      {"reply and resolve\nFixed.\n", StaffAction::reply, "", true, false, "Fixed.\n"},
      {"reply resolve\nFixed.\n", StaffAction::reply, "", true, false, "Fixed.\n"},
      {"comment\nCalled the ISP.\n", StaffAction::comment, "", false, false, "Called the ISP.\n"},
      {"COMMENT and resolve\nDone.\n", StaffAction::comment, "", true, false, "Done.\n"},
      {"forward abuse@isp.example\nPlease take this down.\n", StaffAction::forward, "abuse@isp.example", false, false,
       "Please take this down.\n"},
      {"forward <Abuse@ISP.example> and resolve\nHanded off.\n", StaffAction::forward, "abuse@isp.example", true, false,
       "Handed off.\n"},
      {"resolve\n", StaffAction::resolve, "", true, false, ""},
      {"resolve\nFalse positive.\n", StaffAction::resolve, "", true, false, "False positive.\n"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.body);
    auto parsed = parse_staff_command(row.body);
    REQUIRE_MESSAGE(parsed.ok(), parsed.error().message);
    CHECK(parsed->action == row.action);
    CHECK(parsed->forward_to == row.forward_to);
    CHECK(parsed->resolve == row.resolve);
    CHECK(parsed->quote == row.quote);
    CHECK(parsed->text == row.text);
  }
}

TEST_CASE("staff command: refusals name what is wrong") {
  struct Row {
    const char* body;
    const char* says;
  };
  const Row rows[] = {
      {"", "no text"},
      {"\n \n", "no text"},
      {"Hello team,\nplease reply.\n", "keyword, not \"Hello\""},
      {"forward\nText\n", "forward needs an address"},
      {"forward not-an-address\nText\n", "not a plain address"},
      {"comment quote\nText\n", "with reply only"},
      {"reply and\nText\n", "unexpected word \"and\""},
      {"reply now\nText\n", "unexpected word \"now\""},
      {"reply\n> only the quoted report\n", "reply with no text"},
      {"comment\n\n", "comment with no text"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.body);
    auto parsed = parse_staff_command(row.body);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().kind == ErrorClass::bad_input);
    CHECK_MESSAGE(parsed.error().message.find(row.says) != std::string::npos, parsed.error().message);
    CHECK(parsed.error().message.find("[PREFIX #N]") != std::string::npos);  // the grammar comes with it
  }
}

TEST_CASE("staff command: quoted report and attribution are removed unless quote") {
  const std::string neomutt =
      "reply\n"
      "We have blocked the address.\n"
      "\n"
      "On Sat, Dec 05, 2026 at 01:02:03AM +0000, Reporter wrote:\n"
      "> The secret TLP:RED details\n"
      ">> nested\n"
      "\n"
      "-- \n"
      "Ann, CERT\n";
  auto parsed = parse_staff_command(neomutt);
  REQUIRE(parsed.ok());
  CHECK(parsed->text == "We have blocked the address.\n\n-- \nAnn, CERT\n");
  CHECK(parsed->text.find("TLP:RED") == std::string::npos);

  // With quote: the text as written, the quoted report included (reply only).
  const std::string thunderbird =
      "reply quote\n"
      "On 12/5/26 01:02, Reporter wrote:\n"
      "> the report\n"
      "\n"
      "Blocked.\n";
  auto quoting = parse_staff_command(thunderbird);
  REQUIRE(quoting.ok());
  CHECK(quoting->quote);
  CHECK(quoting->text == "On 12/5/26 01:02, Reporter wrote:\n> the report\n\nBlocked.\n");
  CHECK(strip_quoted_report(thunderbird.substr(thunderbird.find('\n') + 1)) == "Blocked.\n");

  // Prose that only ends in "wrote:" stays.
  CHECK(strip_quoted_report("The attacker wrote:\nrm -rf /\n") == "The attacker wrote:\nrm -rf /\n");
  CHECK(strip_quoted_report("  > indented quote\nkept\n\n\n") == "kept\n");
}

}  // namespace
}  // namespace csirtgw
