// TLP labels as written (filters/classify/tlp_markers.cpp) and the reporter's
// prose (filters/classify/report_prose.cpp), table by table.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "report_prose.h"
#include "tlp_markers.h"

namespace csirtgw {
namespace {

TEST_CASE("tlp markers: every way people write them, and what is no marker") {
  struct Row {
    std::string text;
    std::vector<std::string> labels;
  };
  const std::vector<Row> rows = {
      {"TLP:RED", {"RED"}},
      {"[TLP:RED] subject", {"RED"}},
      {"TLP - RED", {"RED"}},
      {"TLP red", {"RED"}},
      {"tlp:clear", {"CLEAR"}},
      {"TLP white", {"CLEAR"}},
      {"TLP:WHITE", {"CLEAR"}},
      {"TLP: AMBER+STRICT", {"AMBER+STRICT"}},
      {"TLP:AMBER STRICT", {"AMBER+STRICT"}},
      {"TLP = green", {"GREEN"}},
      {"TLP:AMBER and later TLP:RED", {"AMBER", "RED"}},
      {"TLP: REDACTED", {}},
      {"TLPRED", {}},
      {"ATLP:RED", {}},
      {"TLP", {}},
      {"the TLP protocol", {}},
      {"TLP:       RED", {"RED"}},  // aligned in a table
      {"TLP" + std::string(20, ' ') + "RED", {}},  // too far from its word to be its label
  };
  for (const auto& row : rows) {
    CAPTURE(row.text);
    CHECK(tlp_markers_in(row.text) == row.labels);
  }
}

TEST_CASE("tlp markers: a field value that is one label") {
  struct Row {
    std::string value;
    std::string label;  // "" for none
  };
  const std::vector<Row> rows = {{"RED", "RED"},         {"tlp:amber", "AMBER"}, {" TLP: WHITE ", "CLEAR"},
                                 {"[TLP:RED]", "RED"},   {"amber+strict", "AMBER+STRICT"},
                                 {"red alert", ""},      {"internal", ""},       {"", ""}};
  for (const auto& row : rows) {
    CAPTURE(row.value);
    CHECK(tlp_label_of(row.value).value_or("") == row.label);
  }
}

TEST_CASE("report prose: the subject and the reporter's words, not headers, payloads or documents") {
  CHECK(report_prose("trickbot on 192.0.2.7", "See below.\n") == "trickbot on 192.0.2.7\nSee below.\n");
  CHECK(report_prose("s", "Hi\n> From: x@y.example\n> FCC: imap://spam%40a@b/Sent\nbye\n") == "s\nHi\nbye\n");
  CHECK(report_prose("s", "DKIM-Signature: v=1;\n\tb=phishing\nafter\n") == "s\nafter\n");
  CHECK(report_prose("s", "aGVsbG8gd29ybGQgaGVsbG8gd29ybGQgaGVsbG8gd29ybGQgaGVsbG8=\nok\n") == "s\nok\n");
  CHECK(report_prose("s", "{\"botnet_participation\": 1}\n") == "s\n");
  CHECK(indicator_text("a\nMessage-ID: <x@y.example>\n> References: <z@y.example>\nb\n") == "a\nb\n");
}

}  // namespace
}  // namespace csirtgw
