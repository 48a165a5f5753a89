// Ticket rows in SQLite: assigning a report, listing, staff actions (ticket_store.h).
#include "ticket_store.h"

#include <strings.h>

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "audit_log.h"
#include "correspondence.h"
#include "json_text.h"
#include "from_mailboxes.h"
#include "message_header.h"
#include "policy.h"
#include "ticket_desk.h"
#include "untrusted_text.h"

namespace csirtgw {
namespace {

// The longest mailbox address there is (RFC 5321: 64 octets local part, "@",
// 255 octets domain): a bound of the protocol, not a setting.
constexpr std::size_t kAddressMax = 320;

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
  // A message staff sent from the ticket (issue 17): the answer to it joins it.
  auto outgoing = ticket_for_outgoing_message_id(db, message_id);
  if (!outgoing || outgoing.value()) return outgoing;
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

namespace {

// The message's one From address, lower case; empty when there is not exactly one.
std::string sender_of(std::string_view headers) {
  auto from = from_mailboxes(headers);
  return from && from->size() == 1 ? from->front() : std::string();
}

// The assignment made before a crash or retry, as it was made.
Result<std::optional<TicketAssignment>> earlier_assignment(Database& db, const Report& report) {
  auto stmt = db.prepare(
      "SELECT m.ticket, m.role, m.participant, t.queue, t.tlp FROM ticket_messages m"
      " JOIN tickets t ON t.number = m.ticket WHERE m.spool_id = ?");
  if (!stmt) return stmt.error();
  stmt->bind(1, report.spool_id);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!row.value()) return std::optional<TicketAssignment>{};
  TicketAssignment earlier;
  earlier.number = stmt->integer(0);
  // The report that opened the ticket still counts as opening it: a crash
  // between assigning and filing must not turn it into a follow-up (whose
  // acknowledgement would then be skipped).
  earlier.created = stmt->text(1) == "report";
  if (!earlier.created) earlier.participant = stmt->integer(2) != 0;
  earlier.queue = stmt->text(3);
  earlier.tlp = stmt->text(4);
  return std::optional<TicketAssignment>{std::move(earlier)};
}

struct JoinTarget {
  std::optional<std::int64_t> ticket;
  std::string joined_by;
  std::vector<std::string> external;  // other teams' tags
};

// Which ticket the message follows up, if any: our tag in the Subject, then a
// message it replies to, then another team's tag recorded on a ticket, then
// the same Message-ID delivered again; a merged ticket's follow-up goes on to
// the ticket it was merged into.
Result<JoinTarget> ticket_to_join(Database& db, std::string_view headers, const std::string& message_id,
                                  const std::string& prefix) {
  JoinTarget target;
  // Mail clients encode subjects with non-ASCII text (RFC 2047): the tag may be inside.
  const std::string subject = decode_encoded_words(header_value(headers, "Subject").value_or(""));
  for (const auto& tag : ticket_tags(subject)) {
    if (strcasecmp(tag.prefix.c_str(), prefix.c_str()) != 0) {
      target.external.push_back(format_ticket(tag.prefix, tag.number));
      continue;
    }
    if (target.ticket) continue;
    auto queue = ticket_queue(db, tag.number);
    if (!queue) return queue.error();
    if (queue.value()) {
      target.ticket = tag.number;
      target.joined_by = "subject tag";
    }
  }
  if (!target.ticket)
    for (const auto& id : referenced_ids(headers)) {
      auto found = ticket_of_message_id(db, id);
      if (!found) return found.error();
      if (found.value()) {
        target.ticket = found.value();
        target.joined_by = "In-Reply-To/References";
        break;
      }
    }
  // Another team's tag we recorded as an external reference of one of our
  // tickets: their follow-up on the case they know by their number
  // (after a reply to one of our messages, which names our ticket itself).
  for (std::size_t i = 0; !target.ticket && i < target.external.size(); ++i) {
    auto found = ticket_of_external_ref(db, target.external[i]);
    if (!found) return found.error();
    if (found.value()) {
      target.ticket = found.value();
      target.joined_by = "external reference " + target.external[i];
    }
  }
  if (!target.ticket) {
    // The same message delivered again (another envelope): never a second ticket.
    auto found = ticket_of_message_id(db, message_id);
    if (!found) return found.error();
    if (found.value()) {
      target.ticket = found.value();
      target.joined_by = "same Message-ID";
    }
  }
  if (target.ticket) {  // a merged ticket's follow-ups go to the ticket it was merged into
    auto live = live_ticket(db, *target.ticket);
    if (!live) return live.error();
    if (live.value() != *target.ticket) target.joined_by += ", merged into #" + std::to_string(live.value());
    target.ticket = live.value();
  }
  return target;
}

// A participant: a verified signer of a registered key, or the address of the
// ticket's reporter or of an earlier participant. Anyone can write our tag
// into a Subject; only a participant's mail is taken as part of the case.
Result<std::pair<bool, std::string>> participant(Database& db, std::int64_t ticket, const Report& report,
                                                 const std::string& sender) {
  if (report.crypto.signature == "good" && report.crypto.sender_verified)
    return std::make_pair(true, std::string("verified signer"));
  if (sender.empty()) return std::make_pair(false, std::string("no single From address"));
  auto stmt = db.prepare("SELECT role FROM ticket_messages WHERE ticket = ? AND sender = ? AND participant = 1"
                         " ORDER BY role = 'report' DESC LIMIT 1");
  if (!stmt) return stmt.error();
  stmt->bind(1, ticket).bind(2, sender);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!row.value()) return std::make_pair(false, std::string("unauthenticated, not a participant"));
  return std::make_pair(true, std::string(stmt->text(0) == "report" ? "the reporter's address" : "an earlier participant's address"));
}

// A follow-up joins its ticket: the ticket keeps the strictest TLP label of
// its messages (the follow-up is filed with it), and a non-participant's mail
// raises the ticket's attention.
Result<TicketAssignment> join_ticket(Database& db, std::int64_t number, const Report& report, bool is_participant,
                                     const std::string& now) {
  auto stmt = db.prepare("SELECT queue, tlp FROM tickets WHERE number = ?");
  if (!stmt) return stmt.error();
  stmt->bind(1, number);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!row.value()) return Error::internal("ticket #" + std::to_string(number) + " vanished");
  TicketAssignment joined;
  joined.number = number;
  joined.queue = stmt->text(0);
  joined.tlp = stmt->text(1);
  joined.participant = is_participant;
  if (tlp_rank(report.classification.tlp) > tlp_rank(joined.tlp)) joined.tlp = report.classification.tlp;
  auto touch = db.prepare("UPDATE tickets SET updated_at = ?, tlp = ?, attention = attention + ? WHERE number = ?");
  if (!touch) return touch.error();
  touch->bind(1, now).bind(2, joined.tlp).bind(3, std::int64_t{is_participant ? 0 : 1}).bind(4, number);
  if (auto st = touch->run(); !st) return st.error();
  return joined;
}

