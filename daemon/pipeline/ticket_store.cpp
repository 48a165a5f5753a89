// Ticket rows in SQLite: assigning a report, listing, staff actions (ticket_store.h).
#include "ticket_store.h"

#include <strings.h>

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "audit_log.h"
#include "json_text.h"
#include "message_header.h"

namespace csirtgw {
namespace {

const char* encryption_word(EncryptionState state) {
  switch (state) {
    case EncryptionState::decrypted: return "decrypted";
    case EncryptionState::failed: return "failed";
    default: return "none";
  }
}

// Message-IDs named in In-Reply-To and References ("<a@b> <c@d>").
std::vector<std::string> referenced_ids(std::string_view headers) {
  std::vector<std::string> ids;
  for (const char* name : {"In-Reply-To", "References"})
    for (const auto& value : header_values(headers, name)) {
      std::size_t pos = 0;
      while ((pos = value.find('<', pos)) != std::string::npos) {
        auto end = value.find('>', pos);
        if (end == std::string::npos) break;
        ids.push_back(value.substr(pos, end - pos + 1));
        pos = end + 1;
        if (ids.size() >= 100) return ids;  // a References chain longer than this is noise
      }
    }
  return ids;
}

Result<std::optional<std::int64_t>> ticket_of_message_id(Database& db, const std::string& message_id) {
  if (message_id.empty()) return std::optional<std::int64_t>{};
  auto stmt = db.prepare("SELECT ticket FROM ticket_messages WHERE message_id = ? ORDER BY added_at LIMIT 1");
  if (!stmt) return stmt.error();
  stmt->bind(1, message_id);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!row.value()) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{stmt->integer(0)};
}

Result<std::optional<std::string>> ticket_queue(Database& db, std::int64_t number) {
  auto stmt = db.prepare("SELECT queue FROM tickets WHERE number = ?");
  if (!stmt) return stmt.error();
  stmt->bind(1, number);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!row.value()) return std::optional<std::string>{};
  return std::optional<std::string>{stmt->text(0)};
}

}  // namespace

std::string format_ticket(const std::string& prefix, std::int64_t number) {
  return prefix + " #" + std::to_string(number);
}

std::vector<TicketTag> ticket_tags(std::string_view subject) {
  // Each '[' may open a tag "[PREFIX #N]"; tags nested in other brackets
  // ("[Fwd: Re: [XYZ-CERT #12] ...]") count too.
  auto is_prefix_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; };
  std::vector<TicketTag> tags;
  for (std::size_t open = subject.find('['); open != std::string_view::npos; open = subject.find('[', open + 1)) {
    std::size_t i = open + 1;
    while (i < subject.size() && is_prefix_char(subject[i]) && i - open <= 40) ++i;
    const std::string_view prefix = subject.substr(open + 1, i - open - 1);
    if (prefix.empty() || subject.substr(i, 2) != " #") continue;
    i += 2;
    const std::size_t digits_start = i;
    while (i < subject.size() && subject[i] >= '0' && subject[i] <= '9' && i - digits_start < 12) ++i;
    if (i == digits_start || i >= subject.size() || subject[i] != ']') continue;
    tags.push_back({std::string(prefix), std::stoll(std::string(subject.substr(digits_start, i - digits_start)))});
  }
  return tags;
}

