// The ticket desk's commands (issue 18): `tickets` with its columns and
// filters, `ticket merge|link|unlink|reject`, and the timing part of `stats`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "ticket_timings.h"

namespace csirtgw {

struct TicketFilter {
  std::optional<std::string> queue, state, tlp;
  std::optional<std::string> owner;  // "none": nobody's
  std::optional<std::string> reporter;  // the address, any case
  std::optional<std::string> subject;   // a part of the subject, any case
  std::optional<std::pair<std::int64_t, std::int64_t>> priority;  // inclusive
  std::optional<std::int64_t> older_than;  // seconds
  bool overdue = false;
  bool all = false;  // also rejected and merged tickets (hidden unless --state names them)
};
int run_tickets(const TriageOptions& options, const TicketFilter& filter, bool json);
int run_ticket_merge(const TriageOptions& options, const std::string& into, const std::string& from);
// `unlink`: remove the link instead.
int run_ticket_link(const TriageOptions& options, const std::string& a, const std::string& b, bool unlink);
int run_ticket_reject(const TriageOptions& options, const std::string& id, const std::string& reason);

// "90s", "45m", "2h", "3d", "1w" (a whole number and one unit), in seconds.
std::optional<std::int64_t> parse_duration(std::string_view text);
// "3" or "1-4" (1..1000, low first).
std::optional<std::pair<std::int64_t, std::int64_t>> parse_priority_range(std::string_view text);

nlohmann::json timings_json(const TimingReport& report);
void print_timings(const TimingReport& report);

}  // namespace csirtgw
