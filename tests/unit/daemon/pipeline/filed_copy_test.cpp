// The head the filing worker writes above a message (daemon/filed_copy.cpp):
// csirtgw's own fields, LF-ended, and no line of the message can continue
// them — a message starting with white space (found by fuzz_whole_chain:
// "\t" alone extended X-Csirtgw-Priority) is set off by an empty line.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "filed_copy.h"

namespace csirtgw {

TEST_CASE("filed_head: no message line continues csirtgw's last field") {
  struct Row {
    const char* name;
    std::string message;
    bool blank_line_after_head;
  };
  const std::vector<Row> rows = {
      {"ordinary header first", "From: a@example.org\r\nSubject: x\r\n\r\nbody\r\n", false},
      {"tab first (the fuzz find)", "\t", true},
      {"space first, then real fields", " RED\r\nFrom: a@example.org\r\n\r\nbody\r\n", true},
      {"tab-folded forged value", "\tCLEAR\r\nSubject: x\r\n\r\n", true},
      {"empty line first (body only)", "\r\nbody\r\n", false},
      {"empty message", "", false},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    Report report;
    report.spool_id = "20261204T190000-000001";
    report.protocol = "lmtp";
    report.sender = "reporter@example.org";
    report.recipients = {{"cert@csirt.example", "cert"}};
    report.classification.priority = 3;
    report.raw_message = row.message;
    const std::string head = filed_head(report, "csirtgw.localhost", 1796410800);
    REQUIRE(head.size() > 2);
    CHECK(head.find("X-Csirtgw-Priority: 3\n") != std::string::npos);
    CHECK((head.substr(head.size() - 2) == "\n\n") == row.blank_line_after_head);
  }
}

}  // namespace csirtgw
