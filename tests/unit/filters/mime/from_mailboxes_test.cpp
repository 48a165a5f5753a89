// The From header's mailboxes (filters/mime/from_mailboxes.cpp), strictly: the address
// the sender-verification binds a signing key to. Display names that look like
// addresses, two angle-addrs in one mailbox, unterminated brackets and garbage must
// never yield a (wrong) single mailbox ("Johnny, you are fired" ID attacks).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "from_mailboxes.h"

namespace csirtgw {

TEST_CASE("from_mailboxes: accepted headers") {
  struct Row {
    std::string name;
    std::string headers;
    std::vector<std::string> mailboxes;
  };
  const std::vector<Row> rows = {
      {"name-addr", "From: Rep <rep@x.example>\r\n", {"rep@x.example"}},
      {"bare addr-spec", "From: rep@x.example\r\n", {"rep@x.example"}},
      {"angle-addr only", "From: <rep@x.example>\r\n", {"rep@x.example"}},
      {"address-like quoted display name", "From: \"reporter@x.example\" <attacker@y.example>\r\n",
       {"attacker@y.example"}},
      {"unquoted address-like display name", "From: reporter@x.example <attacker@y.example>\r\n",
       {"attacker@y.example"}},
      {"quoted display name with brackets", "From: \"Rep <rep@x.example>\" <attacker@y.example>\r\n",
       {"attacker@y.example"}},
      {"case folded", "From: Rep <Rep.Name@X.Example>\r\n", {"rep.name@x.example"}},
      {"field name in any case", "FROM: rep@x.example\r\n", {"rep@x.example"}},
      {"two mailboxes in one field", "From: a@x.example, B <b@y.example>\r\n", {"a@x.example", "b@y.example"}},
      {"two From fields", "From: a@x.example\r\nSubject: s\r\nFrom: B <b@y.example>\r\n",
       {"a@x.example", "b@y.example"}},
      {"group", "From: Team: a@x.example, B <b@y.example>;\r\n", {"a@x.example", "b@y.example"}},
      {"folded field", "From: Rep\r\n <rep@x.example>\r\n", {"rep@x.example"}},
      {"trailing comment", "From: rep@x.example (Rep)\r\n", {"rep@x.example"}},
      {"comment before name-addr", "From: (the reporter) Rep <rep@x.example>\r\n", {"rep@x.example"}},
      {"encoded-word display name", "From: =?UTF-8?Q?R=C3=A9p?= <rep@x.example>\r\n", {"rep@x.example"}},
      {"no From field", "To: csirt@team.example\r\nSubject: s\r\n", {}},
      {"Sender and Reply-To are not From", "Sender: s@x.example\r\nReply-To: r@x.example\r\nFrom: f@x.example\r\n",
       {"f@x.example"}},
      {"quoted display name with escaped quote and bracket",
       "From: \"Rep \\\" <evil@y.example> \\\"\" <rep@x.example>\r\n", {"rep@x.example"}},
      {"comment holding an angle-addr", "From: Rep (<evil@y.example>) <rep@x.example>\r\n", {"rep@x.example"}},
      {"RFC 5322 A.5 comments", "From: Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>\r\n",
       {"pete@silly.test"}},
      {"obsolete route dropped", "From: <@relay.example:rep@x.example>\r\n", {"rep@x.example"}},
      {"trailing comma", "From: Rep <rep@x.example>,\r\n", {"rep@x.example"}},
      {"empty header block", "", {}},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      auto from = from_mailboxes(row.headers);
      REQUIRE_MESSAGE(from.ok(), from.error().message);
      CHECK(from.value() == row.mailboxes);
    }
  }
}

TEST_CASE("from_mailboxes: malformed or ambiguous headers are errors") {
  struct Row {
    std::string name;
    std::string headers;
  };
  const std::vector<Row> rows = {
      {"two angle-addrs in one mailbox", "From: <a@x.example> <b@y.example>\r\n"},
      {"name-addr followed by another angle-addr", "From: Rep <a@x.example> <b@y.example>\r\n"},
      {"garbage", "From: this is not an address\r\n"},
      {"a group without its ';' (mimetic throws length_error)", "From: repReporter e-mail: \n"},
      {"an empty group name without its ';'", "From: a b: \r\n"},
      {"no domain", "From: Rep <rep>\r\n"},
      {"empty angle-addr", "From: Rep <>\r\n"},
      {"bad domain", "From: rep@-x.example\r\n"},
      {"quoted local part", "From: \"a b\"@x.example\r\n"},
      {"relay hack", "From: a%b@x.example\r\n"},
      {"one good, one bad mailbox", "From: a@x.example, not an address\r\n"},
      {"unterminated angle-addr", "From: Rep <rep@x.example\r\n"},
      {"unopened angle-addr", "From: rep@x.example>\r\n"},
      {"angle-addr without name, unterminated", "From: <rep@x.example\r\n"},
      {"two addr-specs without comma", "From: a@x.example b@y.example\r\n"},
      {"semicolon as separator", "From: a@x.example; b@y.example\r\n"},
      {"address-like encoded word", "From: =?UTF-8?Q?rep@x.example_<x>?= <attacker@y.example>\r\n"},
      {"unterminated comment", "From: rep@x.example (Rep\r\n"},
      {"address literal", "From: rep@[127.0.0.1]\r\n"},
      {"second From field bad", "From: a@x.example\r\nFrom: <a@x.example> <b@y.example>\r\n"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      auto from = from_mailboxes(row.headers);
      CHECK_FALSE(from.ok());
      if (!from.ok()) CHECK(from.error().kind == ErrorClass::bad_input);
    }
  }
}

// RFC 5322 3.4: angle-addr = [CFWS] "<" addr-spec ">" [CFWS] — a comment after the
// angle-addr is valid, and refusing it means a legitimate signed report is never
// sender-verified (fails closed, so not a security hole).
TEST_CASE("from_mailboxes: comment after an angle-addr") {
  auto from = from_mailboxes("From: Rep <rep@x.example> (CERT duty)\r\n");
  REQUIRE_MESSAGE(from.ok(), from.error().message);
  CHECK(from.value() == std::vector<std::string>{"rep@x.example"});
}

}  // namespace csirtgw