Result<TicketAssignment> assign_ticket(Database& db, const Report& report, const std::string& prefix) {
  // Already assigned (the batch is being filed again after a crash or a retry).
  {
    auto stmt = db.prepare("SELECT ticket, role FROM ticket_messages WHERE spool_id = ?");
    if (!stmt) return stmt.error();
    stmt->bind(1, report.spool_id);
    auto row = stmt->step();
    if (!row) return row.error();
    if (row.value()) {
      const std::int64_t number = stmt->integer(0);
      // The report that opened the ticket still counts as opening it: a crash
      // between assigning and filing must not turn it into a follow-up (whose
      // acknowledgement would then be skipped).
      const bool opened = stmt->text(1) == "report";
      auto queue = ticket_queue(db, number);
      if (!queue) return queue.error();
      return TicketAssignment{number, opened, queue->value_or(report.queue)};
    }
  }
  const std::string_view headers = header_section(report.message());
  // Mail clients encode subjects with non-ASCII text (RFC 2047): the tag may be inside.
  const std::string subject = decode_encoded_words(header_value(headers, "Subject").value_or(""));
  const std::string message_id = header_value(headers, "Message-ID").value_or("");

  std::optional<std::int64_t> joined;
  std::string joined_by;
  std::vector<std::string> external;
  for (const auto& tag : ticket_tags(subject)) {
    if (strcasecmp(tag.prefix.c_str(), prefix.c_str()) == 0) {
      if (joined) continue;
      auto queue = ticket_queue(db, tag.number);
      if (!queue) return queue.error();
      if (queue.value()) {
        joined = tag.number;
        joined_by = "subject tag";
      }
    } else {
      external.push_back(format_ticket(tag.prefix, tag.number));
    }
  }
  if (!joined)
    for (const auto& id : referenced_ids(headers)) {
      auto found = ticket_of_message_id(db, id);
      if (!found) return found.error();
      if (found.value()) {
        joined = found.value();
        joined_by = "In-Reply-To/References";
        break;
      }
    }
  if (!joined) {
    // The same message delivered again (another envelope): never a second ticket.
    auto found = ticket_of_message_id(db, message_id);
    if (!found) return found.error();
    if (found.value()) {
      joined = found.value();
      joined_by = "same Message-ID";
    }
  }

  const std::string now = utc_timestamp_now();
  TicketAssignment assignment;
  const Classification& c = report.classification;
  std::string categories;
  for (const auto& r : c.categories) categories += (categories.empty() ? "" : ",") + r.category;
  if (joined) {
    assignment.number = *joined;
    auto queue = ticket_queue(db, *joined);
    if (!queue) return queue.error();
    assignment.queue = queue->value_or(report.queue);
    auto touch = db.prepare("UPDATE tickets SET updated_at = ? WHERE number = ?");
    if (!touch) return touch.error();
    touch->bind(1, now).bind(2, *joined);
    if (auto st = touch->run(); !st) return st.error();
  } else {
    auto insert = db.prepare(
        "INSERT INTO tickets (created_at, updated_at, queue, state, type, priority, tlp, constituency, categories,"
        " encryption, signature, verified_address, verified_org) VALUES (?,?,?,'open',?,?,?,?,?,?,?,?,?)");
    if (!insert) return insert.error();
    insert->bind(1, now).bind(2, now).bind(3, report.queue).bind(4, c.type).bind(5, std::int64_t{c.priority});
    insert->bind(6, c.tlp).bind(7, std::int64_t{c.constituency ? 1 : 0}).bind(8, categories);
    insert->bind(9, encryption_word(report.crypto.encryption)).bind(10, report.crypto.signature);
    insert->bind(11, report.crypto.verified_address).bind(12, report.crypto.verified_org);
    if (auto st = insert->run(); !st) return st.error();
    assignment.number = sqlite3_last_insert_id(db);
    assignment.created = true;
    assignment.queue = report.queue;
  }
  auto link = db.prepare(
      "INSERT INTO ticket_messages (spool_id, ticket, message_id, role, added_at, signature, verified_address,"
      " verified_org) VALUES (?,?,?,?,?,?,?,?)");
  if (!link) return link.error();
  link->bind(1, report.spool_id).bind(2, assignment.number).bind(3, message_id);
  link->bind(4, assignment.created ? "report" : "follow-up").bind(5, now).bind(6, report.crypto.signature);
  link->bind(7, report.crypto.verified_address).bind(8, report.crypto.verified_org);
  if (auto st = link->run(); !st) return st.error();
  for (const auto& ref : external) {
    auto add = db.prepare("INSERT OR IGNORE INTO ticket_external_refs (ticket, reference) VALUES (?,?)");
    if (!add) return add.error();
    add->bind(1, assignment.number).bind(2, ref);
    if (auto st = add->run(); !st) return st.error();
  }
  nlohmann::json detail = {{"ticket", format_ticket(prefix, assignment.number)}, {"queue", assignment.queue}};
  if (!assignment.created) detail["joined_by"] = joined_by;
  if (!external.empty()) detail["external_refs"] = external;
  if (auto st = append_audit_event(db, {assignment.created ? "ticket-created" : "ticket-joined", report.spool_id,
                                        "csirtgw", json_text(detail)});
      !st)
    return st.error();
  return assignment;
}

Result<std::vector<TicketSummary>> list_tickets(Database& db, const std::optional<std::string>& queue,
                                                const std::optional<std::string>& state) {
  auto stmt = db.prepare(
      "SELECT t.number, t.created_at, t.updated_at, t.queue, t.state, t.owner, t.type, t.tlp, t.categories,"
      " t.encryption, t.signature, t.priority, t.constituency,"
      " (SELECT COUNT(*) FROM ticket_messages m WHERE m.ticket = t.number), t.verified_address, t.verified_org"
      " FROM tickets t WHERE (?1 IS NULL OR t.queue = ?1) AND (?2 IS NULL OR t.state = ?2)"
      " ORDER BY t.priority, t.number");
  if (!stmt) return stmt.error();
  if (queue) stmt->bind(1, *queue); else stmt->bind_null(1);
  if (state) stmt->bind(2, *state); else stmt->bind_null(2);
  std::vector<TicketSummary> out;
  while (true) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!row.value()) break;
    TicketSummary t;
    t.number = stmt->integer(0);
    t.created_at = stmt->text(1);
    t.updated_at = stmt->text(2);
    t.queue = stmt->text(3);
    t.state = stmt->text(4);
    t.owner = stmt->text(5);
    t.type = stmt->text(6);
    t.tlp = stmt->text(7);
    t.categories = stmt->text(8);
    t.encryption = stmt->text(9);
    t.signature = stmt->text(10);
    t.priority = stmt->integer(11);
    t.constituency = stmt->integer(12) != 0;
    t.messages = stmt->integer(13);
    t.verified_address = stmt->text(14);
    t.verified_org = stmt->text(15);
    out.push_back(std::move(t));
  }
  return out;
}

