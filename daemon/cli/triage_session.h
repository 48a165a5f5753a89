// What every triage command shares: the opened store with its configuration
// and policy, the one way values reach the terminal (sanitised), the
// operator's name, ticket ids as people type them, and a ticket as JSON.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "config.h"
#include "sqlite_db.h"
#include "ticket_due.h"
#include "ticket_store.h"

namespace csirtgw {

struct Opened {
  Config config;
  std::filesystem::path state_dir;
  Database db;
  std::string prefix;
  DueTable due;  // tickets.due_hours
  std::set<std::string> queues;  // the policy's routing targets
};
// nullopt after printing why (the caller exits 2).
std::optional<Opened> open_for(const TriageOptions& options);

// Prints "csirtgw: <message>" (sanitised) on stderr; returns exit code 1.
int complain(const std::string& message);
// Every value printed for a person passes here: a Message-ID carrying
// "ESC ] 0 ; ... BEL" must not retitle or clear the analyst's terminal.
std::string shown(const std::string& value, std::size_t max = 4096);
// The OS user (operator_identity.h); nullopt after printing why --as was
// refused (the caller exits 2, a usage error).
std::optional<std::string> operator_name(const std::optional<std::string>& acting_for);
// "42", "#42" or "XYZ-CERT #42".
std::optional<std::int64_t> parse_ticket_id(const std::string& text);

// When the ticket is due ("" when its creation time is unreadable) and
// whether it is overdue at `now`: not yet answered, not closed, past due.
std::string due_at(const TicketSummary& t, const DueTable& due);
bool is_overdue(const TicketSummary& t, const DueTable& due, std::int64_t now);
nlohmann::json summary_json(const TicketSummary& t, const Opened& opened, std::int64_t now);

}  // namespace csirtgw
