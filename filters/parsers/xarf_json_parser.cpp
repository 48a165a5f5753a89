// XARF JSON reports (see xarf_json_parser.h).
//
// The text is checked for size and nesting before nlohmann-json sees it (the
// library recurses per level); every library exception ends here as a
// FieldError. Members are rendered with an output budget.
#include "xarf_json_parser.h"

#include <algorithm>
#include <array>

#include <nlohmann/json.hpp>

#include "abuse_report_parsers.h"
#include "ascii_case.h"
#include "indicator_extractor.h"
#include "structured_fields.h"

namespace csirtgw {
namespace {

using Json = nlohmann::ordered_json;

// XARF v4's seven categories (the core schema's enum).
constexpr std::array<std::string_view, 7> v4_categories = {"messaging",      "connection", "content",   "copyright",
                                                           "infrastructure", "reputation", "vulnerability"};

// Members that carry a sharing label; their value becomes "xarf.tlp".
constexpr std::array<std::string_view, 4> tlp_members = {"tlp", "tlp_level", "confidentiality", "Tlp"};

std::string value_text(const Json& value) {
  if (value.is_string()) return value.get_ref<const std::string&>();
  if (value.is_null()) return {};
  std::string out = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (out.size() > max_report_value_bytes) out.resize(max_report_value_bytes);
  return out;
}

std::string trimmed_member(const Json& doc, const char* key) {
  if (!doc.is_object() || !doc.contains(key)) return {};
  return std::string(ascii_trim(value_text(doc.at(key))));
}

// How members become fields. The older layout renders an array element as its
// JSON text; the published v4 format's arrays of objects (evidence items) are
// taken member by member, one block per element, without their payloads
// (encoded bytes, not report text).
struct MemberStyle {
  bool expand_array_objects = false;
  bool skip_payloads = false;
};

// Object members as fields: scalars as they are, arrays one field per element
// (block 0, 1 ...), an object one level down as "<name>-<member>".
void add_members(const Json& object, const std::string& prefix, FieldSink& sink, int depth, MemberStyle style,
                 int block = 0) {
  for (const auto& [key, value] : object.items()) {
    if (style.skip_payloads && key == "payload") continue;
    const std::string name = prefix + kebab_case(key);
    if (value.is_object() && depth == 0) {
      add_members(value, name + "-", sink, depth + 1, style, block);
    } else if (value.is_array()) {
      int element_block = 0;
      for (const auto& element : value) {
        if (element.is_object() && depth == 0 && style.expand_array_objects)
          add_members(element, name + "-", sink, depth + 1, style, element_block++);
        else
          sink.add(name, value_text(element), element_block++);
      }
    } else {
      sink.add(name, value_text(value), block);
    }
  }
}

void add_tlp_member(const Json& doc, FieldSink& sink) {
  for (const auto key : tlp_members)
    if (doc.contains(std::string(key)) && doc.at(std::string(key)).is_string()) {
      sink.add("xarf.tlp", trimmed_member(doc, std::string(key).c_str()));
      return;
    }
}

// "sha256:<hex>" (or a bare hex digest) of an evidence item, as an indicator.
void add_evidence_hashes(const Json& doc, ReportContent& content) {
  if (!doc.contains("evidence") || !doc.at("evidence").is_array()) return;
  for (const auto& item : doc.at("evidence")) {
    const std::string hash = trimmed_member(item, "hash");
    const auto colon = hash.find(':');
    const std::string digest = colon == std::string::npos ? hash : hash.substr(colon + 1);
    for (auto& found : extract_indicators(digest, 1))
      if (found.kind == IndicatorKind::md5 || found.kind == IndicatorKind::sha1 || found.kind == IndicatorKind::sha256)
        content.indicators.push_back(std::move(found));
  }
}

void check_v4(const Json& doc, ReportContent& content) {
  for (const char* field : {"xarf.xarf-version", "xarf.report-id", "xarf.timestamp", "xarf.source-identifier",
                            "xarf.category", "xarf.type"})
    require(content, field);
  for (const char* object : {"reporter", "sender"})
    if (!doc.contains(object) || !doc.at(object).is_object())
      content.errors.push_back({std::string("xarf.") + object, "required field missing"});
  const std::string version = trimmed_member(doc, "xarf_version");
  if (!version.empty() && version.front() != '4')
    content.errors.push_back({"xarf.xarf-version", "unsupported version (must be 4.x.y)"});
  const std::string category = ascii_lower(trimmed_member(doc, "category"));
  if (!category.empty() && std::find(v4_categories.begin(), v4_categories.end(), category) == v4_categories.end())
    content.errors.push_back({"xarf.category", "unknown category"});
  validate_xarf_fields(content);  // addresses, ports (source_port), timestamp
}

void read_v4(const Json& doc, ReportContent& content) {
  content.format = "xarf-v4";
  FieldSink sink(content, "xarf");
  add_members(doc, "xarf.", sink, 0, {.expand_array_objects = true, .skip_payloads = true});
  add_tlp_member(doc, sink);
  check_v4(doc, content);
  const std::string category = trimmed_member(doc, "category");
  const std::string type = trimmed_member(doc, "type");
  content.category_hint = category.empty() || type.empty() ? category + type : category + "/" + type;
  // A reputation listing says what the listed host does (command_and_control,
  // malware_distribution ...): the most specific class the report gives.
  if (const std::string threat = trimmed_member(doc, "threat_type"); !threat.empty() && ascii_iequals(category, "reputation"))
    content.category_hint += "/" + threat;
  content.reported_host = trimmed_member(doc, "source_identifier");
  content.reported_port = trimmed_member(doc, "source_port");
  add_evidence_hashes(doc, content);
}

// The older layout, "Version" 3 or 4.
void read_report_layout(const Json& doc, ReportContent& content) {
  FieldSink sink(content, "xarf");
  const std::string version = trimmed_member(doc, "Version");
  const bool v3 = version == "3" || version.rfind("3.", 0) == 0;
  content.format = v3 ? "xarf-v3" : "xarf-v4";
  if (!v3 && version != "4" && version.rfind("4.", 0) != 0)
    content.errors.push_back({"xarf.version", "unsupported version (must be 3 or 4)"});

  for (const auto& [key, value] : doc.items()) {
    if ((key == "ReporterInfo" || key == "Report") && value.is_object()) add_members(value, "xarf.", sink, 0, {});
    else if (value.is_object()) add_members(value, "xarf." + kebab_case(key) + "-", sink, 1, {});
    else add_members(Json::object({{key, value}}), "xarf.", sink, 1, {});
  }
  add_tlp_member(doc, sink);
  if (!doc.contains("ReporterInfo") || !doc.at("ReporterInfo").is_object())
    content.errors.push_back({"xarf.reporter-info", "required field missing"});
  if (!doc.contains("Report") || !doc.at("Report").is_object()) {
    content.errors.push_back({"xarf.report", "required field missing"});
  } else {
    require(content, "xarf.report-class");
    require(content, "xarf.report-type");
    require(content, "xarf.date");
  }
  validate_xarf_fields(content);

  const FieldValue* report_class = first_value(content, "xarf.report-class");
  const FieldValue* report_type = first_value(content, "xarf.report-type");
  const std::string class_text = report_class ? std::string(ascii_trim(report_class->value)) : std::string();
  const std::string type_text = report_type ? std::string(ascii_trim(report_type->value)) : std::string();
  content.category_hint = !class_text.empty() && !type_text.empty() ? class_text + "/" + type_text : class_text + type_text;
  for (const char* field : {"xarf.source-ip", "xarf.source"})
    if (const FieldValue* host = first_value(content, field); host && content.reported_host.empty())
      content.reported_host = std::string(ascii_trim(host->value));
  if (const FieldValue* port = first_value(content, "xarf.source-port")) content.reported_port = port->value;
}

bool looks_like_xarf(std::string_view body) {
  for (const std::string_view marker : {"\"xarf_version\"", "\"ReportClass\"", "\"ReporterInfo\""})
    if (body.find(marker) != std::string_view::npos) return true;
  return false;
}

// The document, or nullopt with an error in `content` (when it looks like XARF).
std::optional<Json> parsed_document(std::string_view body, ReportContent& content) {
  if (body.size() > max_structured_report_bytes) {
    content.errors.push_back({"xarf", "JSON report larger than " + std::to_string(max_structured_report_bytes) + " bytes"});
    return std::nullopt;
  }
  if (bracket_depth(body) > max_report_nesting) {
    content.errors.push_back({"xarf", "JSON nested deeper than " + std::to_string(max_report_nesting) + " levels"});
    return std::nullopt;
  }
  try {
    return Json::parse(body);
  } catch (const std::exception& e) {
    content.errors.push_back({"xarf", std::string("not valid JSON: ") + e.what()});
    return std::nullopt;
  }
}

}  // namespace

std::string kebab_case(std::string_view key) {
  std::string out;
  auto is_upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto is_lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  for (std::size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    if (is_upper(c)) {
      const bool after_word = i > 0 && is_lower_or_digit(key[i - 1]);
      const bool acronym_end = i > 0 && is_upper(key[i - 1]) && i + 1 < key.size() && key[i + 1] >= 'a' && key[i + 1] <= 'z';
      if ((after_word || acronym_end) && !out.empty() && out.back() != '-') out.push_back('-');
      out.push_back(ascii_lower(c));
    } else if (c == '_' || c == ' ' || c == '.' || c == '-') {
      if (!out.empty() && out.back() != '-') out.push_back('-');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<ReportContent> parse_xarf_json(std::string_view body) {
  ReportContent content;
  content.format = "xarf-v4";
  const std::optional<Json> doc = parsed_document(body, content);
  if (!doc) return looks_like_xarf(body) ? std::optional<ReportContent>(std::move(content)) : std::nullopt;
  const bool v4 = doc->is_object() && doc->contains("xarf_version");
  const bool layout = doc->is_object() && doc->contains("Version") && (doc->contains("Report") || doc->contains("ReporterInfo"));
  if (!v4 && !layout) return std::nullopt;
  try {
    if (v4) read_v4(*doc, content);
    else read_report_layout(*doc, content);
  } catch (const std::exception& e) {  // a library surprise; the report is still filed
    content.errors.push_back({"xarf", std::string("cannot read the JSON report: ") + e.what()});
  }
  return content;
}

}  // namespace csirtgw
