// ARF, legacy X-ARF and XARF v4 parsing (filters/parsers/abuse_report_parsers.cpp):
// a realistic sample of each format (RFC 5965 Appendix B; an X-ARF 0.2
// login-attack report; an XARF v4 LoginAttack document), one malformed variant
// per check with exactly the FieldError it must produce, messages that are not
// the format at all (nullopt), and hostile bodies (oversized, deeply nested,
// YAML alias bombs) that must come back as errors, quickly, never as exceptions.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "abuse_report_parsers.h"
#include "message_header.h"
#include "mime_structure.h"

namespace csirtgw {
namespace {

MimeEntity scan(const std::string& message) {
  auto scanned = scan_mime(message, MimeLimits{});
  REQUIRE_MESSAGE(scanned.ok(), (scanned.ok() ? "" : scanned.error().message));
  return scanned.value();
}

std::string crlf(const std::string& text) { return to_crlf_line_ends(text); }

// "field: message" per error.
std::vector<std::string> errors_of(const ReportContent& content) {
  std::vector<std::string> out;
  for (const auto& e : content.errors) out.push_back(e.field + ": " + e.message);
  return out;
}

std::string field_of(const ReportContent& content, const std::string& field, int block = 0) {
  for (const auto& f : content.fields)
    if (f.field == field && f.block == block) return f.value;
  return "<absent>";
}

bool has_indicator(const ReportContent& content, IndicatorKind kind, const std::string& value) {
  for (const auto& i : content.indicators)
    if (i.kind == kind && i.value == value) return true;
  return false;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
  return text;
}

// --- ARF: RFC 5965 Appendix B.2 ---------------------------------------------

const std::string arf_feedback =
    "Feedback-Type: abuse\n"
    "User-Agent: SomeGenerator/1.0\n"
    "Version: 1\n"
    "Original-Mail-From: <somespammer@example.net>\n"
    "Original-Rcpt-To: <user@example.com>\n"
    "Original-Rcpt-To: <user2@example.com>\n"
    "Arrival-Date: Thu, 8 Mar 2005 14:00:00 EDT\n"
    "Reporting-MTA: dns; mail.example.com\n"
    "Source-IP: 192.0.2.1\n"
    "Authentication-Results: mail.example.com;\n"
    "               spf=fail smtp.mail=somespammer@example.com\n"
    "Reported-Domain: example.net\n"
    "Reported-Uri: http://example.net/earn_money.html\n"
    "Reported-Uri: mailto:user@example.com\n"
    "Removal-Recipient: user@example.com\n";

const std::string arf_original =
    "From: <somespammer@example.net>\n"
    "Received: from mailserver.example.net\n"
    "        (mailserver.example.net [192.0.2.1])\n"
    "        by example.com with ESMTP id M63d4137594e46;\n"
    "        Thu, 08 Mar 2005 14:00:00 -0400\n"
    "To: <Undisclosed Recipients>\n"
    "Subject: Earn money\n"
    "MIME-Version: 1.0\n"
    "Content-type: text/plain\n"
    "Message-ID: 8787KJKJ3K4J3K4J3K4J3.mail@example.net\n"
    "Date: Thu, 02 Sep 2004 12:31:03 -0500\n"
    "\n"
    "Spam Spam Spam\n"
    "Spam Spam Spam\n";

struct ArfParts {
  std::string feedback = arf_feedback;
  std::string feedback_headers = "Content-Type: message/feedback-report\n";
  bool with_feedback = true;
  bool with_original = true;
  std::string original_type = "message/rfc822";
  std::string report_type = "feedback-report";
};

std::string arf_message(const ArfParts& p = {}) {
  const std::string b = "part1_13d.2e68ed54_boundary";
  std::string m =
      "From: <abusedesk@example.com>\n"
      "Date: Thu, 8 Mar 2005 17:40:36 EDT\n"
      "Subject: FW: Earn money\n"
      "To: <abuse@example.net>\n"
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/report; report-type=" + p.report_type + ";\n"
      "     boundary=\"" + b + "\"\n"
      "\n"
      "--" + b + "\n"
      "Content-Type: text/plain; charset=\"US-ASCII\"\n"
      "Content-Transfer-Encoding: 7bit\n"
      "\n"
      "This is an email abuse report for an email message received from IP\n"
      "192.0.2.1 on Thu, 8 Mar 2005 14:00:00 EDT.  For more information\n"
      "about this format please see http://www.mipassoc.org/arf/.\n"
      "\n";
  if (p.with_feedback) m += "--" + b + "\n" + p.feedback_headers + "\n" + p.feedback + "\n";
  if (p.with_original)
    m += "--" + b + "\nContent-Type: " + p.original_type + "\nContent-Disposition: inline\n\n" + arf_original;
  m += "--" + b + "--\n";
  return crlf(m);
}

std::optional<ReportContent> parse_arf_text(const std::string& message) { return parse_arf(message, scan(message)); }

// --- X-ARF 0.2 (legacy, YAML) -------------------------------------------------

const std::string xarf_yaml =
    "---\n"
    "Reported-From: abuse@example.com\n"
    "Category: abuse\n"
    "Report-Type: login-attack\n"
    "Service: ssh\n"
    "Version: 0.2\n"
    "User-Agent: Fail2Ban-XARF 0.1\n"
    "Date: Thu, 05 Feb 2009 14:17:10 +0100\n"
    "Source: 192.0.2.55\n"
    "Source-Type: ipv4\n"
    "Port: 22\n"
    "Report-ID: 0815@example.com\n"
    "Attachment: text/plain\n"
    "Schema-URL: http://www.x-arf.org/schema/abuse_login-attack_0.1.2.json\n";

struct XarfParts {
  std::string marker = "X-XARF: PLAIN\n";
  std::string yaml = xarf_yaml;
  std::string yaml_headers = "Content-Transfer-Encoding: 7bit\nContent-Type: text/plain; charset=utf-8; name=\"report.txt\"\n";
  bool with_yaml = true;
};

std::string xarf_message(const XarfParts& p = {}) {
  const std::string b = "Abuse-bc3a5f9a-e5d6-4d4e";
  std::string m =
      "Date: Thu, 05 Feb 2009 14:17:10 +0100\n"
      "From: Example Abuse <abuse@example.com>\n"
      "To: abuse@example.net\n"
      "Subject: abuse report about 192.0.2.55 - 2009-02-05T14:17:10+01:00\n"
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=\"" + b + "\"\n" + p.marker +
      "\n"
      "--" + b + "\n"
      "Content-Transfer-Encoding: 7bit\n"
      "Content-Type: text/plain; charset=utf-8\n"
      "\n"
      "Dear Sir or Madam,\n"
      "we detected a login attack (ssh) from 192.0.2.55, which belongs to your network.\n"
      "\n";
  if (p.with_yaml) m += "--" + b + "\n" + p.yaml_headers + "\n" + p.yaml + "\n";
  m += "--" + b + "\n"
       "Content-Transfer-Encoding: 7bit\n"
       "Content-Type: text/plain; charset=utf-8; name=\"logfile.log\"\n"
       "\n"
       "2009-02-05 14:15:01 sshd[1234]: Failed password for root from 192.0.2.55 port 40212 ssh2\n"
       "--" + b + "--\n";
  return crlf(m);
}

std::optional<ReportContent> parse_xarf_text(const std::string& message) { return parse_xarf(message, scan(message)); }

// --- XARF v4 (JSON) -------------------------------------------------------------

const std::string xarf_v4_json = R"({
  "Version": "4",
  "ReporterInfo": {
    "ReporterOrg": "ExampleOrg",
    "ReporterOrgDomain": "example.com",
    "ReporterOrgEmail": "reports@example.com",
    "ReporterContactEmail": "contact@example.com",
    "ReporterContactName": "Mr. Example",
    "ReporterContactPhone": "+ 01 000 1234567"
  },
  "Disclosure": true,
  "Report": {
    "ReportClass": "Activity",
    "ReportType": "LoginAttack",
    "Date": "2018-02-05T14:17:10Z",
    "SourceIp": "192.0.2.55",
    "SourcePort": 52212,
    "DestinationIp": "198.51.100.10",
    "DestinationPort": 22,
    "Service": "ssh",
    "Ongoing": true,
    "Count": 7,
    "Samples": [
      {"ContentType": "text/plain", "Base64Encoded": false, "Description": "auth.log excerpt",
       "Payload": "Failed password for root from 192.0.2.55 port 52212 ssh2"}
    ]
  }
}
)";