Result<std::optional<TicketDetail>> ticket_detail(Database& db, std::int64_t number) {
  auto all = list_tickets(db, std::nullopt, std::nullopt);
  if (!all) return all.error();
  auto it = std::find_if(all->begin(), all->end(), [&](const TicketSummary& t) { return t.number == number; });
  if (it == all->end()) return std::optional<TicketDetail>{};
  TicketDetail detail;
  detail.summary = *it;
  auto messages = db.prepare(
      "SELECT spool_id, message_id, role, added_at, signature, verified_address, verified_org FROM ticket_messages"
      " WHERE ticket = ? ORDER BY added_at");
  if (!messages) return messages.error();
  messages->bind(1, number);
  while (true) {
    auto row = messages->step();
    if (!row) return row.error();
    if (!row.value()) break;
    detail.messages.push_back({messages->text(0), messages->text(1), messages->text(2), messages->text(3),
                               messages->text(4), messages->text(5), messages->text(6)});
  }
  auto refs = db.prepare("SELECT reference FROM ticket_external_refs WHERE ticket = ? ORDER BY reference");
  if (!refs) return refs.error();
  refs->bind(1, number);
  while (true) {
    auto row = refs->step();
    if (!row) return row.error();
    if (!row.value()) break;
    detail.external_refs.push_back(refs->text(0));
  }
  auto comments = db.prepare("SELECT at, author, text FROM ticket_comments WHERE ticket = ? ORDER BY id");
  if (!comments) return comments.error();
  comments->bind(1, number);
  while (true) {
    auto row = comments->step();
    if (!row) return row.error();
    if (!row.value()) break;
    detail.comments.push_back({comments->text(0), comments->text(1), comments->text(2)});
  }
  return std::optional<TicketDetail>{std::move(detail)};
}

Status change_ticket_state(Database& db, std::int64_t number, const std::string& action, const std::string& who) {
  std::string state, owner_sql;
  if (action == "take") state = "taken";
  else if (action == "resolve") state = "resolved";
  else if (action == "reopen") state = "open";
  else return Error::bad_input("unknown action " + action);
  auto tx = Transaction::begin(db);
  if (!tx) return tx.error();
  auto stmt = db.prepare(action == "take" ? "UPDATE tickets SET state = ?, owner = ?, updated_at = ? WHERE number = ?"
                                          : "UPDATE tickets SET state = ?, updated_at = ? WHERE number = ? AND ? IS NOT NULL");
  if (!stmt) return stmt.error();
  const std::string now = utc_timestamp_now();
  if (action == "take")
    stmt->bind(1, state).bind(2, who).bind(3, now).bind(4, number);
  else
    stmt->bind(1, state).bind(2, now).bind(3, number).bind(4, who);
  if (auto st = stmt->run(); !st) return st;
  if (sqlite3_changes_count(db) == 0) return Error::bad_input("no ticket #" + std::to_string(number));
  nlohmann::json detail = {{"ticket", number}, {"action", action}, {"state", state}};
  if (auto st = append_audit_event(db, {"ticket-" + action, "", who, json_text(detail)}); !st) return st;
  return tx->commit();
}

Status add_ticket_comment(Database& db, std::int64_t number, const std::string& who, const std::string& text) {
  auto tx = Transaction::begin(db);
  if (!tx) return tx.error();
  auto exists = ticket_queue(db, number);
  if (!exists) return exists.error();
  if (!exists.value()) return Error::bad_input("no ticket #" + std::to_string(number));
  auto stmt = db.prepare("INSERT INTO ticket_comments (ticket, at, author, text) VALUES (?,?,?,?)");
  if (!stmt) return stmt.error();
  stmt->bind(1, number).bind(2, utc_timestamp_now()).bind(3, who).bind(4, text);
  if (auto st = stmt->run(); !st) return st;
  // The comment text is staff's own words but may quote a report: the audit
  // event records that a comment was made, not what it says.
  nlohmann::json detail = {{"ticket", number}, {"comment_length", text.size()}};
  if (auto st = append_audit_event(db, {"ticket-comment", "", who, json_text(detail)}); !st) return st;
  return tx->commit();
}

}  // namespace csirtgw
