// XARF JSON (filters/parsers/xarf_json_parser.cpp) in the published v4 format,
// and the HTML-to-text helper the classifier uses for HTML-only reports.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "html_text.h"
#include "xarf_json_parser.h"

namespace csirtgw {
namespace {

nlohmann::ordered_json v4_document() {
  return {{"xarf_version", "4.0.0"},
          {"report_id", "0b7c3f0e-1d2a-4c5b-8e9f-a1b2c3d4e5f6"},
          {"timestamp", "2026-12-02T08:30:00Z"},
          {"reporter", {{"org", "Honeynet Example"}, {"contact", "abuse@honeynet.example"}, {"domain", "honeynet.example"}}},
          {"sender", {{"org", "Honeynet Example"}, {"contact", "abuse@honeynet.example"}, {"domain", "honeynet.example"}}},
          {"source_identifier", "198.51.100.200"},
          {"source_port", 51515},
          {"category", "connection"},
          {"type", "login_attack"},
          {"evidence_source", "honeypot"},
          {"evidence",
           {{{"content_type", "text/plain"},
             {"description", "sshd log"},
             {"payload", "RmFpbGVkIHBhc3N3b3Jk"},
             {"hash", "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}}},
          {"attempt_count", 88},
          {"tags", {"service:ssh", "attack:brute_force"}}};
}

std::string field_of(const ReportContent& c, const std::string& name, int block = 0) {
  for (const auto& f : c.fields)
    if (f.field == name && f.block == block) return f.value;
  return "<none>";
}

std::vector<std::string> errors_of(const ReportContent& c) {
  std::vector<std::string> out;
  for (const auto& e : c.errors) out.push_back(e.field + ": " + e.message);
  return out;
}

TEST_CASE("xarf json: the published v4 format") {
  const auto content = parse_xarf_json(v4_document().dump());
  REQUIRE(content.has_value());
  CHECK(content->format == "xarf-v4");
  CHECK(errors_of(*content).empty());
  CHECK(content->category_hint == "connection/login_attack");
  CHECK(content->reported_host == "198.51.100.200");
  CHECK(content->reported_port == "51515");
  CHECK(field_of(*content, "xarf.reporter-org") == "Honeynet Example");
  CHECK(field_of(*content, "xarf.sender-contact") == "abuse@honeynet.example");
  CHECK(field_of(*content, "xarf.source-identifier") == "198.51.100.200");
  CHECK(field_of(*content, "xarf.evidence-description") == "sshd log");
  CHECK(field_of(*content, "xarf.tags", 1) == "attack:brute_force");
  CHECK(field_of(*content, "xarf.evidence-payload") == "<none>");  // encoded bytes are not report text
  REQUIRE(content->indicators.size() == 1);
  CHECK(content->indicators[0].kind == IndicatorKind::sha256);
}

TEST_CASE("xarf json: each malformed v4 report gets its specific error") {
  struct Row {
    const char* name;
    const char* member;
    nlohmann::ordered_json value;  // null: the member is removed
    std::vector<std::string> errors;
  };
  const std::vector<Row> rows = {
      {"no source_identifier", "source_identifier", nullptr, {"xarf.source-identifier: required field missing"}},
      {"no reporter", "reporter", nullptr, {"xarf.reporter: required field missing"}},
      {"version 5", "xarf_version", "5.0.0", {"xarf.xarf-version: unsupported version (must be 4.x.y)"}},
      {"unknown category", "category", "weather", {"xarf.category: unknown category"}},
      {"bad port", "source_port", 99999, {"xarf.source-port: not a port number"}},
      {"bad timestamp", "timestamp", "yesterday", {"xarf.timestamp: not a date-time"}},
  };
  for (const auto& row : rows) {
    const std::string name = row.name;
    CAPTURE(name);
    auto doc = v4_document();
    if (row.value.is_null()) doc.erase(row.member);
    else doc[row.member] = row.value;
    const auto content = parse_xarf_json(doc.dump());
    REQUIRE(content.has_value());
    const std::vector<std::string> errors = errors_of(*content);
    CHECK_MESSAGE(errors == row.errors, (errors.empty() ? std::string("no errors") : errors.front()));
  }
}

TEST_CASE("xarf json: a reputation listing's threat type, a TLP member, and what is not XARF") {
  auto doc = v4_document();
  doc["category"] = "reputation";
  doc["type"] = "blocklist";
  doc["threat_type"] = "command_and_control";
  doc["tlp"] = "TLP:AMBER+STRICT";
  const auto content = parse_xarf_json(doc.dump());
  REQUIRE(content.has_value());
  CHECK(content->category_hint == "reputation/blocklist/command_and_control");
  CHECK(field_of(*content, "xarf.tlp") == "TLP:AMBER+STRICT");
  CHECK_FALSE(parse_xarf_json(R"({"name": "x"})").has_value());
  CHECK_FALSE(parse_xarf_json("[1, 2]").has_value());
  const auto broken = parse_xarf_json(R"({"xarf_version": "4.0.0", "category": )");
  REQUIRE(broken.has_value());
  CHECK(broken->errors.at(0).message.rfind("not valid JSON", 0) == 0);
}

TEST_CASE("xarf json: key names in kebab case") {
  CHECK(kebab_case("SourceIp") == "source-ip");
  CHECK(kebab_case("SourceIPAddress") == "source-ip-address");
  CHECK(kebab_case("source_identifier") == "source-identifier");
  CHECK(kebab_case("ReporterOrgEmail") == "reporter-org-email");
}

TEST_CASE("html text: tags, scripts, comments and references") {
  struct Row {
    const char* html;
    const char* text;
  };
  const Row rows[] = {
      {"<p>a&amp;b</p>", "\na&b\n"},
      {"x<br/>y", "x\ny"},
      {"<script>phishing()</script>ok", "ok"},
      {"<STYLE>x{}</STYLE>ok", "ok"},
      {"<!-- malware -->ok", "ok"},
      {"&#65;&#x42;&lt;&gt;&quot;&nbsp;", "AB<>\" "},
      {"&unknown; & alone", "&unknown; & alone"},
      {"</script>after", "after"},
      {"<a href=\"x\">unterminated", "unterminated"},
      {"<b", ""},
      {"&#xD800;", "\xEF\xBF\xBD"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.html);
    CHECK(html_to_text(row.html) == row.text);
  }
}

}  // namespace
}  // namespace csirtgw