std::string xarf_v4_message(const std::string& json, const std::string& json_headers =
                                                         "Content-Type: application/json; name=\"xarf.json\"\n",
                            const std::string& extra_headers = "") {
  const std::string b = "xarf4-boundary";
  return crlf("From: reports@example.com\n"
              "To: abuse@example.net\n"
              "Subject: XARF report: LoginAttack from 192.0.2.55\n"
              "MIME-Version: 1.0\n" + extra_headers +
              "Content-Type: multipart/mixed; boundary=\"" + b + "\"\n"
              "\n"
              "--" + b + "\n"
              "Content-Type: text/plain; charset=utf-8\n"
              "\n"
              "Please find an abuse report attached (XARF v4).\n"
              "--" + b + "\n" + json_headers + "\n" + json +
              "\n--" + b + "--\n");
}

// A JSON or YAML body of `bytes` in lines short enough for the MIME scan.
std::string long_lines(const std::string& head, const std::string& line, const std::string& tail, std::size_t bytes) {
  std::string out = head;
  while (out.size() < bytes) out += line;
  return out + tail;
}

#ifdef NDEBUG
constexpr double time_limit_seconds = 1.0;
#else
constexpr double time_limit_seconds = 3.0;
#endif

}  // namespace

TEST_CASE("arf: the RFC 5965 Appendix B sample") {
  auto content = parse_arf_text(arf_message());
  REQUIRE(content.has_value());
  CHECK(content->format == "arf");
  CHECK(content->category_hint == "abuse");
  CHECK(errors_of(*content).empty());
  CHECK(field_of(*content, "arf.feedback-type") == "abuse");
  CHECK(field_of(*content, "arf.user-agent") == "SomeGenerator/1.0");
  CHECK(field_of(*content, "arf.version") == "1");
  CHECK(field_of(*content, "arf.original-mail-from") == "<somespammer@example.net>");
  CHECK(field_of(*content, "arf.original-rcpt-to", 0) == "<user@example.com>");
  CHECK(field_of(*content, "arf.original-rcpt-to", 1) == "<user2@example.com>");
  CHECK(field_of(*content, "arf.arrival-date") == "Thu, 8 Mar 2005 14:00:00 EDT");
  CHECK(field_of(*content, "arf.reporting-mta") == "dns; mail.example.com");
  CHECK(field_of(*content, "arf.source-ip") == "192.0.2.1");
  CHECK(field_of(*content, "arf.authentication-results") ==
        "mail.example.com;               spf=fail smtp.mail=somespammer@example.com");
  CHECK(field_of(*content, "arf.reported-domain") == "example.net");
  CHECK(field_of(*content, "arf.reported-uri", 0) == "http://example.net/earn_money.html");
  CHECK(field_of(*content, "arf.reported-uri", 1) == "mailto:user@example.com");
  CHECK(field_of(*content, "arf.removal-recipient") == "user@example.com");
  CHECK(field_of(*content, "arf.original-subject") == "Earn money");
  CHECK(field_of(*content, "arf.original-from") == "<somespammer@example.net>");
  CHECK(field_of(*content, "arf.original-message-id") == "8787KJKJ3K4J3K4J3K4J3.mail@example.net");
  CHECK(field_of(*content, "arf.original-date") == "Thu, 02 Sep 2004 12:31:03 -0500");
  CHECK(has_indicator(*content, IndicatorKind::ipv4, "192.0.2.1"));
  CHECK(has_indicator(*content, IndicatorKind::url, "http://example.net/earn_money.html"));
  CHECK(has_indicator(*content, IndicatorKind::timestamp, "2005-03-08T18:00:00Z"));
  CHECK(has_indicator(*content, IndicatorKind::email, "somespammer@example.net"));
}

