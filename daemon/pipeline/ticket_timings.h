// How fast the team answers and resolves: time to first response and to
// resolution per ticket, summed up as median and 90th percentile by type and
// by month of opening (the `stats` command). Rejected (not an incident) and
// merged (a duplicate) tickets count in neither the counts nor the timings.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ticket_store.h"

namespace csirtgw {

// Seconds since the epoch of "YYYY-MM-DDTHH:MM:SS[.fraction]Z"; nullopt otherwise.
std::optional<std::int64_t> utc_seconds(std::string_view timestamp);

// Whether a ticket is an incident the statistics count.
bool counts_in_statistics(const TicketSummary& ticket);

struct DurationSummary {
  std::size_t count = 0;
  std::int64_t median_seconds = 0;  // nearest-rank; 0 when count is 0
  std::int64_t p90_seconds = 0;
};
// Nearest-rank median and 90th percentile of `seconds` (any order).
DurationSummary summarise_durations(std::vector<std::int64_t> seconds);

struct TicketTimings {
  DurationSummary first_response, resolution;
};
struct TimingReport {
  TicketTimings all;
  std::map<std::string, TicketTimings> by_type, by_month;  // month: "YYYY-MM" of opening
};
// Over the tickets given (the caller selects dates); only those that count
// in statistics, each timing only where its timestamp is set.
TimingReport ticket_timings(const std::vector<TicketSummary>& tickets);

// "3d4h", "5h12m", "42m", "17s": a duration for people.
std::string short_duration(std::int64_t seconds);

}  // namespace csirtgw
