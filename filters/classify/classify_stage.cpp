// The classify stage: reads the report's content and decides its type,
// constituency, disclosure categories, TLP label and priority under the policy.
#include "classify_stage.h"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "abuse_report_parsers.h"
#include "ascii_case.h"
#include "constituency.h"
#include "indicator_extractor.h"
#include "html_text.h"
#include "json_text.h"
#include "message_evidence.h"
#include "message_header.h"
#include "mime_structure.h"
#include "report_prose.h"
#include "tlp_markers.h"
#include "team_form_parser.h"
#include "transfer_decoding.h"

namespace csirtgw {
namespace {

// The first text/<subtype> leaf outside any attached message (a forwarded
// original is evidence, not the report).
const MimeEntity* first_text_leaf(const MimeEntity& e, std::string_view subtype) {
  if (e.content_type.is("text", subtype) && e.parts.empty()) return &e;
  if (e.content_type.is("message", "rfc822")) return nullptr;
  for (const auto& p : e.parts)
    if (const MimeEntity* found = first_text_leaf(p, subtype)) return found;
  return nullptr;
}

// The report's main text: its first text/plain part, else the text of its
// first text/html part (tags stripped, references decoded).
std::string main_text_of(std::string_view message, const MimeEntity& root) {
  if (const MimeEntity* body = first_text_leaf(root, "plain"))
    return decode_transfer_encoding(body->body(message), body->transfer_encoding);
  // The report of a sender who writes HTML only.
  if (const MimeEntity* html = first_text_leaf(root, "html"))
    return html_to_text(decode_transfer_encoding(html->body(message), html->transfer_encoding));
  return {};
}

// The subject as written, encoded words decoded.
std::string subject_of(std::string_view message) {
  auto subject = header_value(header_section(message), "Subject");
  return subject ? decode_encoded_words(*subject) : std::string();
}

// Whole-word, case-insensitive containment (text already lower-case).
bool contains_words(const std::string& text, const std::string& words) {
  std::size_t pos = 0;
  while ((pos = text.find(words, pos)) != std::string::npos) {
    const bool start_ok = pos == 0 || !std::isalnum(static_cast<unsigned char>(text[pos - 1]));
    const std::size_t end = pos + words.size();
    const bool end_ok = end >= text.size() || !std::isalnum(static_cast<unsigned char>(text[end]));
    if (start_ok && end_ok) return true;
    pos = end;
  }
  return false;
}

std::string without_comment_lines(std::string_view text) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    const std::size_t next = end == std::string_view::npos ? text.size() : end + 1;
    std::string_view line = text.substr(pos, next - pos);
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] != '#') out.append(line);
    pos = next;
  }
  return out;
}

void add_category(Classification& c, const std::string& category, const std::string& because) {
  if (std::any_of(c.categories.begin(), c.categories.end(),
                  [&](const DisclosureReason& r) { return r.category == category; }))
    return;
  c.categories.push_back({category, because});
}

// ARF/X-ARF parsers bring their own indicators (Source-IP, the original
// message); the main text's join them, then the attachments' hashes and what
// forwarded originals hold. The forwarder's own addresses are no indicators.
void add_text_and_evidence_indicators(std::string_view message, const MimeEntity* root, const MimeLimits& limits,
                                      const std::string& text, ReportContent& content) {
  for (auto& indicator : extract_indicators(indicator_text(text)))
    if (std::none_of(content.indicators.begin(), content.indicators.end(), [&](const Indicator& known) {
          return known.kind == indicator.kind && known.value == indicator.value;
        }))
      content.indicators.push_back(std::move(indicator));
  if (root == nullptr) return;
  add_message_evidence(message, *root, limits, content);
  drop_own_addresses(root->headers(message), content.indicators);
}

