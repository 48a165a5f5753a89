// Shared by the triage commands (triage_session.h).
#include "triage_session.h"

#include "operator_identity.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "config_resolution.h"
#include "policy.h"
#include "store.h"
#include "ticket_timings.h"
#include "untrusted_text.h"
#include "utc_text.h"

namespace csirtgw {

int complain(const std::string& message) {
  std::fprintf(stderr, "csirtgw: %s\n", sanitize_untrusted(message).c_str());
  return 1;
}

std::string shown(const std::string& value, std::size_t max) { return sanitize_untrusted(value, max); }

std::optional<std::string> operator_name(const std::optional<std::string>& acting_for) {
  auto who = operator_identity(acting_for);
  if (!who) {
    complain(who.error().message);
    return std::nullopt;
  }
  return who.value();
}

std::optional<Opened> open_for(const TriageOptions& options) {
  auto config = resolve_config(options.config_file);
  if (!config) return std::nullopt;
  const auto dir = std::filesystem::absolute(options.state_dir ? *options.state_dir : config->state_dir);
  auto db = open_store(dir);
  if (!db) {
    complain(db.error().message);
    return std::nullopt;
  }
  auto due = parse_due_hours(config->ticket_due_hours);
  if (!due) {
    complain("tickets.due_hours: " + due.error().message);
    return std::nullopt;
  }
  auto policy = load_policy(*config);
  std::set<std::string> queues;
  for (const auto& route : policy.policy.routes) queues.insert(route.queue);
  return Opened{*config, dir, std::move(db.value()), policy.policy.ticket_prefix, std::move(due.value()),
                std::move(queues)};
}

std::optional<std::int64_t> parse_ticket_id(const std::string& text) {
  auto hash = text.rfind('#');
  std::string digits = hash == std::string::npos ? text : text.substr(hash + 1);
  if (digits.empty() || digits.size() > 12 || digits.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoll(digits);
}

std::string due_at(const TicketSummary& t, const DueTable& due) {
  auto opened = utc_seconds(t.created_at);
  if (!opened) return "";
  return utc_text(*opened + due.hours_for(t.priority) * 3600, "%Y-%m-%dT%H:%M:%SZ");
}

bool is_overdue(const TicketSummary& t, const DueTable& due, std::int64_t now) {
  if (t.state != "open" && t.state != "taken") return false;
  if (!t.first_response_at.empty()) return false;
  auto opened = utc_seconds(t.created_at);
  return opened && now > *opened + due.hours_for(t.priority) * 3600;
}

nlohmann::json summary_json(const TicketSummary& t, const Opened& opened, std::int64_t now) {
  const auto created = utc_seconds(t.created_at);
  nlohmann::json out = {
      {"ticket", format_ticket(opened.prefix, t.number)}, {"number", t.number},     {"queue", t.queue},
      {"state", t.state},                          {"owner", t.owner},       {"type", t.type},
      {"priority", t.priority},                    {"tlp", t.tlp},           {"constituency", t.constituency},
      {"categories", t.categories},                {"encryption", t.encryption}, {"signature", t.signature},
      {"verified_address", t.verified_address},    {"verified_org", t.verified_org},
      {"messages", t.messages},                    {"created_at", t.created_at}, {"updated_at", t.updated_at},
      {"attention", t.attention},                  {"subject", t.subject},   {"reporter", t.reporter},
      {"age_seconds", created ? now - *created : 0}, {"due_at", due_at(t, opened.due)},
      {"overdue", is_overdue(t, opened.due, now)}, {"first_response_at", t.first_response_at},
      {"resolved_at", t.resolved_at}};
  if (t.state == "rejected") out["reject_reason"] = t.reject_reason;
  if (t.merged_into != 0) out["merged_into"] = format_ticket(opened.prefix, t.merged_into);
  return out;
}

}  // namespace csirtgw
