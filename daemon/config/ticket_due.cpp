// tickets.due_hours parsed (ticket_due.h).
#include "ticket_due.h"

#include <charconv>

namespace csirtgw {
namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<std::int64_t> number_in(std::string_view s, std::int64_t min, std::int64_t max) {
  s = trimmed(s);
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || value < min || value > max) return std::nullopt;
  return value;
}

}  // namespace

std::int64_t DueTable::hours_for(std::int64_t priority) const {
  for (const auto& [up_to, hours] : up_to_priority_hours)
    if (priority <= up_to) return hours;
  return up_to_priority_hours.empty() ? 0 : up_to_priority_hours.back().second;
}

Result<DueTable> parse_due_hours(std::string_view text) {
  DueTable table;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::string_view entry = text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    const std::size_t colon = entry.find(':');
    auto priority = colon == entry.npos ? std::nullopt : number_in(entry.substr(0, colon), 1, 1000);
    auto hours = colon == entry.npos ? std::nullopt : number_in(entry.substr(colon + 1), 0, 87600);
    if (!priority || !hours)
      return Error::bad_input("\"" + std::string(trimmed(entry)) + "\" is not PRIORITY:HOURS (1..1000:0..87600)");
    if (!table.up_to_priority_hours.empty() && *priority <= table.up_to_priority_hours.back().first)
      return Error::bad_input("priorities must ascend (" + std::to_string(*priority) + " after " +
                              std::to_string(table.up_to_priority_hours.back().first) + ")");
    table.up_to_priority_hours.emplace_back(*priority, *hours);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return table;
}

std::optional<std::string> due_hours_problem(std::string_view text) {
  auto parsed = parse_due_hours(text);
  if (parsed) return std::nullopt;
  return parsed.error().message;
}

}  // namespace csirtgw
