// ARF, legacy X-ARF and XARF v4 parsing (see abuse_report_parsers.h).
//
// The MIME tree comes from scan_mime; this file never re-parses MIME. YAML goes
// to yaml-cpp and JSON to nlohmann-json, each after a size and nesting check
// (both libraries recurse) and inside a try block: their exceptions end here and
// become FieldErrors. Structured values are rendered with an output budget, so a
// YAML alias bomb costs no more than its budget.
#include "ascii_case.h"
#include "abuse_report_parsers.h"

#include <algorithm>
#include <array>
#include <map>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "indicator_extractor.h"
#include "structured_fields.h"
#include "xarf_json_parser.h"
#include "message_header.h"
#include "transfer_decoding.h"

namespace csirtgw {
namespace {

constexpr std::size_t max_nesting = max_report_nesting;
constexpr std::size_t max_fields = max_report_fields;
constexpr std::size_t max_value_bytes = max_report_value_bytes;
constexpr std::size_t max_indicator_text = 4 << 20;  // report text scanned for indicators

// The decoded text of the report's textual parts (and the headers of any
// enclosed message), for indicator extraction, up to `budget` bytes.
void collect_text(std::string_view message, const MimeEntity& entity, std::string& out, std::size_t budget) {
  if (out.size() >= budget) return;
  const auto& ct = entity.content_type;
  auto append = [&](std::string_view text) {
    out.append(text.substr(0, budget - out.size()));
    if (out.size() < budget) out.push_back('\n');
  };
  if (ct.type == "multipart") {
    for (const auto& part : entity.parts) collect_text(message, part, out, budget);
  } else if (ct.is("message", "rfc822")) {
    const bool identity = entity.transfer_encoding == "7bit" || entity.transfer_encoding == "8bit" ||
                          entity.transfer_encoding == "binary";
    if (identity && !entity.parts.empty()) {
      append(entity.parts.front().headers(message));
      collect_text(message, entity.parts.front(), out, budget);
    } else {
      append(decoded_body(message, entity));
    }
  } else if (ct.type == "text" || ct.is("message", "feedback-report") || ct.is("application", "json") ||
             ct.is("message", "delivery-status")) {
    append(decoded_body(message, entity));
  }
}

// The host the report is about leads the indicators (a domain or address as a
// source_identifier may appear nowhere else in the text).
void add_reported_host_indicator(ReportContent& content) {
  for (auto& found : extract_indicators(content.reported_host, 1)) {
    const bool host_kind = found.kind == IndicatorKind::ipv4 || found.kind == IndicatorKind::ipv6 ||
                           found.kind == IndicatorKind::domain || found.kind == IndicatorKind::cidr;
    if (!host_kind) continue;
    std::erase_if(content.indicators, [&](const Indicator& i) { return i.kind == found.kind && i.value == found.value; });
    content.indicators.insert(content.indicators.begin(), std::move(found));
  }
}

void add_indicators(std::string_view message, const MimeEntity& root, ReportContent& content) {
  std::string text;
  collect_text(message, root, text, max_indicator_text);
  for (auto& found : extract_indicators(text))
    if (std::none_of(content.indicators.begin(), content.indicators.end(),
                     [&](const Indicator& i) { return i.kind == found.kind && i.value == found.value; }))
      content.indicators.push_back(std::move(found));
}

// ---------------------------------------------------------------------------
// ARF (RFC 5965, RFC 6591)

struct ArfField {
  std::string_view name;  // lower case
  bool repeatable;
};

// RFC 5965 3.1-3.3, RFC 6591 3.1, RFC 6692 (Source-Port).
constexpr std::array<ArfField, 24> arf_fields = {{
    {"feedback-type", false},         {"user-agent", false},           {"version", false},
    {"original-envelope-id", false},  {"original-mail-from", false},   {"arrival-date", false},
    {"received-date", false},         {"reporting-mta", false},        {"source-ip", false},
    {"source-port", false},           {"incidents", false},            {"authentication-results", true},
    {"original-rcpt-to", true},       {"reported-domain", true},       {"reported-uri", true},
    {"auth-failure", false},          {"delivery-result", false},      {"dkim-domain", false},
    {"dkim-identity", false},         {"dkim-selector", false},        {"dkim-canonicalized-header", false},
    {"dkim-canonicalized-body", false}, {"spf-dns", true},             {"identity-alignment", false},
}};

constexpr std::array<std::string_view, 6> feedback_types = {"abuse", "fraud", "virus", "other", "not-spam",
                                                            "auth-failure"};

const ArfField* known_arf_field(std::string_view name) {
  for (const auto& f : arf_fields)
    if (f.name == name) return &f;
  return nullptr;
}

// Calls visit(name, value) for each field of a header-style block, unfolding
// continuation lines; returns false when a line is neither a field nor a
// continuation. Empty lines are skipped: some generators end with one.
template <typename Visit>
bool for_each_block_field(std::string_view block, Visit visit) {
  bool well_formed = true;
  std::string name, value;
  bool open = false;
  auto flush = [&] {
    if (open) visit(name, std::string(ascii_trim(value)));
    open = false;
  };
  std::size_t pos = 0;
  while (pos < block.size()) {
    std::size_t nl = block.find('\n', pos);
    std::size_t next = nl == std::string_view::npos ? block.size() : nl + 1;
    std::string_view line = block.substr(pos, next - pos);
    pos = next;
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    if (line.empty()) {
      flush();
      continue;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      if (open) value.append(line);
      else well_formed = false;
      continue;
    }
    flush();
    const std::size_t colon = line.find(':');
    const std::string_view field_name = colon == std::string_view::npos ? std::string_view{} : ascii_trim(line.substr(0, colon));
    if (field_name.empty() || field_name.find_first_of(" \t") != std::string_view::npos) {
      well_formed = false;
      continue;
    }
    name = ascii_lower(field_name);
    value = std::string(line.substr(colon + 1));
    open = true;
  }
  flush();
  return well_formed;
}

void read_feedback_report(std::string_view block, ReportContent& content) {
  FieldSink sink(content, "arf");
  std::map<std::string, int> counts;
  const bool well_formed = for_each_block_field(block, [&](const std::string& name, std::string value) {
    const ArfField* known = known_arf_field(name);
    const int seen = counts[name]++;
    if (name == "feedback-type") value = ascii_lower(value);
    sink.add("arf." + name, std::move(value), (known == nullptr || known->repeatable) ? seen : 0);
  });
  if (!well_formed) content.errors.push_back({"arf", "malformed line in the feedback report"});

  for (const auto& [name, count] : counts) {
    const ArfField* known = known_arf_field(name);
    if (known != nullptr && !known->repeatable && count > 1)
      content.errors.push_back({"arf." + name, "field appears more than once"});
  }
  // RFC 5965 3.1: required fields.
  require(content, "arf.feedback-type");
  require(content, "arf.user-agent");
  require(content, "arf.version");

  if (const FieldValue* type = first_value(content, "arf.feedback-type"); type && !type->value.empty()) {
    if (std::find(feedback_types.begin(), feedback_types.end(), type->value) == feedback_types.end())
      content.errors.push_back({"arf.feedback-type", "unknown feedback type"});
    if (type->value == "auth-failure") require(content, "arf.auth-failure");  // RFC 6591 3.1
  }
  if (const FieldValue* v = first_value(content, "arf.version"); v && !v->value.empty() && ascii_trim(v->value) != "1")
    content.errors.push_back({"arf.version", "unsupported version (must be 1)"});
  if (const FieldValue* ip = first_value(content, "arf.source-ip"); ip && !canonical_ip_address(ascii_trim(ip->value)))
    content.errors.push_back({"arf.source-ip", "not an IP address"});
  if (const FieldValue* port = first_value(content, "arf.source-port"); port && !is_port(port->value))
    content.errors.push_back({"arf.source-port", "not a port number"});
  for (const char* date_field : {"arf.arrival-date", "arf.received-date"})
    if (const FieldValue* d = first_value(content, date_field); d && !canonical_timestamp(d->value))
      content.errors.push_back({date_field, "not a date-time"});
  if (const FieldValue* n = first_value(content, "arf.incidents"); n && !is_positive_integer(n->value))
    content.errors.push_back({"arf.incidents", "not a positive integer"});
  for (const FieldValue* d : values_of(content, "arf.reported-domain")) {
    if (!is_domain_name(ascii_trim(d->value))) {
      content.errors.push_back({"arf.reported-domain", "not a domain name"});
      break;
    }
  }
}

}  // namespace

std::optional<ReportContent> parse_arf(std::string_view message, const MimeEntity& root) {
  if (!root.content_type.is("multipart", "report")) return std::nullopt;
  if (!ascii_iequals(ascii_trim(root.content_type.parameter("report-type")), "feedback-report")) return std::nullopt;

  ReportContent content;
  content.format = "arf";
  const MimeEntity* feedback = nullptr;
  const MimeEntity* original = nullptr;
  for (const auto& part : root.parts) {
    if (!feedback && part.content_type.is("message", "feedback-report")) feedback = &part;
    else if (!original && (part.content_type.is("message", "rfc822") || part.content_type.is("text", "rfc822-headers")))
      original = &part;
  }

  if (feedback == nullptr) {
    content.errors.push_back({"arf", "no message/feedback-report part"});
  } else {
    const std::string block = decoded_body(message, *feedback);
    read_feedback_report(block, content);
    if (const FieldValue* type = first_value(content, "arf.feedback-type")) {
      // As written: the first Feedback-Type line's value, before lower-casing.
      for_each_block_field(block, [&](const std::string& name, const std::string& value) {
        if (name == "feedback-type" && content.category_hint.empty()) content.category_hint = value;
      });
      if (content.category_hint.empty()) content.category_hint = type->value;
    }
  }

  if (original == nullptr) {
    content.errors.push_back({"arf", "no original message part (message/rfc822 or text/rfc822-headers)"});
  } else {
    // The body of both part types starts with the original header block.
    const std::string original_text = decoded_body(message, *original);
    const std::string_view headers = header_section(original_text);
    FieldSink sink(content, "arf");
    const std::array<std::pair<const char*, const char*>, 5> wanted = {{{"From", "arf.original-from"},
                                                                         {"To", "arf.original-to"},
                                                                         {"Subject", "arf.original-subject"},
                                                                         {"Date", "arf.original-date"},
                                                                         {"Message-ID", "arf.original-message-id"}}};
    for (const auto& [header, field] : wanted)
      if (auto value = header_value(headers, header)) sink.add(field, std::move(*value));
  }

  if (const FieldValue* ip = first_value(content, "arf.source-ip")) content.reported_host = ascii_trim(ip->value);
  if (const FieldValue* port = first_value(content, "arf.source-port")) content.reported_port = ascii_trim(port->value);
  add_indicators(message, root, content);
  add_reported_host_indicator(content);
  return content;
}

namespace {

// ---------------------------------------------------------------------------
// Common X-ARF / XARF checks, by field name

// ---------------------------------------------------------------------------
// XARF JSON (xarf_json_parser.h)

bool may_hold_json(std::string_view message, const MimeEntity& entity) {
  const auto& ct = entity.content_type;
  return ct.is("application", "json") || ct.type == "text" || ascii_iends_with(part_filename(message, entity), ".json");
}

std::optional<ReportContent> find_xarf_v4(std::string_view message, const MimeEntity& entity) {
  if (entity.content_type.type == "multipart") {
    for (const auto& part : entity.parts)
      if (auto found = find_xarf_v4(message, part)) return found;
    return std::nullopt;
  }
  // An enclosed message/rfc822 is evidence, not the report.
  if (entity.content_type.type == "message" || !may_hold_json(message, entity)) return std::nullopt;
  const std::string body = decoded_body(message, entity);
  std::string_view text = ascii_trim(body);
  if (text.starts_with("\xEF\xBB\xBF")) text = ascii_trim(text.substr(3));  // a UTF-8 byte order mark
  if (text.empty() || text.front() != '{') return std::nullopt;
  return parse_xarf_json(text);
}

// ---------------------------------------------------------------------------
// Legacy X-ARF (YAML)

// YAML values as text, with output budgets per value and per report: aliases
// can make a small document describe an exponentially large one.
class YamlRenderer {
 public:
  std::string text(const YAML::Node& node) {
    std::string out;
    render(node, out, 0);
    if (out.size() > max_value_bytes) out.resize(max_value_bytes);
    return std::string(ascii_trim(out));
  }
  bool truncated() const { return truncated_; }