Result<TicketAssignment> open_ticket(Database& db, const Report& report, const std::string& now,
                                     const std::string& subject, const std::string& reporter) {
  const Classification& c = report.classification;
  std::string categories;
  for (const auto& r : c.categories) categories += (categories.empty() ? "" : ",") + r.category;
  auto insert = db.prepare(
      "INSERT INTO tickets (created_at, updated_at, queue, state, type, priority, tlp, constituency, categories,"
      " encryption, signature, verified_address, verified_org, subject, reporter)"
      " VALUES (?,?,?,'open',?,?,?,?,?,?,?,?,?,?,?)");
  if (!insert) return insert.error();
  insert->bind(1, now).bind(2, now).bind(3, report.queue).bind(4, c.type).bind(5, std::int64_t{c.priority});
  insert->bind(6, c.tlp).bind(7, std::int64_t{c.constituency ? 1 : 0}).bind(8, categories);
  insert->bind(9, encryption_word(report.crypto.encryption)).bind(10, report.crypto.signature);
  insert->bind(11, report.crypto.verified_address).bind(12, report.crypto.verified_org);
  insert->bind(13, subject).bind(14, reporter);
  if (auto st = insert->run(); !st) return st.error();
  TicketAssignment opened;
  opened.number = sqlite3_last_insert_id(db);
  opened.created = true;
  opened.queue = report.queue;
  opened.tlp = c.tlp;
  return opened;
}

Status link_message(Database& db, const TicketAssignment& assignment, const Report& report,
                    const std::string& message_id, const std::string& sender, const JoinTarget& target,
                    const std::string& now) {
  auto link = db.prepare(
      "INSERT INTO ticket_messages (spool_id, ticket, message_id, role, added_at, sender, participant, signature,"
      " verified_address, verified_org) VALUES (?,?,?,?,?,?,?,?,?,?)");
  if (!link) return link.error();
  link->bind(1, report.spool_id).bind(2, assignment.number).bind(3, message_id);
  link->bind(4, assignment.created ? "report" : "follow-up").bind(5, now).bind(6, sender);
  link->bind(7, std::int64_t{assignment.participant.value_or(true) ? 1 : 0});
  link->bind(8, report.crypto.signature).bind(9, report.crypto.verified_address).bind(10, report.crypto.verified_org);
  if (auto st = link->run(); !st) return st;
  for (const auto& ref : target.external) {
    auto add = db.prepare("INSERT OR IGNORE INTO ticket_external_refs (ticket, reference) VALUES (?,?)");
    if (!add) return add.error();
    add->bind(1, assignment.number).bind(2, ref);
    if (auto st = add->run(); !st) return st;
  }
  return ok_status();
}

}  // namespace