TEST_CASE("arf: variants that are still well-formed") {
  SUBCASE("text/rfc822-headers instead of the whole original") {
    ArfParts p;
    p.original_type = "text/rfc822-headers";
    auto content = parse_arf_text(arf_message(p));
    REQUIRE(content.has_value());
    CHECK(errors_of(*content).empty());
    CHECK(field_of(*content, "arf.original-subject") == "Earn money");
  }
  SUBCASE("a base64 feedback part, upper-case type as written in the hint") {
    ArfParts p;
    p.feedback_headers = "Content-Type: message/feedback-report\nContent-Transfer-Encoding: base64\n";
    // "Feedback-Type: Fraud\r\nUser-Agent: x/1\r\nVersion: 1\r\n"
    p.feedback = "RmVlZGJhY2stVHlwZTogRnJhdWQNClVzZXItQWdlbnQ6IHgvMQ0KVmVyc2lvbjogMQ0K\n";
    auto content = parse_arf_text(arf_message(p));
    REQUIRE(content.has_value());
    CHECK(errors_of(*content).empty());
    CHECK(field_of(*content, "arf.feedback-type") == "fraud");
    CHECK(content->category_hint == "Fraud");
  }
  SUBCASE("an auth-failure report with its RFC 6591 fields") {
    ArfParts p;
    p.feedback = "Feedback-Type: auth-failure\nUser-Agent: dkimfail/1\nVersion: 1\nAuth-Failure: signature\n"
                 "DKIM-Domain: example.net\nDKIM-Selector: s1\n";
    auto content = parse_arf_text(arf_message(p));
    REQUIRE(content.has_value());
    CHECK(errors_of(*content).empty());
    CHECK(field_of(*content, "arf.auth-failure") == "signature");
    CHECK(field_of(*content, "arf.dkim-domain") == "example.net");
  }
}