 private:
  bool full(const std::string& out) {
    if (out.size() < max_value_bytes && remaining_ > 0) return false;
    truncated_ = true;
    return true;
  }

  void append(std::string& out, std::string_view s) {
    const std::size_t n = std::min(s.size(), remaining_);
    out.append(s.substr(0, n));
    remaining_ -= n;
  }

  void render(const YAML::Node& node, std::string& out, std::size_t depth) {
    if (full(out) || depth > max_nesting) return;
    switch (node.Type()) {
      case YAML::NodeType::Scalar:
        append(out, node.Scalar());
        break;
      case YAML::NodeType::Sequence: {
        append(out, "[");
        bool first = true;
        for (const auto& element : node) {
          if (full(out)) break;
          if (!first) append(out, ", ");
          first = false;
          render(element, out, depth + 1);
        }
        append(out, "]");
        break;
      }
      case YAML::NodeType::Map: {
        append(out, "{");
        bool first = true;
        for (const auto& member : node) {
          if (full(out)) break;
          if (!first) append(out, ", ");
          first = false;
          render(member.first, out, depth + 1);
          append(out, ": ");
          render(member.second, out, depth + 1);
        }
        append(out, "}");
        break;
      }
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        break;
    }
  }

  std::size_t remaining_ = 2 * max_structured_report_bytes;
  bool truncated_ = false;
};

void read_xarf_yaml(std::string_view yaml, ReportContent& content) {
  const YAML::Node doc = YAML::Load(std::string(yaml));
  if (!doc.IsMap()) {
    content.errors.push_back({"xarf", "the report part is not a YAML mapping"});
    return;
  }
  FieldSink sink(content, "xarf");
  YamlRenderer renderer;
  for (const auto& member : doc) {
    const std::string key = member.first.IsScalar() ? member.first.Scalar() : renderer.text(member.first);
    const std::string name = "xarf." + ascii_lower(ascii_trim(key));
    if (member.second.IsSequence()) {
      int block = 0;
      for (const auto& element : member.second) {
        sink.add(name, renderer.text(element), block++);
        if (block >= static_cast<int>(max_fields)) break;
      }
    } else {
      sink.add(name, renderer.text(member.second));
    }
  }
  if (renderer.truncated()) content.errors.push_back({"xarf", "structured values truncated"});
  for (const char* field : {"xarf.reported-from", "xarf.category", "xarf.report-type", "xarf.date", "xarf.source",
                            "xarf.source-type"})
    require(content, field);
  validate_xarf_fields(content);
  // Report-Type (login-attack, malware, ...) says more than Category, which is
  // "abuse" in nearly every legacy report.
  if (const FieldValue* type = first_value(content, "xarf.report-type"); type && !type->value.empty())
    content.category_hint = type->value;
  else if (const FieldValue* category = first_value(content, "xarf.category"))
    content.category_hint = category->value;
  if (const FieldValue* source = first_value(content, "xarf.source")) content.reported_host = ascii_trim(source->value);
  if (const FieldValue* port = first_value(content, "xarf.port")) content.reported_port = ascii_trim(port->value);
}

// The YAML part: the one named report.txt, else the second part when textual.
const MimeEntity* find_yaml_part(std::string_view message, const MimeEntity& root) {
  if (root.content_type.type != "multipart") return nullptr;
  for (const auto& part : root.parts)
    if (part.content_type.type == "text" && ascii_iequals(part_filename(message, part), "report.txt")) return &part;
  if (root.parts.size() >= 2 && root.parts[1].content_type.type == "text") return &root.parts[1];
  return nullptr;
}

bool has_legacy_xarf_header(std::string_view headers) {
  if (auto v = header_value(headers, "X-XARF")) {
    const std::string value = ascii_lower(ascii_trim(*v));
    if (value == "plain" || value == "secure") return true;
  }
  if (auto v = header_value(headers, "X-ARF")) return ascii_iequals(ascii_trim(*v), "yes");
  return false;
}

ReportContent parse_legacy_xarf(std::string_view message, const MimeEntity& root) {
  ReportContent content;
  content.format = "x-arf";
  const MimeEntity* part = find_yaml_part(message, root);
  if (part == nullptr) {
    content.errors.push_back({"xarf", "no YAML report part (report.txt)"});
  } else {
    const std::string yaml = decoded_body(message, *part);
    if (yaml.size() > max_structured_report_bytes) {
      content.errors.push_back({"xarf", "YAML report larger than " + std::to_string(max_structured_report_bytes) + " bytes"});
    } else if (bracket_depth(yaml) > max_nesting) {
      content.errors.push_back({"xarf", "YAML nested deeper than " + std::to_string(max_nesting) + " levels"});
    } else {
      try {
        read_xarf_yaml(yaml, content);
      } catch (const YAML::Exception& e) {
        content.errors.push_back({"xarf", std::string("YAML: ") + e.what()});
      } catch (const std::exception& e) {
        content.errors.push_back({"xarf", std::string("cannot read the YAML report: ") + e.what()});
      }
    }
  }
  return content;
}

}  // namespace

std::optional<ReportContent> parse_xarf(std::string_view message, const MimeEntity& root) {
  std::optional<ReportContent> content = find_xarf_v4(message, root);
  if (!content) {
    if (!has_legacy_xarf_header(root.headers(message))) return std::nullopt;
    content = parse_legacy_xarf(message, root);
  }
  add_indicators(message, root, *content);
  add_reported_host_indicator(*content);
  return content;
}

}  // namespace csirtgw