Result<TicketAssignment> assign_ticket(Database& db, const Report& report, const std::string& prefix,
                                       std::size_t subject_max) {
  auto earlier = earlier_assignment(db, report);
  if (!earlier) return earlier.error();
  if (earlier.value()) return std::move(*earlier.value());

  const std::string_view headers = header_section(report.message());
  const std::string message_id = header_value(headers, "Message-ID").value_or("");
  const std::string sender = sender_of(headers);
  auto target = ticket_to_join(db, headers, message_id, prefix);
  if (!target) return target.error();

  const std::string now = utc_timestamp_now();
  std::string why_participant;
  Result<TicketAssignment> assignment = Error::internal("unassigned");
  if (target->ticket) {
    auto who = participant(db, *target->ticket, report, sender);
    if (!who) return who.error();
    why_participant = who->second;
    assignment = join_ticket(db, *target->ticket, report, who->first, now);
  } else {
    const std::string subject = decode_encoded_words(header_value(headers, "Subject").value_or(""));
    assignment = open_ticket(db, report, now, sanitize_untrusted(subject, subject_max), sanitize_untrusted(sender, kAddressMax));
  }
  if (!assignment) return assignment.error();
  if (auto st = link_message(db, *assignment, report, message_id, sender, *target, now); !st) return st.error();

  nlohmann::json detail = {{"ticket", format_ticket(prefix, assignment->number)}, {"queue", assignment->queue}};
  if (!assignment->created) {
    detail["joined_by"] = target->joined_by;
    detail["participant"] = *assignment->participant;
    detail["participant_because"] = why_participant;
    detail["tlp"] = assignment->tlp;
  }
  if (!target->external.empty()) detail["external_refs"] = target->external;
  if (auto st = append_audit_event(db, {assignment->created ? "ticket-created" : "ticket-joined", report.spool_id,
                                        "csirtgw", json_text(detail)});
      !st)
    return st.error();
  if (assignment->participant == false) {
    nlohmann::json attention = {{"ticket", format_ticket(prefix, assignment->number)},
                                {"reason", "follow-up from a non-participant: " + why_participant}};
    if (auto st = append_audit_event(db, {"attention-raised", report.spool_id, "csirtgw", json_text(attention)}); !st)
      return st.error();
  }
  return assignment;
}

Result<std::vector<TicketSummary>> list_tickets(Database& db, const std::optional<std::string>& queue,
                                                const std::optional<std::string>& state) {
  auto stmt = db.prepare(
      "SELECT t.number, t.created_at, t.updated_at, t.queue, t.state, t.owner, t.type, t.tlp, t.categories,"
      " t.encryption, t.signature, t.priority, t.constituency,"
      " (SELECT COUNT(*) FROM ticket_messages m WHERE m.ticket = t.number), t.attention, t.verified_address,"
      " t.verified_org, t.subject, t.reporter, t.reject_reason, coalesce(t.merged_into, 0), t.first_response_at,"
      " t.resolved_at"
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
    t.attention = stmt->integer(14);
    t.verified_address = stmt->text(15);
    t.verified_org = stmt->text(16);
    t.subject = stmt->text(17);
    t.reporter = stmt->text(18);
    t.reject_reason = stmt->text(19);
    t.merged_into = stmt->integer(20);
    t.first_response_at = stmt->text(21);
    t.resolved_at = stmt->text(22);
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
      "SELECT spool_id, message_id, role, added_at, signature, verified_address, verified_org, participant"
      " FROM ticket_messages WHERE ticket = ? ORDER BY added_at");
  if (!messages) return messages.error();
  messages->bind(1, number);
  while (true) {
    auto row = messages->step();
    if (!row) return row.error();
    if (!row.value()) break;
    detail.messages.push_back({messages->text(0), messages->text(1), messages->text(2), messages->text(3),
                               messages->text(4), messages->text(5), messages->text(6), messages->integer(7) != 0});
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
  auto links = linked_tickets(db, number);
  if (!links) return links.error();
  detail.links = std::move(links.value());
  return std::optional<TicketDetail>{std::move(detail)};
}

namespace {

struct TicketState {
  std::string state, owner;
  std::int64_t merged_into = 0;
};

Result<std::optional<TicketState>> ticket_state(Database& db, std::int64_t number) {
  auto stmt = db.prepare("SELECT state, owner, coalesce(merged_into, 0) FROM tickets WHERE number = ?");
  if (!stmt) return stmt.error();
  stmt->bind(1, number);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!row.value()) return std::optional<TicketState>{};
  return std::optional<TicketState>{TicketState{stmt->text(0), stmt->text(1), stmt->integer(2)}};
}

// Why `action` by `who` may not happen to a ticket in `current`, or nullopt.
// Taking another analyst's ticket is a hand-over, said with --steal.
std::optional<std::string> refused_transition(const TicketState& current, const std::string& action,
                                              const std::string& who, bool steal) {
  if (current.state == "merged")
    return "it was merged into #" + std::to_string(current.merged_into) + "; act on that ticket";
  if (action == "take") {
    if (current.state == "resolved" || current.state == "rejected") return "it is " + current.state + "; reopen it first";
    if (current.state == "taken" && current.owner == who) return "it is already taken by " + who;
    if (current.state == "taken" && !steal)
      return "it is taken by " + current.owner + "; take it over with --steal";
  } else if (action == "resolve") {
    if (current.state == "resolved") return "it is already resolved";
    if (current.state == "rejected") return "it is rejected (not an incident); reopen it first";
  } else if (action == "reopen") {
    if (current.state != "resolved" && current.state != "rejected")
      return "it is " + current.state + ", not resolved or rejected";
  }
  return std::nullopt;
}

// Resolving stamps resolved_at; reopening clears it and any reject reason.
Status write_state(Database& db, std::int64_t number, const std::string& state, const std::string& owner,
                   const std::string& now) {
  auto stmt = db.prepare(
      "UPDATE tickets SET state = ?1, updated_at = ?2, owner = CASE WHEN ?1 = 'taken' THEN ?3 ELSE owner END,"
      " resolved_at = CASE ?1 WHEN 'resolved' THEN ?2 WHEN 'open' THEN '' ELSE resolved_at END,"
      " reject_reason = CASE WHEN ?1 = 'open' THEN '' ELSE reject_reason END WHERE number = ?4");
  if (!stmt) return stmt.error();
  stmt->bind(1, state).bind(2, now).bind(3, owner).bind(4, number);
  return stmt->run();
}

}  // namespace

