// The ticket desk's commands (ticket_desk_commands.h). Every value that came
// from a message (subject, reporter, queue names chosen from its content ...)
// reaches the terminal through shown(); the JSON through json_text().
#include "ticket_desk_commands.h"

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "json_text.h"
#include "ticket_desk.h"
#include "ticket_store.h"
#include "triage_session.h"

namespace csirtgw {
namespace {

bool contains_any_case(const std::string& text, const std::string& part) {
  auto lower = [](unsigned char c) { return std::tolower(c); };
  return std::search(text.begin(), text.end(), part.begin(), part.end(),
                     [&](char a, char b) { return lower(a) == lower(b); }) != text.end();
}

bool selected(const TicketSummary& t, const TicketFilter& f, const DueTable& due, std::int64_t now) {
  if (f.state ? t.state != *f.state : (!f.all && (t.state == "rejected" || t.state == "merged"))) return false;
  if (f.queue && t.queue != *f.queue) return false;
  if (f.tlp && t.tlp != *f.tlp) return false;
  if (f.owner && t.owner != (*f.owner == "none" ? std::string() : *f.owner)) return false;
  if (f.reporter && strcasecmp(t.reporter.c_str(), f.reporter->c_str()) != 0) return false;
  if (f.subject && !contains_any_case(t.subject, *f.subject)) return false;
  if (f.priority && (t.priority < f.priority->first || t.priority > f.priority->second)) return false;
  if (f.older_than) {
    auto opened = utc_seconds(t.created_at);
    if (!opened || now - *opened < *f.older_than) return false;
  }
  return !f.overdue || is_overdue(t, due, now);
}

void print_ticket_table(const std::vector<TicketSummary>& tickets, const Opened& opened, std::int64_t now) {
  const auto width = static_cast<std::size_t>(opened.config.ticket_subject_column);
  std::printf("%-18s %-7s %-3s %-12s %-8s %-12s %-17s %-28s %s\n", "TICKET", "AGE", "PRI", "TLP", "STATE", "OWNER",
              "QUEUE", "REPORTER", "SUBJECT");
  for (const auto& t : tickets) {
    auto created = utc_seconds(t.created_at);
    // An overdue ticket's age ends in "!": unanswered past tickets.due_hours.
    const std::string age = (created ? short_duration(now - *created) : "?") + (is_overdue(t, opened.due, now) ? "!" : "");
    std::printf("%-18s %-7s %-3lld %-12s %-8s %-12s %-17s %-28s %s\n",
                shown(format_ticket(opened.prefix, t.number)).c_str(), age.c_str(),
                static_cast<long long>(t.priority), shown(t.tlp, 12).c_str(), shown(t.state).c_str(),
                shown(t.owner.empty() ? "-" : t.owner, 24).c_str(), shown(t.queue, 32).c_str(),
                shown(t.reporter.empty() ? "-" : t.reporter, 40).c_str(), shown(t.subject, width).c_str());
  }
}

// Resolves two ticket ids of a command, complaining about the first bad one.
std::optional<std::pair<std::int64_t, std::int64_t>> two_ids(const std::string& a, const std::string& b) {
  auto first = parse_ticket_id(a);
  auto second = parse_ticket_id(b);
  if (!first || !second) {
    complain("not a ticket id: " + (first ? b : a));
    return std::nullopt;
  }
  return std::make_pair(*first, *second);
}

nlohmann::json duration_json(const DurationSummary& d) {
  return {{"count", d.count}, {"median_seconds", d.median_seconds}, {"p90_seconds", d.p90_seconds}};
}

nlohmann::json timings_object(const TicketTimings& t) {
  return {{"first_response", duration_json(t.first_response)}, {"resolution", duration_json(t.resolution)}};
}

std::string duration_cell(const DurationSummary& d) {
  if (d.count == 0) return "-";
  return short_duration(d.median_seconds) + " / " + short_duration(d.p90_seconds) + " (" + std::to_string(d.count) + ")";
}

void print_timing_rows(const char* heading, const std::map<std::string, TicketTimings>& rows) {
  std::printf("\n%-45s %-24s %s\n", heading, "FIRST RESPONSE med/p90", "RESOLUTION med/p90");
  for (const auto& [key, t] : rows)
    std::printf("%-45s %-24s %s\n", shown(key, 45).c_str(), duration_cell(t.first_response).c_str(),
                duration_cell(t.resolution).c_str());
}

}  // namespace

int run_tickets(const TriageOptions& options, const TicketFilter& filter, bool json) {
  auto opened = open_for(options);
  if (!opened) return 2;
  auto tickets = list_tickets(opened->db, std::nullopt, std::nullopt);
  if (!tickets) return complain(tickets.error().message);
  const std::int64_t now = std::time(nullptr);
  std::vector<TicketSummary> chosen;
  for (auto& t : tickets.value())
    if (selected(t, filter, opened->due, now)) chosen.push_back(std::move(t));
  if (json) {
    auto list = nlohmann::json::array();
    for (const auto& t : chosen) list.push_back(summary_json(t, *opened, now));
    std::printf("%s\n", json_text(list, 2).c_str());
    return 0;
  }
  print_ticket_table(chosen, *opened, now);
  return 0;
}

int run_ticket_merge(const TriageOptions& options, const std::string& into, const std::string& from) {
  auto opened = open_for(options);
  if (!opened) return 2;
  auto ids = two_ids(into, from);
  if (!ids) return 1;
  const auto who = operator_name(options.operator_name);
  if (!who) return 2;
  if (auto st = merge_tickets(opened->db, ids->first, ids->second, *who); !st) return complain(st.error().message);
  std::printf("%s: merged into %s by %s\n", shown(format_ticket(opened->prefix, ids->second)).c_str(),
              shown(format_ticket(opened->prefix, ids->first)).c_str(), shown(*who).c_str());
  return 0;
}

int run_ticket_link(const TriageOptions& options, const std::string& a, const std::string& b, bool unlink) {
  auto opened = open_for(options);
  if (!opened) return 2;
  auto ids = two_ids(a, b);
  if (!ids) return 1;
  const auto who = operator_name(options.operator_name);
  if (!who) return 2;
  Status st = unlink ? unlink_tickets(opened->db, ids->first, ids->second, *who)
                     : link_tickets(opened->db, ids->first, ids->second, *who);
  if (!st) return complain(st.error().message);
  std::printf("%s: %s %s by %s\n", shown(format_ticket(opened->prefix, ids->first)).c_str(),
              unlink ? "unlinked from" : "linked with", shown(format_ticket(opened->prefix, ids->second)).c_str(),
              shown(*who).c_str());
  return 0;
}

int run_ticket_reject(const TriageOptions& options, const std::string& id, const std::string& reason) {
  auto opened = open_for(options);
  if (!opened) return 2;
  auto number = parse_ticket_id(id);
  if (!number) return complain("not a ticket id: " + id);
  const auto who = operator_name(options.operator_name);
  if (!who) return 2;
  if (auto st = reject_ticket(opened->db, *number, reason, *who); !st) return complain(st.error().message);
  std::printf("%s: rejected (not an incident) by %s\n", shown(format_ticket(opened->prefix, *number)).c_str(),
              shown(*who).c_str());
  return 0;
}

std::optional<std::int64_t> parse_duration(std::string_view text) {
  if (text.size() < 2 || text.size() > 10) return std::nullopt;
  const std::string_view digits = text.substr(0, text.size() - 1);
  if (digits.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  std::int64_t unit = 0;
  switch (text.back()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    case 'w': unit = 604800; break;
    default: return std::nullopt;
  }
  return std::stoll(std::string(digits)) * unit;
}

std::optional<std::pair<std::int64_t, std::int64_t>> parse_priority_range(std::string_view text) {
  auto number = [](std::string_view s) -> std::optional<std::int64_t> {
    if (s.empty() || s.size() > 4 || s.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
    const std::int64_t n = std::stoll(std::string(s));
    return n >= 1 && n <= 1000 ? std::optional<std::int64_t>(n) : std::nullopt;
  };
  const auto dash = text.find('-');
  auto low = number(text.substr(0, dash));
  auto high = dash == std::string_view::npos ? low : number(text.substr(dash + 1));
  if (!low || !high || *low > *high) return std::nullopt;
  return std::make_pair(*low, *high);
}

nlohmann::json timings_json(const TimingReport& report) {
  nlohmann::json out = {{"all", timings_object(report.all)}, {"by_type", nlohmann::json::object()},
                        {"by_month", nlohmann::json::object()}};
  for (const auto& [type, t] : report.by_type) out["by_type"][type] = timings_object(t);
  for (const auto& [month, t] : report.by_month) out["by_month"][month] = timings_object(t);
  return out;
}

void print_timings(const TimingReport& report) {
  print_timing_rows("TIMINGS BY TYPE", report.by_type);
  print_timing_rows("TIMINGS BY MONTH", report.by_month);
  std::printf("%-45s %-24s %s\n", "all", duration_cell(report.all.first_response).c_str(),
              duration_cell(report.all.resolution).c_str());
}

}  // namespace csirtgw
