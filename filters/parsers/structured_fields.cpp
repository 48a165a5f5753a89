// Helpers shared by the structured-report parsers (see structured_fields.h).
#include "structured_fields.h"

#include <algorithm>

#include "ascii_case.h"
#include "indicator_extractor.h"
#include "message_header.h"
#include "transfer_decoding.h"

namespace csirtgw {
namespace {

bool is_ip_source_type(std::string_view type) {
  const std::string t = ascii_lower(ascii_trim(type));
  return t == "ipv4" || t == "ipv6" || t == "ip-address" || t == "ip" || t == "ipaddress";
}

}  // namespace

std::string decoded_body(std::string_view message, const MimeEntity& entity) {
  return decode_transfer_encoding(entity.body(message), entity.transfer_encoding);
}

// The part's file name: Content-Type name=, else Content-Disposition filename=.
std::string part_filename(std::string_view message, const MimeEntity& entity) {
  std::string name = entity.content_type.parameter("name");
  if (!name.empty()) return name;
  if (auto disposition = header_value(entity.headers(message), "Content-Disposition")) {
    // The disposition's parameters have Content-Type's syntax (RFC 2183 2):
    // reuse that parser behind a placeholder type.
    return parse_content_type("disposition/" + *disposition).parameter("filename");
  }
  return {};
}

bool is_port(std::string_view v) {
  v = ascii_trim(v);
  if (v.empty() || v.size() > 5 || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  return std::stoul(std::string(v)) <= 65535;
}

bool is_positive_integer(std::string_view v) {
  v = ascii_trim(v);
  if (v.empty() || v.size() > 18 || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  return std::stoull(std::string(v)) > 0;
}

std::size_t bracket_depth(std::string_view text) {
  std::size_t depth = 0, deepest = 0;
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote) {
      if (c == '\\' && quote == '"') ++i;
      else if (c == quote) quote = 0;
    } else if (c == '"') {
      quote = c;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

// Fields with a cap: a report with more fields than anyone writes gets one error.
void FieldSink::add(std::string field, std::string value, int block) {
  if (content_.fields.size() >= max_report_fields) {
    if (!capped_)
      content_.errors.push_back(
          {error_field_, "more than " + std::to_string(max_report_fields) + " fields; the rest are ignored"});
    capped_ = true;
    return;
  }
  content_.fields.push_back({std::move(field), std::move(value), block});
}

// Every value of `field`, in order.
std::vector<const FieldValue*> values_of(const ReportContent& content, std::string_view field) {
  std::vector<const FieldValue*> out;
  for (const auto& f : content.fields)
    if (f.field == field) out.push_back(&f);
  return out;
}

const FieldValue* first_value(const ReportContent& content, std::string_view field) {
  for (const auto& f : content.fields)
    if (f.field == field) return &f;
  return nullptr;
}

bool has_value(const ReportContent& content, std::string_view field) {
  const FieldValue* f = first_value(content, field);
  return f != nullptr && !ascii_trim(f->value).empty();
}

void require(ReportContent& content, std::string_view field) {
  if (!has_value(content, field)) content.errors.push_back({std::string(field), "required field missing"});
}

void validate_xarf_fields(ReportContent& content) {
  std::vector<FieldError> found;
  auto once = [&](const std::string& field, const char* message) {
    for (const auto& e : found)
      if (e.field == field) return;
    found.push_back({field, message});
  };
  const FieldValue* source_type = first_value(content, "xarf.source-type");
  const bool source_is_ip = source_type != nullptr && is_ip_source_type(source_type->value);
  for (const auto& f : content.fields) {
    const std::string_view name = f.field;
    if (name == "xarf.source-ip" || name == "xarf.destination-ip" || (name == "xarf.source" && source_is_ip)) {
      if (!ascii_trim(f.value).empty() && !canonical_ip_address(ascii_trim(f.value))) once(f.field, "not an IP address");
    } else if (name == "xarf.port" || name == "xarf.source-port" || name == "xarf.destination-port") {
      if (!ascii_trim(f.value).empty() && !is_port(f.value)) once(f.field, "not a port number");
    } else if (name == "xarf.date" || name == "xarf.timestamp") {
      if (!ascii_trim(f.value).empty() && !canonical_timestamp(f.value)) once(f.field, "not a date-time");
    }
  }
  content.errors.insert(content.errors.end(), found.begin(), found.end());
}

}  // namespace csirtgw