// The content: ARF, X-ARF, the team's form or free text, with the indicators
// of the main text (returned in `text`) joined to those a parser brought.
ReportContent read_content(Report& report, const MimeLimits& limits, const FormSchema& form, std::string& text) {
  ReportContent content;
  const std::string_view message = report.message();
  auto scanned = mime_structure_of(report, limits);
  if (scanned) {
    text = main_text_of(message, *scanned.value());
    if (auto arf = parse_arf(message, *scanned.value())) {
      content = std::move(*arf);
    } else if (auto xarf = parse_xarf(message, *scanned.value())) {
      content = std::move(*xarf);
    } else {
      content = parse_team_form(text, form);
      if (content.format != "team-form") {
        content = ReportContent{};
        content.format = "free-text";
      }
    }
  } else {
    content.format = "unparsed";
    content.errors.push_back({"message", "MIME structure refused: " + scanned.error().message});
  }
  add_text_and_evidence_indicators(message, scanned ? scanned.value() : nullptr, limits, text, content);
  return content;
}

// Incident type: the form's own field, then ARF/X-ARF hints, then keywords.
void decide_type(Classification& c, const ReportContent& content, const std::string& lower_text, const Policy& policy) {
  const std::string hint = ascii_lower(content.category_hint);
  if (!hint.empty() && policy.taxonomy.count(hint)) {
    c.type = hint;
    c.type_because = "reported type";
  } else if (const HintRule* rule = hint.empty() ? nullptr : find_hint_rule(policy, hint)) {
    c.type = rule->type;
    c.type_because = content.format + " category \"" + hint + "\"";
  }
  if (c.type_because.empty())
    for (const auto& rule : policy.keywords) {
      auto word = std::find_if(rule.words.begin(), rule.words.end(),
                               [&](const std::string& w) { return contains_words(lower_text, w); });
      if (word != rule.words.end()) {
        c.type = rule.type;
        c.type_because = "keyword \"" + *word + "\"";
        break;
      }
    }
  if (c.type_because.empty()) c.type_because = "nothing decided";
}

// Disclosure categories (RFC 2350 3.4.2), each with its reason.
void add_disclosure(Classification& c, const ReportContent& content, const FormSchema& form, const Policy& policy) {
  for (const auto& f : content.fields)
    if (const FormField* field = form.find_field(f.field)) add_category(c, to_string(field->disclosure), "field " + f.field);
  // A value that failed its check is still in the message: its field's category holds.
  for (const auto& e : content.errors)
    if (const FormField* field = form.find_field(e.field); field && e.message.rfind("required field missing", 0) != 0)
      add_category(c, to_string(field->disclosure), "field " + e.field + " (malformed)");
  for (const auto& f : content.fields) {
    if (f.field.rfind("arf.", 0) == 0 || f.field.rfind("xarf.", 0) == 0) {
      if (f.field.find("source") != std::string::npos) add_category(c, "intruder", "field " + f.field);
      if (f.field.find("reporter") != std::string::npos || f.field.find("mail-from") != std::string::npos)
        add_category(c, "contact-information", "field " + f.field);
    }
  }
  for (const auto& ind : content.indicators) {
    // The kind only: audit events never carry addresses or other report values.
    const std::string because = std::string("indicator ") + to_string(ind.kind);
    switch (ind.kind) {
      case IndicatorKind::cve: add_category(c, "vulnerability", because); break;
      case IndicatorKind::email: add_category(c, "private-user", because); break;
      case IndicatorKind::ipv4:
      case IndicatorKind::ipv6:
        if (policy.in_constituency_ip(ind.value)) add_category(c, "private-site", because);
        break;
      case IndicatorKind::domain:
        if (policy.in_constituency_domain(ind.value)) add_category(c, "private-site", because);
        break;
      default: break;
    }
  }
  if (c.type.rfind("vulnerable/", 0) == 0) add_category(c, "vulnerability", "type " + c.type);
  if (c.type != "other/undetermined") add_category(c, "statistical", "type " + c.type);
}

// TLP 2.0: the strictest label wins; unauthenticated labels only tighten.
void decide_tlp(Classification& c, const ReportContent& content, const std::string& own_words, const Policy& policy) {
  c.tlp = policy.tlp_default;
  c.tlp_because = "default";
  std::vector<std::pair<std::string, std::string>> labels;  // label, source
  for (const auto& f : content.fields) {
    const bool tlp_field = f.field == "tlp" || (f.field.size() > 4 && f.field.compare(f.field.size() - 4, 4, ".tlp") == 0);
    if (!tlp_field || ascii_trim(f.value).empty()) continue;
    // A value that is no label still counts as the strictest: a field that
    // says TLP must never loosen into the default.
    labels.emplace_back(tlp_label_of(f.value).value_or("RED"), "field " + f.field);
  }
  for (auto& label : tlp_markers_in(own_words)) labels.emplace_back(label, "marker TLP:" + label);
  int strictest = -1;
  for (const auto& [label, source] : labels) {
    const int rank = tlp_rank(label);
    const bool counts = rank >= 0 && (content.authenticated || rank > tlp_rank(policy.tlp_default));
    if (!counts || rank <= strictest) continue;
    strictest = rank;
    c.tlp = label;
    c.tlp_because = source + (content.authenticated ? "" : " (unauthenticated: may only tighten)");
  }
}