Status change_ticket_state(Database& db, std::int64_t number, const std::string& action, const std::string& who,
                           bool steal) {
  auto tx = Transaction::begin(db);
  if (!tx) return tx.error();
  if (auto st = change_ticket_state_within(db, number, action, who, steal); !st) return st;
  return tx->commit();
}

Status change_ticket_state_within(Database& db, std::int64_t number, const std::string& action, const std::string& who,
                                  bool steal) {
  std::string state;
  if (action == "take") state = "taken";
  else if (action == "resolve") state = "resolved";
  else if (action == "reopen") state = "open";
  else return Error::bad_input("unknown action " + action);
  auto current = ticket_state(db, number);
  if (!current) return current.error();
  if (!current.value()) return Error::bad_input("no ticket #" + std::to_string(number));
  if (auto refused = refused_transition(*current.value(), action, who, steal))
    return Error::bad_input("cannot " + action + " ticket #" + std::to_string(number) + ": " + *refused);
  const std::string now = utc_timestamp_now();
  if (auto st = write_state(db, number, state, who, now); !st) return st;
  if (action != "reopen")
    if (auto st = note_first_response(db, number, now); !st) return st;
  nlohmann::json detail = {{"ticket", number}, {"action", action}, {"state", state}};
  if (action == "take" && current.value()->state == "taken") detail["taken_from"] = current.value()->owner;
  if (action == "reopen") detail["was"] = current.value()->state;
  return append_audit_event(db, {"ticket-" + action, "", who, json_text(detail)});
}

Status add_ticket_comment(Database& db, std::int64_t number, const std::string& who, const std::string& text) {
  auto tx = Transaction::begin(db);
  if (!tx) return tx.error();
  if (auto st = add_ticket_comment_within(db, number, who, text); !st) return st;
  return tx->commit();
}

Status add_ticket_comment_within(Database& db, std::int64_t number, const std::string& who, const std::string& text) {
  auto exists = ticket_queue(db, number);
  if (!exists) return exists.error();
  if (!exists.value()) return Error::bad_input("no ticket #" + std::to_string(number));
  auto stmt = db.prepare("INSERT INTO ticket_comments (ticket, at, author, text) VALUES (?,?,?,?)");
  if (!stmt) return stmt.error();
  const std::string now = utc_timestamp_now();
  stmt->bind(1, number).bind(2, now).bind(3, who).bind(4, text);
  if (auto st = stmt->run(); !st) return st;
  if (auto st = note_first_response(db, number, now); !st) return st;
  // The comment text is staff's own words but may quote a report: the audit
  // event records that a comment was made, not what it says.
  nlohmann::json detail = {{"ticket", number}, {"comment_length", text.size()}};
  return append_audit_event(db, {"ticket-comment", "", who, json_text(detail)});
}

}  // namespace csirtgw
