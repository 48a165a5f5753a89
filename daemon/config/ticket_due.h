// tickets.due_hours: how long the team gives itself to answer a ticket, by
// priority. The text "2:4, 5:8, 9:24, 13:72" says: priorities 1 and 2 are due
// within 4 hours, up to 5 within 8, up to 9 within 24, up to 13 within 72;
// a priority past the last entry gets the last entry's hours.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "result.h"

namespace csirtgw {

struct DueTable {
  std::vector<std::pair<std::int64_t, std::int64_t>> up_to_priority_hours;  // ascending priority
  std::int64_t hours_for(std::int64_t priority) const;
};

// bad_input naming the entry when the text is not "PRIORITY:HOURS" entries
// with ascending priorities (1..1000) and hours (0..87600; 0: due at once).
Result<DueTable> parse_due_hours(std::string_view text);
// For the configuration check: the problem, or nullopt.
std::optional<std::string> due_hours_problem(std::string_view text);

}  // namespace csirtgw