// Priority: the first level whose types or words match.
void decide_priority(Classification& c, const std::string& lower_text, const Policy& policy) {
  c.priority = policy.unmatched_priority;
  c.priority_name = "prioritised by apparent severity and extent";
  for (const auto& level : policy.levels) {
    const bool by_type = std::any_of(level.types.begin(), level.types.end(), [&](const std::string& t) { return type_matches(t, c.type); });
    const bool by_word = std::any_of(level.words.begin(), level.words.end(),
                                     [&](const std::string& w) { return contains_words(lower_text, w); });
    if (by_type || by_word) {
      c.priority = level.level;
      c.priority_name = level.name;
      break;
    }
  }
}

// The `classified` audit event: ids and categories only; field values and
// indicators stay in the message.
std::string classified_detail(const Report& report) {
  const Classification& c = report.classification;
  nlohmann::json categories = nlohmann::json::array();
  for (const auto& r : c.categories) categories.push_back({{"category", r.category}, {"because", r.because}});
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& e : report.content.errors) errors.push_back({{"field", e.field}, {"error", e.message}});
  std::map<std::string, int> indicator_counts;
  std::map<std::string, int> origin_counts;
  for (const auto& ind : report.content.indicators) {
    ++indicator_counts[to_string(ind.kind)];
    ++origin_counts[to_string(ind.origin)];
  }
  return json_text({{"format", report.content.format},
                    {"authenticated", report.content.authenticated},
                    {"type", c.type},
                    {"type_because", c.type_because},
                    {"categories", categories},
                    {"constituency", c.constituency},
                    {"constituency_from", c.constituency_source},
                    {"reporter_constituent", c.reporter_constituent},
                    {"tlp", c.tlp},
                    {"priority", c.priority},
                    {"fields", report.content.fields.size()},
                    {"field_errors", errors},
                    {"indicators", indicator_counts},
                    {"indicator_origins", origin_counts}});
}

}  // namespace

ClassifyStage::ClassifyStage(const Policy& policy, const FormSchema& form, const Config& config)
    : policy_(policy), form_(form), mime_limits_(mime_limits_from(config)) {}

FilterOutcome ClassifyStage::process(Report& report) {
  std::string text;
  ReportContent content = read_content(report, mime_limits_, form_, text);
  // Only decrypted content, or content signed as a whole by a verified sender,
  // is authenticated (the OpenPGP stage decided which).
  content.authenticated = report.crypto.encryption == EncryptionState::decrypted ||
                          (report.crypto.signature == "good" && report.crypto.sender_verified);

  Classification c;
  // The reporter's own words: on a form, its '#' help lines (which list every
  // incident type) must not decide type, priority or TLP.
  const std::string own_words = report_prose(subject_of(report.message()),
                                             report.content.format == "team-form" || content.format == "team-form"
                                                 ? without_comment_lines(text)
                                                 : text);
  const std::string lower_text = ascii_lower(own_words);
  decide_type(c, content, lower_text, policy_);
  const ReporterStanding reporter = reporter_standing(report.message(), report.crypto, policy_);
  c.constituency_source = to_string(decide_constituency(c, content, form_, reporter, policy_));
  c.reporter_constituent = reporter.constituent;
  c.reporter_because = reporter.because;
  add_disclosure(c, content, form_, policy_);
  decide_tlp(c, content, own_words, policy_);
  decide_priority(c, lower_text, policy_);

  report.content = std::move(content);
  report.classification = c;
  report.audit_notes.push_back({"classified", classified_detail(report)});
  return {};
}
}  // namespace csirtgw
