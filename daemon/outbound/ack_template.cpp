// Acknowledgement templates: loading, checking, rendering (ack_template.h).
#include "ack_template.h"

#include <algorithm>
#include <array>
#include <sstream>

#include "durable_file.h"
#include "embedded_schemas.h"

namespace csirtgw {
namespace {

constexpr std::array<std::string_view, 5> kPlaceholders = {"ticket", "team", "team_address", "response_time", "hours"};

// Valid UTF-8 without control characters other than TAB and LF.
bool is_utf8_text(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) return false;
      ++i;
      continue;
    }
    std::size_t extra = 0;
    if (c >= 0xc2 && c <= 0xdf) extra = 1;
    else if (c >= 0xe0 && c <= 0xef) extra = 2;
    else if (c >= 0xf0 && c <= 0xf4) extra = 3;
    else return false;
    if (i + extra >= text.size()) return false;
    for (std::size_t k = 1; k <= extra; ++k)
      if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return false;
    i += extra + 1;
  }
  return true;
}

Status check_placeholders(std::string_view text) {
  for (std::size_t open = text.find('{'); open != std::string_view::npos; open = text.find('{', open + 1)) {
    const auto close = text.find('}', open);
    if (close == std::string_view::npos) return Error::bad_input("unclosed '{' in the template");
    const auto name = text.substr(open + 1, close - open - 1);
    if (std::find(kPlaceholders.begin(), kPlaceholders.end(), name) == kPlaceholders.end())
      return Error::bad_input("unknown placeholder {" + std::string(name) +
                              "} (known: {ticket} {team} {team_address} {response_time} {hours})");
  }
  return ok_status();
}

std::string substitute(std::string_view text, const AckValues& values) {
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    const auto open = text.find('{', at);
    const auto close = open == std::string_view::npos ? open : text.find('}', open);
    if (close == std::string_view::npos) break;
    out.append(text.substr(at, open - at));
    const auto name = text.substr(open + 1, close - open - 1);
    if (name == "ticket") out += values.ticket;
    else if (name == "team") out += values.team;
    else if (name == "team_address") out += values.team_address;
    else if (name == "response_time") out += values.response_time;
    else if (name == "hours") out += values.hours;
    at = close + 1;
  }
  out.append(text.substr(std::min(at, text.size())));
  return out;
}

}  // namespace

Result<AckTemplate> parse_ack_template(std::string_view text) {
  if (!is_utf8_text(text)) return Error::bad_input("the template is not UTF-8 text (or has control characters)");
  std::istringstream lines{std::string(text)};
  std::string line;
  AckTemplate parsed;
  bool have_subject = false;
  while (std::getline(lines, line)) {
    if (!have_subject) {
      if (line.empty() || line.front() == '#') continue;
      if (line.rfind("Subject:", 0) != 0) return Error::bad_input("the first line must be \"Subject: ...\"");
      parsed.subject = line.substr(8);
      while (!parsed.subject.empty() && (parsed.subject.front() == ' ' || parsed.subject.front() == '\t'))
        parsed.subject.erase(0, 1);
      if (parsed.subject.empty()) return Error::bad_input("the subject is empty");
      have_subject = true;
      if (!std::getline(lines, line) || !line.empty())
        return Error::bad_input("a blank line must follow the subject");
      continue;
    }
    parsed.body += line + "\n";
  }
  if (!have_subject) return Error::bad_input("no \"Subject: ...\" line");
  if (parsed.body.find_first_not_of(" \t\n") == std::string::npos) return Error::bad_input("the body is empty");
  if (auto st = check_placeholders(parsed.subject); !st) return st.error();
  if (auto st = check_placeholders(parsed.body); !st) return st.error();
  return parsed;
}

Result<AckTemplate> load_ack_template(const std::string& file) {
  if (file.empty()) return parse_ack_template(default_ack_template_text());
  auto text = read_whole_file(file);
  if (!text) return Error::bad_input("cannot read " + file);
  auto parsed = parse_ack_template(text.value());
  if (!parsed) return Error::bad_input(file + ": " + parsed.error().message);
  return parsed;
}

RenderedAck render_ack(const AckTemplate& ack_template, const AckValues& values) {
  return {"[" + values.ticket + "] " + substitute(ack_template.subject, values), substitute(ack_template.body, values)};
}

const AckTemplate& AckTemplates::for_intake(const std::string& name) const {
  auto it = intake.find(name);
  return it == intake.end() ? fallback : it->second;
}

Result<AckTemplates> load_ack_templates(const Config& config) {
  AckTemplates templates;
  auto fallback = load_ack_template(config.ack_template);
  if (!fallback) return fallback.error();
  templates.fallback = std::move(fallback.value());
  for (const auto& intake : config.intakes) {
    if (intake.ack_template.empty()) continue;
    auto own = load_ack_template(intake.ack_template);
    if (!own) return Error::bad_input("intake " + intake.name + ": " + own.error().message);
    templates.intake.emplace(intake.name, std::move(own.value()));
  }
  return templates;
}

}  // namespace csirtgw
