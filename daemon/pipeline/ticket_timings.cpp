// Time to first response and to resolution (ticket_timings.h), and the one
// store write behind the first of them (note_first_response, ticket_store.h).
#include "ticket_timings.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace csirtgw {

Status note_first_response(Database& db, std::int64_t ticket, const std::string& at) {
  auto stmt = db.prepare("UPDATE tickets SET first_response_at = ? WHERE number = ? AND first_response_at = ''");
  if (!stmt) return stmt.error();
  stmt->bind(1, at).bind(2, ticket);
  return stmt->run();
}

std::optional<std::int64_t> utc_seconds(std::string_view timestamp) {
  if (timestamp.size() < 20 || timestamp.back() != 'Z') return std::nullopt;
  std::tm tm{};
  int consumed = 0;
  const std::string head(timestamp.substr(0, 19));
  if (std::sscanf(head.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &consumed) != 6 ||
      consumed != 19)
    return std::nullopt;
  if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60)
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&tm));
}

bool counts_in_statistics(const TicketSummary& ticket) {
  return ticket.state != "rejected" && ticket.state != "merged";
}

DurationSummary summarise_durations(std::vector<std::int64_t> seconds) {
  DurationSummary out;
  out.count = seconds.size();
  if (seconds.empty()) return out;
  std::sort(seconds.begin(), seconds.end());
  // Nearest rank: the smallest value with at least p% of the values at or below it.
  auto rank = [&](std::size_t percent) { return seconds[(percent * seconds.size() + 99) / 100 - 1]; };
  out.median_seconds = rank(50);
  out.p90_seconds = rank(90);
  return out;
}

namespace {

struct Collected {
  std::vector<std::int64_t> first_response, resolution;
};

// Negative spans (a clock stepped back) are not timings.
void collect(const TicketSummary& t, std::int64_t opened, Collected& into) {
  if (auto answered = utc_seconds(t.first_response_at); answered && *answered >= opened)
    into.first_response.push_back(*answered - opened);
  if (t.state != "resolved") return;  // a reopened ticket's old resolution no longer counts
  if (auto resolved = utc_seconds(t.resolved_at); resolved && *resolved >= opened)
    into.resolution.push_back(*resolved - opened);
}

TicketTimings summed(Collected c) {
  return {summarise_durations(std::move(c.first_response)), summarise_durations(std::move(c.resolution))};
}

}  // namespace

TimingReport ticket_timings(const std::vector<TicketSummary>& tickets) {
  Collected all;
  std::map<std::string, Collected> by_type, by_month;
  for (const auto& t : tickets) {
    if (!counts_in_statistics(t)) continue;
    auto opened = utc_seconds(t.created_at);
    if (!opened) continue;
    collect(t, *opened, all);
    collect(t, *opened, by_type[t.type]);
    collect(t, *opened, by_month[t.created_at.substr(0, 7)]);
  }
  TimingReport report;
  report.all = summed(std::move(all));
  for (auto& [type, c] : by_type) report.by_type[type] = summed(std::move(c));
  for (auto& [month, c] : by_month) report.by_month[month] = summed(std::move(c));
  return report;
}

std::string short_duration(std::int64_t seconds) {
  if (seconds < 0) seconds = 0;
  const std::int64_t d = seconds / 86400, h = seconds % 86400 / 3600, m = seconds % 3600 / 60;
  if (d > 0) return std::to_string(d) + "d" + (h ? std::to_string(h) + "h" : "");
  if (h > 0) return std::to_string(h) + "h" + (m ? std::to_string(m) + "m" : "");
  if (m > 0) return std::to_string(m) + "m";
  return std::to_string(seconds) + "s";
}

}  // namespace csirtgw
