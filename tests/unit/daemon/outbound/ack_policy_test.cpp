// Who gets no acknowledgement (daemon/outbound/ack_policy.cpp): RFC 3834 and loop
// prevention, each with the reason that is audited.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ack_policy.h"
#include "config.h"

namespace csirtgw {

TEST_CASE("ack_suppression") {
  Config config = default_config();
  struct Row {
    std::string name, sender, headers;
    bool new_ticket, failed;
    std::string reason;  // "" = an ack is sent
  };
  const std::string plain = "From: r@example.org\r\nSubject: x\r\n";
  const std::vector<Row> rows = {
      {"an ordinary report", "r@example.org", plain, true, false, ""},
      {"Auto-Submitted: no is a person", "r@example.org", plain + "Auto-Submitted: no\r\n", true, false, ""},
      {"a follow-up", "r@example.org", plain, false, false, "follow-up to an existing ticket"},
      {"null sender", "", plain, true, false, "null sender"},
      {"MAILER-DAEMON", "MAILER-DAEMON@example.org", plain, true, false, "robot or role address"},
      {"postmaster", "postmaster@example.org", plain, true, false, "robot or role address"},
      {"no-reply", "No-Reply@example.org", plain, true, false, "robot or role address"},
      {"list owner", "owner-list@example.org", plain, true, false, "robot or role address"},
      {"list request", "list-request@example.org", plain, true, false, "robot or role address"},
      {"the team's own address", "cert@csirt.example", plain, true, false, "the team's own address"},
      {"the team's subdomain", "x@mail.csirt.example", plain, true, false, "the team's own address"},
      {"a lookalike domain is not the team", "x@evilcsirt.example", plain, true, false, ""},
      {"Auto-Submitted: auto-replied", "r@example.org", plain + "Auto-Submitted: auto-replied\r\n", true, false,
       "Auto-Submitted: auto-replied"},
      {"Auto-Submitted with a comment", "r@example.org", plain + "AUTO-SUBMITTED: auto-generated (x)\r\n", true,
       false, "Auto-Submitted: auto-generated"},
      {"Precedence: bulk", "r@example.org", plain + "Precedence: bulk\r\n", true, false, "Precedence: bulk"},
      {"Precedence: list", "r@example.org", plain + "Precedence: List\r\n", true, false, "Precedence: list"},
      {"Precedence: junk", "r@example.org", plain + "Precedence: junk\r\n", true, false, "Precedence: junk"},
      {"Precedence: first-class is fine", "r@example.org", plain + "Precedence: first-class\r\n", true, false, ""},
      {"List-Id", "r@example.org", plain + "List-Id: <l.example.org>\r\n", true, false, "List-Id header"},
      {"List-Unsubscribe", "r@example.org", plain + "List-Unsubscribe: <mailto:x>\r\n", true, false,
       "List-Unsubscribe header"},
      {"failed, neutral", "r@example.org", plain, true, true, ""},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      const auto reason = ack_suppression({row.sender, row.headers, row.new_ticket, row.failed}, config);
      if (row.reason.empty()) {
        CHECK(!reason.has_value());
      } else {
        REQUIRE(reason.has_value());
        CHECK(reason->find(row.reason) == 0);
      }
    }
  }
  SUBCASE("failed with on_failure = none") {
    config.ack_on_failure = "none";
    CHECK(ack_suppression({"r@example.org", plain, true, true}, config).value_or("") ==
          "report failed and ack.on_failure = none");
  }
  SUBCASE("follow-ups acknowledged when configured") {
    config.ack_follow_ups = 1;
    CHECK(!ack_suppression({"r@example.org", plain, false, false}, config).has_value());
  }
  SUBCASE("a header value with control characters is escaped in the reason") {
    const auto reason = ack_suppression({"r@example.org", plain + "Auto-Submitted: x\x01y\r\n", true, false}, config);
    REQUIRE(reason.has_value());
    for (unsigned char c : *reason) CHECK((c >= 0x20 && c < 0x7f));
  }
}

TEST_CASE("ack_rate_limited") {
  Config config = default_config();
  config.ack_rate_limit = 2;
  CHECK(!ack_rate_limited(0, config));
  CHECK(!ack_rate_limited(1, config));
  CHECK(ack_rate_limited(2, config).value_or("").find("rate limit: 2 acknowledgements") == 0);
  config.ack_rate_limit = 0;
  CHECK(!ack_rate_limited(1000, config));
}

}  // namespace csirtgw
