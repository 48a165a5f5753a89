// Constituency from the affected side only (filters/classify/constituency.cpp),
// through the classify stage under the default policy and form: affected-host
// fields and ARF Source-IP decide; attack-source fields never do, in the
// fields or in the text; the reporter's verified domain comes next; a fallback
// to the free text's indicators says so; and a constituent reporter is marked.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "classify_stage.h"
#include "config.h"
#include "constituency.h"
#include "filters/default_rules.h"
#include "route_stage.h"
#include "status_headers.h"

namespace csirtgw {
namespace {

using testing::crlf;

enum class Signed { no, verified };

Report make_report(const std::string& from, const std::string& body, Signed sig = Signed::no) {
  Report report;
  report.spool_id = "20240501T000000-000001";
  report.recipients = {{"cert@csirt.example", "incidents"}};
  report.raw_message = crlf("From: " + from + "\nTo: cert@csirt.example\nSubject: report\nMessage-ID: <r@x>\n"
                            "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n" + body);
  if (sig == Signed::verified) {
    report.crypto.signature = "good";
    report.crypto.sender_verified = true;
  }
  return report;
}

Report classify_and_route(Report report) {
  ClassifyStage classify(testing::default_policy(), testing::default_form(), default_config());
  CHECK(classify.process(report).verdict == FilterVerdict::proceed);
  RouteStage route(testing::default_policy());
  CHECK(route.process(report).verdict == FilterVerdict::proceed);
  return report;
}

const std::string kOutsider = "Alice <alice@partner.example>";
const std::string kConstituent = "Bob <bob@example.edu>";

std::string form(const std::string& lines) {
  return "Reporter name: Alice\nReporter e-mail: alice@partner.example\nIncident date and time: 2024-05-01\n"
         "Incident type: intrusion-attempts/brute-force\n" + lines;
}

}  // namespace

TEST_CASE("constituency: from the affected side only") {
  struct Row {
    std::string name;
    std::string from;
    std::string body;
    Signed sig;
    bool constituency;
    std::string because;
    std::string source;
  };
  const std::vector<Row> rows = {
      {"affected field inside", kOutsider, form("Affected IP: 192.0.2.10\n"), Signed::no, true, "affected 192.0.2.10",
       "affected-host field"},
      {"affected list with one inside", kOutsider, form("Affected IP: 203.0.113.1, 198.51.100.23\n"), Signed::no,
       true, "affected 198.51.100.23", "affected-host field"},
      {"affected network inside", kOutsider, form("Affected IP: 198.51.100.0/25\n"), Signed::no, true,
       "affected 198.51.100.0", "affected-host field"},
      {"a host name with other than plain characters is not echoed", kOutsider,
       form("Hostname: b\xC3\xBC" "cher.example.edu\n"), Signed::no, true,
       "affected a host not shown (unusual characters)", "affected-host field"},
      {"affected field outside wins over the text", kOutsider,
       form("Affected IP: 203.0.113.10\nDescription: it talked to 192.0.2.1\n"), Signed::no, false,
       "no affected host inside the constituency", "affected-host field"},
      {"only attacker addresses: they decide nothing", kOutsider,
       form("Attacker IP: 203.0.113.99, 203.0.113.98\nSource of attack: evil.example\n"), Signed::no, true,
       "no affected host named (only attack sources): treated as ours", "nothing named"},
      {"attacker inside the constituency does not make it ours either", kOutsider,
       form("Attacker IP: 192.0.2.99\nDescription: brute force from 192.0.2.99 against 203.0.113.5\n"), Signed::no,
       false, "from free-text indicators (no affected-host field): none inside the constituency", "free-text indicators"},
      {"free text says so", kOutsider, "Host 198.51.100.7 is scanning the internet.\n", Signed::no, true,
       "from free-text indicators (no affected-host field): affected 198.51.100.7", "free-text indicators"},
      {"free text outside says so", kOutsider, "Host 203.0.113.9 is scanning the internet.\n", Signed::no, false,
       "from free-text indicators (no affected-host field): none inside the constituency", "free-text indicators"},
      {"URL host in the text", kOutsider, "Phishing at https://login.example.edu:8443/x\n", Signed::no, true,
       "from free-text indicators (no affected-host field): affected login.example.edu", "free-text indicators"},
      {"verified constituent reporter before the free text", kConstituent,
       "Phishing mail pointing to https://evil.example/login\n", Signed::verified, true,
       "reporter: verified key's address domain example.edu is in the constituency", "verified reporter"},
      {"unverified constituent reporter does not decide the constituency", kConstituent,
       "Phishing mail pointing to https://evil.example/login\n", Signed::no, false,
       "from free-text indicators (no affected-host field): none inside the constituency", "free-text indicators"},
      {"nothing named", kOutsider, "Please call me back.\n", Signed::no, true, "no affected host named: treated as ours",
       "nothing named"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      const Report report = classify_and_route(make_report(row.from, row.body, row.sig));
      CHECK(report.classification.constituency == row.constituency);
      CHECK(report.classification.constituency_because == row.because);
      CHECK(report.classification.constituency_source == row.source);
      const std::string headers = render_status_headers(report);
      CHECK(headers.find("X-Csirtgw-Constituency-Because: " + row.because + "\n") != std::string::npos);
    }
  }
}

TEST_CASE("constituency: ARF Source-IP is the reported host") {
  const std::string arf = crlf(
      "From: abuse@partner.example\nTo: cert@csirt.example\nSubject: FW: spam\nMessage-ID: <arf@x>\n"
      "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=feedback-report; boundary=\"b\"\n\n"
      "--b\nContent-Type: text/plain\n\nSpam from your network; our MTA 203.0.113.25 received it.\n"
      "--b\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: x/1\nVersion: 1\n"
      "Source-IP: 192.0.2.77\n\n"
      "--b\nContent-Type: message/rfc822\n\nFrom: spammer@example.edu\nSubject: buy\n\nbuy now\n--b--\n");
  Report report;
  report.spool_id = "s";
  report.recipients = {{"cert@csirt.example", "incidents"}};
  report.raw_message = arf;
  report = classify_and_route(report);
  REQUIRE(report.content.format == "arf");
  CHECK(report.classification.constituency);
  CHECK(report.classification.constituency_because == "affected 192.0.2.77");
  CHECK(report.classification.constituency_source == "affected-host field");
}

TEST_CASE("constituency: our own users' reports are incidents for the team") {
  struct Row {
    std::string name;
    std::string from;
    Signed sig;
    bool constituent;
    std::string because;
    std::string queue;
  };
  const std::string phishing = "I got this phishing mail, the link goes to https://evil.example/login\n";
  const std::vector<Row> rows = {
      {"From domain in the constituency", kConstituent, Signed::no, true,
       "From domain example.edu is in the constituency", "incident-reports"},
      {"subdomain of the constituency", "carol@cs.example.edu", Signed::no, true,
       "From domain cs.example.edu is in the constituency", "incident-reports"},
      {"verified key's address", kConstituent, Signed::verified, true,
       "verified key's address domain example.edu is in the constituency", "incident-reports"},
      {"look-alike domain", "mallory@evilexample.edu", Signed::no, false, "", "coordination"},
      {"outsider", kOutsider, Signed::no, false, "", "coordination"},
      {"two From addresses give no standing", "bob@example.edu, eve@evil.example", Signed::no, false, "",
       "coordination"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      const Report report = classify_and_route(make_report(row.from, phishing, row.sig));
      CHECK(report.classification.type == "fraud/phishing");
      CHECK(report.classification.reporter_constituent == row.constituent);
      CHECK(report.classification.reporter_because == row.because);
      CHECK(report.queue == row.queue);
      const std::string headers = render_status_headers(report);
      CHECK((headers.find("X-Csirtgw-Reporter: constituent; " + row.because + "\n") != std::string::npos) ==
            row.constituent);
      // The audit note says it, without addresses.
      for (const auto& n : report.audit_notes)
        if (n.event == "classified") {
          const auto detail = nlohmann::json::parse(n.detail);
          CHECK(detail.at("reporter_constituent") == row.constituent);
          CHECK(n.detail.find("example.edu") == std::string::npos);
        }
    }
  }
}

TEST_CASE("constituency: host_part") {
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"https://user@login.example.edu:8443/x?y", "login.example.edu"},
      {"[2001:db8::1]:443", "2001:db8::1"},
      {"2001:db8::/32", "2001:db8::"},
      {"198.51.100.0/24", "198.51.100.0"},
      {"mail.example.edu.", "mail.example.edu"},
      {"host.example:25", "host.example"},
      {"2001:db8::7", "2001:db8::7"},
  };
  for (const auto& [in, out] : rows) CHECK_MESSAGE(host_part(in) == out, in);
}

}  // namespace csirtgw
