// Reading a ticket for correspondence (ticket_facts.h).
#include "ticket_facts.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "ack_message.h"  // clean_message_id

namespace csirtgw {
namespace {

void add_participant(std::vector<std::string>& list, const std::string& address) {
  const std::string lower = lower_ascii(address);
  if (!lower.empty() && std::find(list.begin(), list.end(), lower) == list.end()) list.push_back(lower);
}

Result<std::optional<TicketFacts>> read_facts(Database& db, std::int64_t number) {
  auto stmt = db.prepare(
      "SELECT queue, state, tlp, categories, encryption, verified_address FROM tickets WHERE number = ?");
  if (!stmt) return stmt.error();
  stmt->bind(1, number);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!row.value()) return std::optional<TicketFacts>{};
  TicketFacts facts;
  facts.number = number;
  facts.queue = stmt->text(0);
  facts.state = stmt->text(1);
  facts.tlp = stmt->text(2);
  facts.categories = stmt->text(3);
  facts.encryption = stmt->text(4);
  facts.reporter = lower_ascii(stmt->text(5));
  add_participant(facts.participants, facts.reporter);
  return std::optional<TicketFacts>{std::move(facts)};
}

// Participants (ticket_messages.participant): their From and verified
// addresses; the opening report's From (else its envelope sender) is the
// reporter when no signature verified one; and the intake it came to.
Status read_messages(Database& db, TicketThread& thread) {
  auto stmt = db.prepare(
      "SELECT m.role, m.sender, m.verified_address, m.participant, m.message_id, coalesce(r.sender, ''),"
      " coalesce(r.recipients, '') FROM ticket_messages m LEFT JOIN messages r ON r.spool_id = m.spool_id"
      " WHERE m.ticket = ? ORDER BY m.added_at, m.rowid");
  if (!stmt) return stmt.error();
  stmt->bind(1, thread.facts.number);
  while (true) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!row.value()) return ok_status();
    const bool report = stmt->text(0) == "report";
    if (stmt->integer(3) != 0) {
      add_participant(thread.facts.participants, stmt->text(1));
      add_participant(thread.facts.participants, stmt->text(2));
    }
    if (auto id = clean_message_id(stmt->text(4))) thread.message_ids.push_back(*id);
    if (!report) continue;
    if (thread.facts.reporter.empty()) {
      thread.facts.reporter = lower_ascii(stmt->text(1).empty() ? stmt->text(5) : stmt->text(1));
      add_participant(thread.facts.participants, thread.facts.reporter);
    }
    const auto recipients = nlohmann::json::parse(stmt->text(6), nullptr, false);
    if (recipients.is_array() && !recipients.empty() && recipients[0].contains("address") &&
        recipients[0]["address"].is_string())
      thread.intake_address = lower_ascii(recipients[0]["address"].get<std::string>());
  }
}

}  // namespace

std::string lower_ascii(std::string text) {
  for (char& c : text)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return text;
}

Result<std::optional<TicketThread>> read_ticket_thread(Database& db, std::int64_t number) {
  auto facts = read_facts(db, number);
  if (!facts) return facts.error();
  if (!facts.value()) return std::optional<TicketThread>{};
  TicketThread thread;
  thread.facts = std::move(*facts.value());
  if (auto st = read_messages(db, thread); !st) return st.error();
  return std::optional<TicketThread>{std::move(thread)};
}

Result<std::vector<std::string>> outgoing_message_ids(Database& db, std::int64_t number, const std::string& recipient) {
  auto stmt = db.prepare(
      "SELECT message_id FROM ticket_correspondence WHERE ticket = ? AND recipient = ? ORDER BY at, id");
  if (!stmt) return stmt.error();
  stmt->bind(1, number).bind(2, recipient);
  std::vector<std::string> ids;
  while (true) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!row.value()) return ids;
    ids.push_back(stmt->text(0));
  }
}

}  // namespace csirtgw
