// Reports as the field sends them (issue 19), through the classify stage under
// the embedded default policy: every XARF v4 category/type wrapped three ways
// (application/json attachment, JSON body, legacy X-ARF layout), the older JSON
// layout and XARF v3, class names across case and separators, TLP as people
// write it, keywords from prose only, HTML-only reports, forwarded originals
// (message/rfc822 and .eml as application/octet-stream), attachment hashes,
// inline forwards, and a follow-up's `routed` note.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "classify_stage.h"
#include "filters/default_rules.h"
#include "config.h"
#include "embedded_schemas.h"
#include "form_schema.h"
#include "policy.h"
#include "route_stage.h"
#include "sha256.h"

namespace csirtgw {
namespace {

const Policy& policy() { return testing::default_policy(); }
const FormSchema& form() { return testing::default_form(); }
using testing::crlf;

const std::string kHeaders =
    "From: Abuse Desk <abuse@reporter.example>\n"
    "To: cert@csirt.example\n"
    "Message-ID: <xarf-1@reporter.example>\n"
    "MIME-Version: 1.0\n";

Report classify_message(const std::string& message, bool authenticated = false) {
  Report report;
  report.spool_id = "20261204T000000-000001";
  report.protocol = "lmtp";
  report.sender = "abuse@reporter.example";
  report.recipients = {{"cert@csirt.example", "incidents"}};
  report.raw_message = crlf(message);
  if (authenticated) report.crypto.encryption = EncryptionState::decrypted;
  ClassifyStage stage(policy(), form(), default_config());
  CHECK(stage.process(report).verdict == FilterVerdict::proceed);
  return report;
}

const Indicator* indicator(const Report& report, IndicatorKind kind, const std::string& value) {
  for (const auto& i : report.content.indicators)
    if (i.kind == kind && i.value == value) return &i;
  return nullptr;
}

bool has_email_indicator(const Report& report, const std::string& value) {
  return indicator(report, IndicatorKind::email, value) != nullptr;
}

// ---------------------------------------------------------------------------
// XARF v4: one report of our own per category/type of the specification.

struct V4Case {
  const char* category;
  const char* type;
  nlohmann::json extra;  // per-type fields
  const char* rsit;
};

std::vector<V4Case> v4_cases() {
  using J = nlohmann::json;
  return {
      {"messaging", "spam", J{{"protocol", "smtp"}, {"smtp_from", "bulk@sender.example"}}, "abusive-content/spam"},
      {"messaging", "bulk_messaging", J{{"recipient_count", 5000}}, "abusive-content/spam"},
      {"connection", "login_attack", J{{"destination_port", 22}, {"attempt_count", 412}}, "intrusion-attempts/brute-force"},
      {"connection", "auth_failure", J{{"service", "imap"}}, "intrusion-attempts/brute-force"},
      {"connection", "port_scan", J{{"ports_scanned", J::array({22, 23, 3389})}}, "information-gathering/scanner"},
      {"connection", "reconnaissance", J{{"probed_paths", J::array({"/admin"})}}, "information-gathering/scanner"},
      {"connection", "vuln_scanning", J{{"scanner_signature", "generic"}}, "information-gathering/scanner"},
      {"connection", "ddos", J{{"attack_vector", "syn_flood"}, {"peak_pps", 90000}}, "availability/ddos"},
      {"connection", "ddos_amplification", J{{"amplification_protocol", "ntp"}}, "availability/ddos"},
      {"connection", "infected_host", J{{"malware_family", "examplebot"}}, "malicious-code/infected-system"},
      {"connection", "bot", J{{"bot_type", "spam"}}, "malicious-code/infected-system"},
      {"connection", "scraping", J{{"request_count", 120000}}, "fraud/unauthorised-use-of-resources"},
      {"connection", "sql_injection", J{{"target_url", "https://shop.victim.example/item?id=1"}}, "intrusion-attempts/exploit"},
      {"vulnerability", "cve", J{{"cve_id", "CVE-2024-3094"}}, "vulnerable/vulnerable-system"},
      {"vulnerability", "open", J{{"service", "memcached"}, {"port", 11211}}, "vulnerable/potentially-unwanted-accessible"},
      {"vulnerability", "misconfiguration", J{{"issue", "open resolver"}}, "vulnerable/vulnerable-system"},
      {"reputation", "blocklist", J{{"threat_type", "command_and_control"}}, "malicious-code/c2-server"},
      {"reputation", "threat_intelligence", J{{"threat_type", "phishing"}}, "fraud/phishing"},
      {"infrastructure", "botnet", J{{"compromise_evidence", "beaconing observed"}}, "malicious-code/infected-system"},
      {"infrastructure", "compromised_server", J{{"compromise_method", "webshell"}}, "intrusions/system-compromise"},
      {"content", "phishing", J{{"url", "https://login.bank.phish.example/"}}, "fraud/phishing"},
      {"content", "malware", J{{"url", "http://dl.host.example/a.exe"}}, "malicious-code/malware-distribution"},
      {"content", "csam", J{{"url", "https://media.host.example/x"}}, "abusive-content/violence"},
      {"content", "csem", J{{"url", "https://media.host.example/y"}}, "abusive-content/violence"},
      {"content", "exposed_data", J{{"data_types", J::array({"email_addresses"})}}, "information-content-security/data-leak"},
      {"content", "brand_infringement", J{{"brand", "Example Bank"}}, "fraud/masquerade"},
      {"content", "fraud", J{{"fraud_type", "fake_shop"}}, "fraud/masquerade"},
      {"content", "remote_compromise", J{{"compromise_type", "defacement"}}, "intrusions/application-compromise"},
      {"content", "suspicious_registration", J{{"registration_date", "2026-11-30"}}, "fraud/masquerade"},
      {"copyright", "copyright", J{{"work_title", "A Film"}}, "fraud/copyright"},
      {"copyright", "p2p", J{{"protocol", "bittorrent"}}, "fraud/copyright"},
      {"copyright", "cyberlocker", J{{"hosting_service", "files.example"}}, "fraud/copyright"},
      {"copyright", "ugc_platform", J{{"platform", "videos.example"}}, "fraud/copyright"},
      {"copyright", "link_site", J{{"site", "links.example"}}, "fraud/copyright"},
      {"copyright", "usenet", J{{"newsgroup", "alt.binaries.example"}}, "fraud/copyright"},
  };
}

std::string v4_report(const V4Case& c, const std::string& source = "203.0.113.77") {
  nlohmann::json doc = {
      {"xarf_version", "4.0.0"},
      {"report_id", "6f1c5d2e-8a41-4b7e-9a0c-2d3e4f5a6b7c"},
      {"timestamp", "2026-12-01T10:00:00Z"},
      {"reporter", {{"org", "Reporter Org"}, {"contact", "abuse@reporter.example"}, {"domain", "reporter.example"}}},
      {"sender", {{"org", "Reporter Org"}, {"contact", "abuse@reporter.example"}, {"domain", "reporter.example"}}},
      {"source_identifier", source},
      {"source_port", 40123},
      {"category", c.category},
      {"type", c.type},
      {"evidence_source", "vulnerability_scan"},
      {"evidence", {{{"content_type", "text/plain"}, {"description", "botnet_participation log excerpt"},
                     {"payload", "c3BhbSBzcGFtIHNwYW0="}}}},
  };
  doc.update(c.extra);
  return doc.dump(2);
}

std::string as_attachment(const std::string& json) {
  return kHeaders + "Subject: Abuse report\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n"
                    "--b1\nContent-Type: text/plain\n\nPlease find our report attached.\n"
                    "--b1\nContent-Type: application/json; name=\"report.json\"\n"
                    "Content-Disposition: attachment; filename=\"report.json\"\n\n" +
         json + "\n--b1--\n";
}

std::string as_json_body(const std::string& json) {
  return kHeaders + "Subject: Abuse report\nContent-Type: application/json\n\n" + json + "\n";
}

std::string as_xarf_layout(const std::string& json) {
  return kHeaders + "Subject: abuse report\nX-XARF: PLAIN\nContent-Type: multipart/mixed; boundary=\"b2\"\n\n"
                    "--b2\nContent-Type: text/plain\n\nThis is an abuse report.\n"
                    "--b2\nContent-Type: text/plain; name=\"report.txt\"\n\n" +
         json + "\n--b2--\n";
}

TEST_CASE("field formats: every XARF v4 category/type, wrapped three ways, maps to RSIT") {
  struct Wrapping {
    const char* name;
    std::string (*wrap)(const std::string&);
  };
  const Wrapping wrappings[] = {{"attachment", as_attachment}, {"json body", as_json_body}, {"x-arf layout", as_xarf_layout}};
  for (const auto& c : v4_cases())
    for (const auto& w : wrappings) {
      CAPTURE(c.category);
      CAPTURE(c.type);
      CAPTURE(w.name);
      const Report report = classify_message(w.wrap(v4_report(c)));
      CHECK(report.content.format == "xarf-v4");
      CHECK(report.content.errors.empty());
      CHECK(report.classification.type == c.rsit);
      CHECK(report.content.reported_host == "203.0.113.77");
      CHECK(report.content.reported_port == "40123");
      REQUIRE_FALSE(report.content.indicators.empty());
      CHECK(report.content.indicators.front().value == "203.0.113.77");
      // The reported host is outside the constituency: not "treated as ours".
      CHECK_FALSE(report.classification.constituency);
      const bool top = std::string(c.type) == "csam" || std::string(c.type) == "csem";
      if (top) CHECK(report.classification.priority == 1);
    }
}

TEST_CASE("field formats: a v4 source inside the constituency is ours; a domain source counts too") {
  const V4Case spam{"messaging", "spam", nlohmann::json::object(), "abusive-content/spam"};
  CHECK(classify_message(as_json_body(v4_report(spam, "192.0.2.25"))).classification.constituency);
  const Report by_domain = classify_message(as_attachment(v4_report(spam, "mail.example.edu")));
  CHECK(by_domain.classification.constituency);
  CHECK(indicator(by_domain, IndicatorKind::domain, "mail.example.edu") != nullptr);
}

TEST_CASE("field formats: XARF's own TLP field, the older layout, v3 and class names as written") {
  nlohmann::json doc = nlohmann::json::parse(v4_report({"connection", "ddos", nlohmann::json::object(), ""}));
  doc["tlp"] = "TLP:RED";
  CHECK(classify_message(as_json_body(doc.dump())).classification.tlp == "RED");

  struct Case {
    const char* version;
    const char* report_class;
    const char* report_type;
    const char* format;
    const char* rsit;
  };
  const Case cases[] = {
      {"3", "Network", "ddos", "xarf-v3", "availability/ddos"},
      {"3.0.0", "System", "botnet", "xarf-v3", "malicious-code/infected-system"},
      {"3", "Content", "phishing_site", "xarf-v3", "fraud/phishing"},
      {"4", "Activity", "LoginAttack", "xarf-v4", "intrusion-attempts/brute-force"},
      {"4", "Activity", "Login-Attack", "xarf-v4", "intrusion-attempts/brute-force"},
      {"4", "CONNECTION", "Port Scan", "xarf-v4", "information-gathering/scanner"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.report_type);
    const nlohmann::json layout = {
        {"Version", c.version},
        {"ReporterInfo", {{"ReporterOrg", "Reporter Org"}, {"ReporterOrgEmail", "abuse@reporter.example"}}},
        {"Report", {{"ReportClass", c.report_class}, {"ReportType", c.report_type}, {"Date", "2026-12-01T10:00:00Z"},
                    {"Source", {{"IP", "203.0.113.50"}, {"Port", 53}, {"Type", "ip"}}}}}};
    const Report report = classify_message(as_attachment(layout.dump()));
    CHECK(report.content.format == c.format);
    CHECK(report.content.errors.empty());
    CHECK(report.classification.type == c.rsit);
    CHECK(report.content.reported_host == "203.0.113.50");
  }
}

// ---------------------------------------------------------------------------
// TLP as people write it.

TEST_CASE("field formats: TLP in subject or body, written every way") {
  struct Case {
    const char* subject;
    const char* body;
    bool authenticated;
    const char* tlp;
  };
  const Case cases[] = {
      {"Incident TLP white", "text\n", true, "CLEAR"},
      {"Incident", "Classification: TLP - RED\n", false, "RED"},
      {"Incident", "This is TLP red, do not share.\n", false, "RED"},
      {"[TLP:RED] scanning from your network", "text\n", false, "RED"},
      {"Incident", "TLP: AMBER+STRICT\n", false, "AMBER+STRICT"},
      {"Incident", "tlp:clear\n", true, "CLEAR"},
      {"tlp:green", "text\n", true, "GREEN"},
      {"Incident", "TLP:WHITE\n", true, "CLEAR"},
      {"Incident", "tlp:clear\n", false, "AMBER"},  // unauthenticated: may only tighten
      {"Incident", "TLP: REDACTED in the log\n", false, "AMBER"},
      {"Incident", "UTLP RED is no marker\n", false, "AMBER"},
      {"TLP amber", "but TLP:RED for the attachment\n", false, "RED"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.subject);
    CAPTURE(c.body);
    const Report report =
        classify_message(kHeaders + "Subject: " + c.subject + "\nContent-Type: text/plain\n\n" + c.body, c.authenticated);
    CHECK(report.classification.tlp == c.tlp);
  }
}

// ---------------------------------------------------------------------------
// Keywords from prose only; HTML-only reports.

TEST_CASE("field formats: keyword rules read the reporter's prose, not keys, quoted headers or payloads") {
  struct Case {
    const char* subject;
    const char* body;
    const char* rsit;
  };
  const Case cases[] = {
      {"FYI", "Forwarded to you.\n> FCC: imap://spam%40csirt.example@imap.example/Sent\n> X-Spam-Flag: YES\n",
       "other/undetermined"},
      {"botnet traffic from your host", "See the log.\n", "malicious-code/infected-system"},
      {"FYI", "eyJ0eXBlIjoicGhpc2hpbmciLCJ3aGF0IjoicGhpc2hpbmcgcGhpc2hpbmcgcGhpc2hpbmcifQ==\n", "other/undetermined"},
      {"FYI", "{\"vulnerability_scan\": true, \"botnet_participation\": 1}\n", "other/undetermined"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.body);
    const Report report = classify_message(kHeaders + "Subject: " + c.subject + "\nContent-Type: text/plain\n\n" + c.body);
    CHECK(report.classification.type == c.rsit);
  }
}

TEST_CASE("field formats: structured fields decide before the evidence's words") {
  // The evidence description says "botnet_participation"; the report says spam.
  const Report report = classify_message(as_json_body(v4_report({"messaging", "spam", nlohmann::json::object(), ""})));
  CHECK(report.classification.type == "abusive-content/spam");
  CHECK(report.classification.type_because.find("category") != std::string::npos);
}

TEST_CASE("field formats: an HTML-only report is classified from its text") {
  const Report report = classify_message(
      kHeaders + "Subject: Report\nContent-Type: text/html; charset=utf-8\n\n"
                 "<html><head><style>p { color: red } /* malware */</style></head><body>"
                 "<p>A <b>phishing</b>&nbsp;page at hxxps://login.victim[.]example/&amp;x is up.</p>"
                 "<!-- ransomware --><script>var trojan = 1;</script></body></html>\n");
  CHECK(report.classification.type == "fraud/phishing");
  CHECK(indicator(report, IndicatorKind::url, "https://login.victim.example/&x") != nullptr);
}

// ---------------------------------------------------------------------------
// Forwarded originals, attachments, inline forwards.

const std::string kOriginal =
    "Received: from mail.spammer.example (mail.spammer.example [198.18.7.9])\n"
    "\tby mx.csirt.example with ESMTP id 1; Tue, 1 Dec 2026 10:00:00 +0000\n"
    "Received: from [10.20.30.40] by mail.spammer.example; Tue, 1 Dec 2026 09:59:58 +0000\n"
    "From: Prize Team <winner@prize-spam.example>\n"
    "To: victim@example.edu\n"
    "Subject: You won\n"
    "Message-ID: <original-7@prize-spam.example>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"inner\"\n"
    "\n"
    "--inner\n"
    "Content-Type: text/plain\n"
    "\n"
    "Claim your prize at http://claim.prize-spam.example/now\n"
    "--inner\n"
    "Content-Type: application/octet-stream; name=\"invoice.pdf.exe\"\n"
    "Content-Disposition: attachment; filename=\"invoice.pdf.exe\"\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "aGVsbG8=\n"
    "--inner--\n";

// "hello", the inner attachment's bytes.
constexpr const char* kHelloSha256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
constexpr const char* kHelloSha1 = "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d";
constexpr const char* kHelloMd5 = "5d41402abc4b2a76b9719d911017c592";

void check_forwarded_evidence(const Report& report) {
  const Indicator* relay = indicator(report, IndicatorKind::ipv4, "198.18.7.9");
  REQUIRE(relay != nullptr);
  CHECK(relay->origin == IndicatorOrigin::forwarded_original);
  CHECK(indicator(report, IndicatorKind::ipv4, "10.20.30.40") != nullptr);
  const Indicator* sender = indicator(report, IndicatorKind::domain, "prize-spam.example");
  REQUIRE(sender != nullptr);
  CHECK(sender->origin == IndicatorOrigin::forwarded_original);
  CHECK(indicator(report, IndicatorKind::url, "http://claim.prize-spam.example/now") != nullptr);
  for (const auto& [kind, value] : {std::pair{IndicatorKind::sha256, kHelloSha256}, std::pair{IndicatorKind::sha1, kHelloSha1},
                                    std::pair{IndicatorKind::md5, kHelloMd5}}) {
    const Indicator* hash = indicator(report, kind, value);
    REQUIRE(hash != nullptr);
    CHECK(hash->origin == IndicatorOrigin::attachment);
  }
  // The forwarder's own addresses are no indicators.
  CHECK_FALSE(has_email_indicator(report, "abuse@reporter.example"));
  CHECK_FALSE(has_email_indicator(report, "cert@csirt.example"));
}

TEST_CASE("field formats: a forwarded original as message/rfc822 is read as evidence") {
  const Report report = classify_message(kHeaders + "Subject: Fwd: spam\nContent-Type: multipart/mixed; boundary=\"o\"\n\n"
                                                    "--o\nContent-Type: text/plain\n\nSpam we received, see attached.\n"
                                                    "--o\nContent-Type: message/rfc822\n\n" +
                                         kOriginal + "--o--\n");
  check_forwarded_evidence(report);
  CHECK(report.classification.type == "abusive-content/spam");
}

TEST_CASE("field formats: an .eml sent as application/octet-stream is read as evidence, and hashed") {
  std::string encoded;
  {
    // base64 of kOriginal with CRLF line ends, 76 columns.
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const std::string raw = crlf(kOriginal);
    std::string line;
    for (std::size_t i = 0; i < raw.size(); i += 3) {
      const unsigned n = (static_cast<unsigned char>(raw[i]) << 16) |
                         (i + 1 < raw.size() ? static_cast<unsigned char>(raw[i + 1]) << 8 : 0) |
                         (i + 2 < raw.size() ? static_cast<unsigned char>(raw[i + 2]) : 0);
      line += alphabet[(n >> 18) & 63];
      line += alphabet[(n >> 12) & 63];
      line += i + 1 < raw.size() ? alphabet[(n >> 6) & 63] : '=';
      line += i + 2 < raw.size() ? alphabet[n & 63] : '=';
      if (line.size() >= 76) {
        encoded += line + "\n";
        line.clear();
      }
    }
    encoded += line + "\n";
  }
  const Report report = classify_message(
      kHeaders + "Subject: Fwd: spam\nContent-Type: multipart/mixed; boundary=\"o\"\n\n"
                 "--o\nContent-Type: text/plain\n\nSpam we received, see the attached file.\n"
                 "--o\nContent-Type: application/octet-stream; name=\"original\x1b[31m\x07.eml\"\n"
                 "Content-Disposition: attachment; filename=\"spam.eml\"\n"
                 "Content-Transfer-Encoding: base64\n\n" +
      encoded + "--o--\n");
  check_forwarded_evidence(report);
  const std::string eml_sha256 = sha256_hex(crlf(kOriginal));
  const Indicator* eml = indicator(report, IndicatorKind::sha256, eml_sha256);
  REQUIRE(eml != nullptr);
  CHECK(eml->origin == IndicatorOrigin::attachment);
  // The attachment's name is recorded sanitised: no control characters.
  bool named = false;
  for (const auto& f : report.content.fields)
    if (f.field == "attachment.name") {
      named = true;
      CHECK(std::none_of(f.value.begin(), f.value.end(), [](char c) { return c == '\x1b' || c == '\x07'; }));
      CHECK(f.value.find(".eml") != std::string::npos);
    }
  CHECK(named);
}

TEST_CASE("field formats: an inline forward makes no indicators of the forwarder's own addresses") {
  const Report report = classify_message(
      kHeaders + "Subject: Fwd: phishing\nContent-Type: text/plain\n\n"
                 "Please look at this phishing mail.\n\n"
                 "---------- Forwarded message ---------\n"
                 "From: Bank Support <support@fake-bank.example>\n"
                 "Date: Tue, 1 Dec 2026 09:00:00 +0000\n"
                 "Subject: Verify your account\n"
                 "To: Abuse Desk <abuse@reporter.example>\n"
                 "Message-ID: <fwd-42@fake-bank.example>\n\n"
                 "Log in at https://fake-bank.example/verify\n");
  CHECK(report.classification.type == "fraud/phishing");
  CHECK(has_email_indicator(report, "support@fake-bank.example"));
  CHECK_FALSE(has_email_indicator(report, "abuse@reporter.example"));
  CHECK_FALSE(has_email_indicator(report, "fwd-42@fake-bank.example"));
  CHECK(indicator(report, IndicatorKind::url, "https://fake-bank.example/verify") != nullptr);
}

TEST_CASE("field formats: many forwarded originals full of hosts stay bounded") {
  std::string body;
  for (int part = 0; part < 150; ++part) {
    body += "--o\nContent-Type: message/rfc822\n\nFrom: x@p" + std::to_string(part) + ".example\n\n";
    for (int host = 0; host < 120; ++host)
      body += "http://h" + std::to_string(host) + ".p" + std::to_string(part) + ".example/\n";
  }
  const auto start = std::chrono::steady_clock::now();
  const Report report =
      classify_message(kHeaders + "Subject: lots\nContent-Type: multipart/mixed; boundary=\"o\"\n\n" + body + "--o--\n");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(report.content.indicators.size() <= 10000);
  CHECK(report.content.indicators.size() >= 9000);
  CHECK(seconds < 10.0);
}

// ---------------------------------------------------------------------------
// The routed note of a follow-up.

TEST_CASE("field formats: a follow-up filed with its ticket is routed there in the audit note too") {
  Report report = classify_message(kHeaders + "Subject: more on the scan\nContent-Type: text/plain\n\nport scan again\n");
  RouteStage route(policy());
  route.process(report);
  const std::string chosen = report.queue;
  route_with_ticket(report, "vulnerabilities");
  CHECK(report.queue == "vulnerabilities");
  int routed = 0;
  for (const auto& n : report.audit_notes)
    if (n.event == "routed") {
      ++routed;
      const auto detail = nlohmann::json::parse(n.detail);
      CHECK(detail["queue"] == "vulnerabilities");
      CHECK(detail["rule_queue"] == chosen);
    }
  CHECK(routed == 1);
}

}  // namespace
}  // namespace csirtgw