TEST_CASE("arf: each malformed report gets its specific error") {
  struct Row {
    std::string name;
    std::string from;  // replaced in the Appendix B feedback block
    std::string to;
    std::vector<std::string> errors;
  };
  const std::vector<Row> rows = {
      {"no Feedback-Type", "Feedback-Type: abuse\n", "", {"arf.feedback-type: required field missing"}},
      {"no User-Agent", "User-Agent: SomeGenerator/1.0\n", "", {"arf.user-agent: required field missing"}},
      {"no Version", "Version: 1\n", "", {"arf.version: required field missing"}},
      {"empty Version", "Version: 1\n", "Version:\n", {"arf.version: required field missing"}},
      {"Version 2", "Version: 1\n", "Version: 2\n", {"arf.version: unsupported version (must be 1)"}},
      {"unknown feedback type", "Feedback-Type: abuse\n", "Feedback-Type: spam\n",
       {"arf.feedback-type: unknown feedback type"}},
      {"bad Source-IP", "Source-IP: 192.0.2.1\n", "Source-IP: 192.0.2.300\n", {"arf.source-ip: not an IP address"}},
      {"host name as Source-IP", "Source-IP: 192.0.2.1\n", "Source-IP: mail.example.net\n",
       {"arf.source-ip: not an IP address"}},
      {"Source-IP twice", "Source-IP: 192.0.2.1\n", "Source-IP: 192.0.2.1\nSource-IP: 192.0.2.2\n",
       {"arf.source-ip: field appears more than once"}},
      {"bad Arrival-Date", "Arrival-Date: Thu, 8 Mar 2005 14:00:00 EDT\n", "Arrival-Date: last Tuesday\n",
       {"arf.arrival-date: not a date-time"}},
      {"bad Incidents", "Version: 1\n", "Version: 1\nIncidents: many\n", {"arf.incidents: not a positive integer"}},
      {"bad Source-Port", "Version: 1\n", "Version: 1\nSource-Port: 70000\n", {"arf.source-port: not a port number"}},
      {"bad Reported-Domain", "Reported-Domain: example.net\n", "Reported-Domain: not a domain\n",
       {"arf.reported-domain: not a domain name"}},
      {"auth-failure without Auth-Failure", "Feedback-Type: abuse\n", "Feedback-Type: auth-failure\n",
       {"arf.auth-failure: required field missing"}},
      {"a line that is not a field", "Version: 1\n", "Version: 1\nthis is not a field\n",
       {"arf: malformed line in the feedback report"}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    ArfParts p;
    REQUIRE(p.feedback.find(row.from) != std::string::npos);
    p.feedback = replace_all(p.feedback, row.from, row.to);
    auto content = parse_arf_text(arf_message(p));
    REQUIRE(content.has_value());
    CHECK(content->format == "arf");
    CHECK(errors_of(*content) == row.errors);
  }
  SUBCASE("no feedback part") {
    ArfParts p;
    p.with_feedback = false;
    auto content = parse_arf_text(arf_message(p));
    REQUIRE(content.has_value());
    CHECK(errors_of(*content) == std::vector<std::string>{"arf: no message/feedback-report part"});
  }
  SUBCASE("no original message") {
    ArfParts p;
    p.with_original = false;
    auto content = parse_arf_text(arf_message(p));
    REQUIRE(content.has_value());
    CHECK(errors_of(*content) ==
          std::vector<std::string>{"arf: no original message part (message/rfc822 or text/rfc822-headers)"});
    CHECK(field_of(*content, "arf.source-ip") == "192.0.2.1");
  }
}

TEST_CASE("arf: messages that are not ARF") {
  ArfParts dsn;
  dsn.report_type = "delivery-status";
  CHECK_FALSE(parse_arf_text(arf_message(dsn)).has_value());
  CHECK_FALSE(parse_arf_text(crlf("Subject: hi\n\nFeedback-Type: abuse\n")).has_value());
  CHECK_FALSE(parse_arf_text(xarf_message()).has_value());
  CHECK_FALSE(parse_arf_text(xarf_v4_message(xarf_v4_json)).has_value());
}

TEST_CASE("xarf: the legacy X-ARF 0.2 sample") {
  auto content = parse_xarf_text(xarf_message());
  REQUIRE(content.has_value());
  CHECK(content->format == "x-arf");
  CHECK(content->category_hint == "login-attack");  // Report-Type, more specific than Category
  CHECK(errors_of(*content).empty());
  CHECK(field_of(*content, "xarf.reported-from") == "abuse@example.com");
  CHECK(field_of(*content, "xarf.category") == "abuse");
  CHECK(field_of(*content, "xarf.report-type") == "login-attack");
  CHECK(field_of(*content, "xarf.service") == "ssh");
  CHECK(field_of(*content, "xarf.version") == "0.2");
  CHECK(field_of(*content, "xarf.user-agent") == "Fail2Ban-XARF 0.1");
  CHECK(field_of(*content, "xarf.date") == "Thu, 05 Feb 2009 14:17:10 +0100");
  CHECK(field_of(*content, "xarf.source") == "192.0.2.55");
  CHECK(field_of(*content, "xarf.source-type") == "ipv4");
  CHECK(field_of(*content, "xarf.port") == "22");
  CHECK(field_of(*content, "xarf.report-id") == "0815@example.com");
  CHECK(field_of(*content, "xarf.schema-url") == "http://www.x-arf.org/schema/abuse_login-attack_0.1.2.json");
  CHECK(has_indicator(*content, IndicatorKind::ipv4, "192.0.2.55"));
  CHECK(has_indicator(*content, IndicatorKind::timestamp, "2009-02-05T14:15:01"));
}

TEST_CASE("xarf: legacy variants") {
  SUBCASE("X-ARF: YES marks the older version") {
    XarfParts p;
    p.marker = "X-ARF: yes\n";
    auto content = parse_xarf_text(xarf_message(p));
    REQUIRE(content.has_value());
    CHECK(content->format == "x-arf");
    CHECK(errors_of(*content).empty());
  }
  SUBCASE("no marker header: not X-ARF") {
    XarfParts p;
    p.marker = "";
    CHECK_FALSE(parse_xarf_text(xarf_message(p)).has_value());
  }
  SUBCASE("the report part found by name, base64-encoded, not second") {
    const std::string b = "b1";
    const std::string m = crlf("X-XARF: PLAIN\nContent-Type: multipart/mixed; boundary=b1\n\n"
                               "--b1\nContent-Type: text/plain\n\nhello\n"
                               "--b1\nContent-Type: text/plain\n\nlog\n"
                               "--b1\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n"
                               "Content-Disposition: attachment; filename=\"report.txt\"\n\n"
                               // "Category: abuse\nReport-Type: spam\n"
                               "Q2F0ZWdvcnk6IGFidXNlClJlcG9ydC1UeXBlOiBzcGFtCg==\n"
                               "--b1--\n");
    auto content = parse_xarf_text(m);
    REQUIRE(content.has_value());
    CHECK(field_of(*content, "xarf.report-type") == "spam");
  }
  SUBCASE("Report-Type missing: the hint falls back to Category") {
    XarfParts p;
    p.yaml = replace_all(p.yaml, "Report-Type: login-attack\n", "");
    auto content = parse_xarf_text(xarf_message(p));
    REQUIRE(content.has_value());
    CHECK(content->category_hint == "abuse");
  }
  SUBCASE("Category missing: the hint is Report-Type") {
    XarfParts p;
    p.yaml = replace_all(p.yaml, "Category: abuse\n", "");
    auto content = parse_xarf_text(xarf_message(p));
    REQUIRE(content.has_value());
    CHECK(content->category_hint == "login-attack");
    CHECK(errors_of(*content) == std::vector<std::string>{"xarf.category: required field missing"});
  }
  SUBCASE("a URL source is not checked as an address") {
    XarfParts p;
    p.yaml = replace_all(replace_all(p.yaml, "Source: 192.0.2.55", "Source: http://phish.example.com/login"),
                         "Source-Type: ipv4", "Source-Type: uri");
    auto content = parse_xarf_text(xarf_message(p));
    REQUIRE(content.has_value());
    CHECK(errors_of(*content).empty());
  }
  SUBCASE("a sequence value gives one field per element") {
    XarfParts p;
    p.yaml += "Destination:\n  - 198.51.100.1\n  - 198.51.100.2\n";
    auto content = parse_xarf_text(xarf_message(p));
    REQUIRE(content.has_value());
    CHECK(field_of(*content, "xarf.destination", 0) == "198.51.100.1");
    CHECK(field_of(*content, "xarf.destination", 1) == "198.51.100.2");
  }
}

TEST_CASE("xarf: each malformed legacy report gets its specific error") {
  struct Row {
    std::string name;
    std::string from;  // replaced in the sample YAML
    std::string to;
    std::vector<std::string> errors;
  };
  const std::vector<Row> rows = {
      {"bad source address", "Source: 192.0.2.55", "Source: 192.0.2.555", {"xarf.source: not an IP address"}},
      {"bad port", "Port: 22", "Port: 99999", {"xarf.port: not a port number"}},
      {"bad date", "Date: Thu, 05 Feb 2009 14:17:10 +0100", "Date: sometime in February",
       {"xarf.date: not a date-time"}},
      {"missing source", "Source: 192.0.2.55\n", "", {"xarf.source: required field missing"}},
      {"missing reporter", "Reported-From: abuse@example.com\n", "", {"xarf.reported-from: required field missing"}},
      {"not a mapping", xarf_yaml, "- one\n- two\n", {"xarf: the report part is not a YAML mapping"}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    XarfParts p;
    REQUIRE(p.yaml.find(row.from) != std::string::npos);
    p.yaml = replace_all(p.yaml, row.from, row.to);
    auto content = parse_xarf_text(xarf_message(p));
    REQUIRE(content.has_value());
    CHECK(content->format == "x-arf");
    CHECK(errors_of(*content) == row.errors);
  }
  SUBCASE("a YAML syntax error is an error, and the report still comes back") {
    XarfParts p;
    p.yaml = "Category: [abuse\nReport-Type: login-attack\n";
    auto content = parse_xarf_text(xarf_message(p));
    REQUIRE(content.has_value());
    CHECK(content->format == "x-arf");
    REQUIRE(content->errors.size() == 1);
    CHECK(content->errors[0].field == "xarf");
    CHECK(content->errors[0].message.rfind("YAML: ", 0) == 0);
    CHECK(has_indicator(*content, IndicatorKind::ipv4, "192.0.2.55"));  // from the other parts
  }
  SUBCASE("no YAML part") {
    XarfParts p;
    p.with_yaml = false;
    p.yaml_headers.clear();
    // With the YAML part gone the log file is second: it is still read, as text.
    auto content = parse_xarf_text(xarf_message(p));
    REQUIRE(content.has_value());
    CHECK(content->errors.size() >= 1);
    const std::string single = crlf("X-XARF: PLAIN\nContent-Type: text/plain\n\nCategory: abuse\n");
    auto single_part = parse_xarf_text(single);
    REQUIRE(single_part.has_value());
    CHECK(errors_of(*single_part) == std::vector<std::string>{"xarf: no YAML report part (report.txt)"});
  }
  SUBCASE("an oversized YAML part is refused before parsing") {
    XarfParts p;
    p.yaml = long_lines(xarf_yaml + "Comment: |\n", "  padding padding padding padding padding padding\n", "",
                        max_structured_report_bytes + 10);
    auto content = parse_xarf_text(xarf_message(p));
    REQUIRE(content.has_value());
    CHECK(errors_of(*content) == std::vector<std::string>{"xarf: YAML report larger than 1048576 bytes"});
  }
  SUBCASE("deeply nested flow YAML is refused before parsing") {
    XarfParts p;
    p.yaml = xarf_yaml + "Deep: " + std::string(200, '[') + std::string(200, ']') + "\n";
    auto content = parse_xarf_text(xarf_message(p));
    REQUIRE(content.has_value());
    CHECK(errors_of(*content) == std::vector<std::string>{"xarf: YAML nested deeper than 64 levels"});
  }
  SUBCASE("a YAML alias bomb renders within its budget, quickly") {
    XarfParts p;
    p.yaml = xarf_yaml + "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
    std::string previous = "a";
    for (char c = 'b'; c <= 'l'; ++c) {
      const std::string name(1, c);
      p.yaml += name + ": &" + name + " [";
      for (int i = 0; i < 10; ++i) p.yaml += (i ? ", *" : "*") + previous;
      p.yaml += "]\n";
      previous = name;
    }
    const auto start = std::chrono::steady_clock::now();
    auto content = parse_xarf_text(xarf_message(p));
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    REQUIRE(content.has_value());
    CHECK(elapsed.count() < time_limit_seconds);
    CHECK(field_of(*content, "xarf.l", 0).size() <= 64 * 1024);
    CHECK(errors_of(*content) == std::vector<std::string>{"xarf: structured values truncated"});
  }
}

TEST_CASE("xarf: the XARF v4 sample") {
  auto content = parse_xarf_text(xarf_v4_message(xarf_v4_json));
  REQUIRE(content.has_value());
  CHECK(content->format == "xarf-v4");
  CHECK(content->category_hint == "Activity/LoginAttack");
  CHECK(errors_of(*content).empty());
  CHECK(field_of(*content, "xarf.version") == "4");
  CHECK(field_of(*content, "xarf.reporter-org") == "ExampleOrg");
  CHECK(field_of(*content, "xarf.reporter-org-domain") == "example.com");
  CHECK(field_of(*content, "xarf.reporter-org-email") == "reports@example.com");
  CHECK(field_of(*content, "xarf.reporter-contact-email") == "contact@example.com");
  CHECK(field_of(*content, "xarf.reporter-contact-name") == "Mr. Example");
  CHECK(field_of(*content, "xarf.disclosure") == "true");
  CHECK(field_of(*content, "xarf.report-class") == "Activity");
  CHECK(field_of(*content, "xarf.report-type") == "LoginAttack");
  CHECK(field_of(*content, "xarf.date") == "2018-02-05T14:17:10Z");
  CHECK(field_of(*content, "xarf.source-ip") == "192.0.2.55");
  CHECK(field_of(*content, "xarf.source-port") == "52212");
  CHECK(field_of(*content, "xarf.destination-ip") == "198.51.100.10");
  CHECK(field_of(*content, "xarf.destination-port") == "22");
  CHECK(field_of(*content, "xarf.ongoing") == "true");
  CHECK(field_of(*content, "xarf.count") == "7");
  CHECK(field_of(*content, "xarf.samples", 0).find("\"Payload\":\"Failed password") != std::string::npos);
  CHECK(has_indicator(*content, IndicatorKind::ipv4, "192.0.2.55"));
  CHECK(has_indicator(*content, IndicatorKind::timestamp, "2018-02-05T14:17:10Z"));
}

TEST_CASE("xarf: v4 variants") {
  SUBCASE("the whole body is the JSON document") {
    const std::string m = crlf("Subject: report\nContent-Type: application/json\n\n" + xarf_v4_json);
    auto content = parse_xarf_text(m);
    REQUIRE(content.has_value());
    CHECK(content->format == "xarf-v4");
    CHECK(errors_of(*content).empty());
  }
  SUBCASE("a text/plain part holding the JSON, base64 attachment") {
    const std::string m = xarf_v4_message(
        "eyJWZXJzaW9uIjo0LCJSZXBvcnRlckluZm8iOnsiUmVwb3J0ZXJPcmciOiJYIn0sIlJlcG9ydCI6eyJSZXBvcnRD\n"
        "bGFzcyI6IkNvbnRlbnQiLCJSZXBvcnRUeXBlIjoiUGhpc2hpbmciLCJEYXRlIjoiMjAyNi0xMS0yM1QxNzowNjoy\n"
        "MVoiLCJVcmwiOiJodHRwOi8vcGhpc2guZXhhbXBsZS5jb20vbG9naW4ifX0=\n",
        "Content-Type: text/plain\nContent-Transfer-Encoding: base64\n");
    auto content = parse_xarf_text(m);
    REQUIRE(content.has_value());
    CHECK(errors_of(*content).empty());
    CHECK(content->category_hint == "Content/Phishing");
    CHECK(field_of(*content, "xarf.url") == "http://phish.example.com/login");
    CHECK(has_indicator(*content, IndicatorKind::url, "http://phish.example.com/login"));
  }
  SUBCASE("a nested Source object flattens to source-ip / source-port") {
    auto json = replace_all(xarf_v4_json, R"("SourceIp": "192.0.2.55",
    "SourcePort": 52212,)",
                            R"("Source": {"IP": "192.0.2.66", "Port": 4444},)");
    auto content = parse_xarf_text(xarf_v4_message(json));
    REQUIRE(content.has_value());
    CHECK(errors_of(*content).empty());
    CHECK(field_of(*content, "xarf.source-ip") == "192.0.2.66");
    CHECK(field_of(*content, "xarf.source-port") == "4444");
  }
  SUBCASE("a JSON body behind a UTF-8 byte order mark") {
    auto content = parse_xarf_text(crlf("Subject: report\nContent-Type: application/json\n\n\xEF\xBB\xBF" + xarf_v4_json));
    REQUIRE(content.has_value());
    CHECK(content->format == "xarf-v4");
    CHECK(errors_of(*content).empty());
  }
  SUBCASE("v4 wins over a legacy marker header") {
    auto content = parse_xarf_text(xarf_v4_message(xarf_v4_json, "Content-Type: application/json\n", "X-XARF: PLAIN\n"));
    REQUIRE(content.has_value());
    CHECK(content->format == "xarf-v4");
  }
  SUBCASE("a JSON attachment that is not XARF, no marker: not XARF") {
    CHECK_FALSE(parse_xarf_text(xarf_v4_message(R"({"name": "x", "items": [1, 2]})")).has_value());
    CHECK_FALSE(parse_xarf_text(xarf_v4_message("{ not json at all")).has_value());
    CHECK_FALSE(parse_xarf_text(arf_message()).has_value());
  }
}

TEST_CASE("xarf: each malformed v4 report gets its specific error") {
  struct Row {
    std::string name;
    std::string from;  // replaced in the sample JSON
    std::string to;
    std::vector<std::string> errors;
  };
  const std::vector<Row> rows = {
      {"bad SourceIp", R"("SourceIp": "192.0.2.55")", R"("SourceIp": "192.0.2")", {"xarf.source-ip: not an IP address"}},
      {"bad DestinationIp", R"("DestinationIp": "198.51.100.10")", R"("DestinationIp": "::g")",
       {"xarf.destination-ip: not an IP address"}},
      {"Version 5", R"("Version": "4")", R"("Version": "5")", {"xarf.version: unsupported version (must be 3 or 4)"}},
      {"numeric Version 4 is fine", R"("Version": "4")", R"("Version": 4)", {}},
      {"no ReportClass", R"("ReportClass": "Activity",)", "", {"xarf.report-class: required field missing"}},
      {"no ReportType", R"("ReportType": "LoginAttack",)", "", {"xarf.report-type: required field missing"}},
      {"no Date", R"("Date": "2018-02-05T14:17:10Z",)", "", {"xarf.date: required field missing"}},
      {"bad Date", R"("Date": "2018-02-05T14:17:10Z")", R"("Date": "Monday")", {"xarf.date: not a date-time"}},
      {"bad SourcePort", R"("SourcePort": 52212)", R"("SourcePort": 70000)", {"xarf.source-port: not a port number"}},
      {"negative DestinationPort", R"("DestinationPort": 22)", R"("DestinationPort": -1)",
       {"xarf.destination-port: not a port number"}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    REQUIRE(xarf_v4_json.find(row.from) != std::string::npos);
    auto content = parse_xarf_text(xarf_v4_message(replace_all(xarf_v4_json, row.from, row.to)));
    REQUIRE(content.has_value());
    CHECK(content->format == "xarf-v4");
    CHECK(errors_of(*content) == row.errors);
  }
  SUBCASE("XARF v3 in the same layout is read, not refused") {
    auto content = parse_xarf_text(xarf_v4_message(replace_all(replace_all(xarf_v4_json, R"("Version": "4")", R"("Version": "3.0.0")"),
                                                               R"("ReportClass": "Activity")", R"("ReportClass": "Network")")));
    REQUIRE(content.has_value());
    CHECK(content->format == "xarf-v3");
    CHECK(errors_of(*content).empty());
    CHECK(content->category_hint == "Network/LoginAttack");
    CHECK(content->reported_host == "192.0.2.55");
  }
  SUBCASE("no ReporterInfo") {
    const std::string json = R"({"Version": "4", "Report": {"ReportClass": "Activity", "ReportType": "Spam",
                                  "Date": "2026-11-23T17:06:21Z"}})";
    auto content = parse_xarf_text(xarf_v4_message(json));
    REQUIRE(content.has_value());
    CHECK(errors_of(*content) == std::vector<std::string>{"xarf.reporter-info: required field missing"});
  }
  SUBCASE("invalid JSON that names XARF members") {
    auto content = parse_xarf_text(xarf_v4_message(replace_all(xarf_v4_json, "\"Disclosure\": true,", "\"Disclosure\": tru,")));
    REQUIRE(content.has_value());
    CHECK(content->format == "xarf-v4");
    REQUIRE(content->errors.size() == 1);
    CHECK(content->errors[0].field == "xarf");
    CHECK(content->errors[0].message.rfind("not valid JSON: ", 0) == 0);
  }
  SUBCASE("oversized JSON") {
    const std::string json = long_lines(R"({"Version": "4", "ReporterInfo": {"ReporterOrg": "X"}, "Pad": [)" "\n",
                                        "\"padding padding padding padding padding padding padding\",\n", "\"end\"]}",
                                        max_structured_report_bytes + 10);
    auto content = parse_xarf_text(xarf_v4_message(json));
    REQUIRE(content.has_value());
    CHECK(errors_of(*content) == std::vector<std::string>{"xarf: JSON report larger than 1048576 bytes"});
  }
  SUBCASE("deeply nested JSON") {
    std::string json = R"({"Version": "4", "ReporterInfo": {}, "Report": {"Deep": )";
    for (int i = 0; i < 300; ++i) json += "[\n";
    for (int i = 0; i < 300; ++i) json += "]\n";
    json += "}}";
    auto content = parse_xarf_text(xarf_v4_message(json));
    REQUIRE(content.has_value());
    CHECK(errors_of(*content) == std::vector<std::string>{"xarf: JSON nested deeper than 64 levels"});
  }
}

TEST_CASE("arf and xarf: hostile messages never throw") {
  const std::vector<std::string> messages = {
      crlf("Content-Type: multipart/report; report-type=feedback-report; boundary=x\n\n--x\n"
           "Content-Type: message/feedback-report\n\n:\n: :\n\t\n \nFeedback-Type:\n--x--\n"),
      crlf("Content-Type: multipart/report; report-type=feedback-report; boundary=x\n\n--x--\n"),
      crlf("X-XARF: PLAIN\nContent-Type: multipart/mixed; boundary=x\n\n--x\n\n--x\n"
           "Content-Type: text/plain\n\n!!binary |\n  ????\n--x--\n"),
      crlf("X-XARF: PLAIN\nContent-Type: multipart/mixed; boundary=x\n\n--x\n\n--x\n"
           "Content-Type: text/plain\n\n? [a, b]\n: c\n*undefined_alias\n--x--\n"),
      crlf("X-XARF: PLAIN\nContent-Type: multipart/mixed; boundary=x\n\n--x\n\n--x\n"
           "Content-Type: text/plain\n\n\"\\xff\xfe\": \x80\x81\n--x--\n"),
      crlf("Content-Type: application/json\n\n{\"Version\": {\"a\": 1}, \"Report\": [1, 2], \"ReporterInfo\": null}\n"),
      crlf("Content-Type: application/json\n\n{\"Version\": \"4\", \"Report\": {\"ReportClass\": 5, \"ReportType\": "
           "null, \"Date\": [], \"SourceIp\": {}, \"SourcePort\": 1e99}}\n"),
      crlf("Content-Type: application/json\n\n{\"Version\": \"4\", \"ReporterInfo\": \"\xff\xfe\"}\n"),
  };
  for (std::size_t i = 0; i < messages.size(); ++i) {
    CAPTURE(i);
    auto scanned = scan_mime(messages[i], MimeLimits{});
    if (!scanned.ok()) continue;
    CHECK_NOTHROW((void)parse_arf(messages[i], scanned.value()));
    CHECK_NOTHROW((void)parse_xarf(messages[i], scanned.value()));
  }
  SUBCASE("the v4 type surprises come back as errors") {
    const std::string m = messages[6];
    auto content = parse_xarf_text(m);
    REQUIRE(content.has_value());
    CHECK_FALSE(content->errors.empty());
  }
}

}  // namespace csirtgw
