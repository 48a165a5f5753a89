// Sending from a ticket: gates, compose, spool, record (correspondence.h).
#include "correspondence.h"

#include <ctime>

#include <nlohmann/json.hpp>

#include "audit_log.h"
#include "correspondence_gate.h"
#include "correspondence_message.h"
#include "correspondence_spool.h"
#include "json_text.h"
#include "key_registry.h"
#include "message_header.h"
#include "sha256.h"
#include "ticket_facts.h"

namespace csirtgw {
namespace {

// The first usable registered key of `address`, and its organisation.
Result<RecipientKey> find_recipient_key(CorrespondenceContext& ctx, const std::string& address) {
  RecipientKey key;
  auto fingerprints = keys_for_email(ctx.db, address);
  if (!fingerprints) return fingerprints.error();
  if (fingerprints->empty()) {
    key.problem = "no key registered for " + address;
    return key;
  }
  for (const auto& fingerprint : fingerprints.value()) {
    auto problem = ctx.gpg.encryption_key_problem(fingerprint);
    if (!problem) return problem.error();
    if (problem.value()) {
      key.problem += (key.problem.empty() ? "" : "; ") + fingerprint + " " + *problem.value();
      continue;
    }
    auto organisation = key_binding(ctx.db, fingerprint, address);
    if (!organisation) return organisation.error();
    key.fingerprint = fingerprint;
    key.organisation = organisation.value().value_or("");
    key.problem.clear();
    return key;
  }
  return key;
}

// The team's address for this ticket: the intake the report came to, when it
// is still one we serve.
std::string team_address(const Config& config, const std::string& intake_address) {
  if (!intake_address.empty() && config.intake_for(intake_address)) return intake_address;
  if (!config.intakes.empty()) return config.intakes.front().address;
  return "cert@" + config.team_domain;
}

// The first Message-ID of the thread and the newest ones, at most `limit`.
std::string references_of(std::vector<std::string> ids, std::size_t limit) {
  if (ids.size() > limit && limit >= 1) {
    std::vector<std::string> bounded{ids.front()};
    bounded.insert(bounded.end(), ids.end() - static_cast<std::ptrdiff_t>(limit - 1), ids.end());
    ids = std::move(bounded);
  }
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : " ") + id;
  return out;
}

// The headers. The Subject never carries report text (it travels in clear
// even when the body is encrypted): the tag and what kind of message it is.
Result<AckHeaders> headers_for(CorrespondenceContext& ctx, const TicketThread& thread, const CorrespondenceRequest& request,
                               const std::string& recipient, const std::string& message_id) {
  const bool reply = request.kind == CorrespondenceKind::reply;
  const std::string tag = "[" + ctx.ticket_prefix + " #" + std::to_string(thread.facts.number) + "] ";
  auto ours = outgoing_message_ids(ctx.db, thread.facts.number, recipient);
  if (!ours) return ours.error();
  // A forward names only the team's own earlier messages to that recipient:
  // the reporter's Message-IDs can name the reporter's host.
  std::vector<std::string> ids = reply ? thread.message_ids : std::vector<std::string>{};
  ids.insert(ids.end(), ours->begin(), ours->end());
  AckHeaders h;
  h.from_name = ctx.config.team_name;
  h.from_address = team_address(ctx.config, thread.intake_address);
  h.to_address = recipient;
  h.subject = tag + (reply ? "Re: your incident report" : "Incident hand-off from " + ctx.config.team_name);
  h.message_id = message_id;
  if (reply && !thread.message_ids.empty()) h.in_reply_to = thread.message_ids.back();
  else if (!ours->empty()) h.in_reply_to = ours->back();
  h.references = references_of(std::move(ids), static_cast<std::size_t>(ctx.config.outbound_thread_references));
  h.date = rfc5322_date(std::time(nullptr));
  h.auto_submitted = false;
  return h;
}

std::string body_for(const TicketThread& thread, const CorrespondenceRequest& request, const GateDecision& gate) {
  std::string text = gate.strip_quotes ? strip_quoted_report(request.text) : request.text;
  // A hand-off says how it may be shared (TLP 2.0: the label travels with the information).
  if (request.kind == CorrespondenceKind::forward && !thread.facts.tlp.empty())
    text = "TLP:" + thread.facts.tlp + "\n\n" + text;
  return text;
}

Status audit_refusal(CorrespondenceContext& ctx, const CorrespondenceRequest& request, const std::string& recipient,
                     const GateDecision& gate) {
  const nlohmann::json detail = {{"ticket", ctx.ticket_prefix + " #" + std::to_string(request.ticket)},
                                 {"kind", correspondence_kind_name(request.kind)},
                                 {"recipient", recipient},
                                 {"staff_fingerprint", request.staff_fingerprint},
                                 {"rule", gate.rule},
                                 {"reason", gate.reason}};
  return append_audit_event(ctx.db, {"correspondence-refused", "", request.staff, json_text(detail)});
}

Status record_entry(CorrespondenceContext& ctx, const CorrespondenceRequest& request, const CorrespondenceOutcome& out,
                    const std::string& sha256, const std::string& outbound_id) {
  const std::string now = utc_timestamp_now();
  auto insert = ctx.db.prepare(
      "INSERT INTO ticket_correspondence (ticket, at, direction, kind, staff, staff_fingerprint, recipient,"
      " recipient_fingerprint, encrypted, message_id, sha256, rule, outbound_id)"
      " VALUES (?, ?, 'out', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert) return insert.error();
  insert->bind(1, request.ticket).bind(2, now).bind(3, correspondence_kind_name(request.kind)).bind(4, request.staff);
  insert->bind(5, request.staff_fingerprint).bind(6, out.recipient).bind(7, out.recipient_fingerprint);
  insert->bind(8, std::int64_t{out.encrypted ? 1 : 0}).bind(9, out.message_id).bind(10, sha256).bind(11, out.rule);
  insert->bind(12, outbound_id);
  if (auto st = insert->run(); !st) return st;
  auto touch = ctx.db.prepare("UPDATE tickets SET updated_at = ? WHERE number = ?");
  if (!touch) return touch.error();
  if (auto st = touch->bind(1, now).bind(2, request.ticket).run(); !st) return st;
  const nlohmann::json detail = {{"ticket", ctx.ticket_prefix + " #" + std::to_string(request.ticket)},
                                 {"kind", correspondence_kind_name(request.kind)},
                                 {"recipient", out.recipient},
                                 {"recipient_fingerprint", out.recipient_fingerprint},
                                 {"encrypted", out.encrypted},
                                 {"staff_fingerprint", request.staff_fingerprint},
                                 {"message_id", out.message_id},
                                 {"sha256", sha256},
                                 {"rule", out.rule}};
  return append_audit_event(ctx.db, {"correspondence-queued", outbound_id, request.staff, json_text(detail)});
}

// The recipient and the gates' decision (audited when it refuses).
struct Gated {
  std::string recipient;
  RecipientKey key;
  GateDecision gate;
};
Result<Gated> run_gates(CorrespondenceContext& ctx, const TicketThread& thread, const CorrespondenceRequest& request) {
  Gated g;
  g.recipient = request.kind == CorrespondenceKind::reply ? thread.facts.reporter : lower_ascii(request.recipient);
  if (plain_address(g.recipient)) {
    auto key = find_recipient_key(ctx, g.recipient);
    if (!key) return key.error();
    g.key = std::move(key.value());
  }
  g.gate = decide_gates(thread.facts, request, g.recipient, g.key);
  return g;
}

}  // namespace

const char* correspondence_kind_name(CorrespondenceKind kind) {
  return kind == CorrespondenceKind::reply ? "reply" : "forward";
}

Result<CorrespondenceOutcome> send_correspondence(CorrespondenceContext& ctx, const CorrespondenceRequest& request) {
  CorrespondenceOutcome out;
  auto thread = read_ticket_thread(ctx.db, request.ticket);
  if (!thread) return thread.error();
  if (!thread.value()) {
    const GateDecision none{false, false, true, "no-ticket", "no ticket #" + std::to_string(request.ticket)};
    out.rule = none.rule;
    out.refusal = none.reason;
    if (auto st = audit_refusal(ctx, request, lower_ascii(request.recipient), none); !st) return st.error();
    return out;
  }
  auto gated = run_gates(ctx, *thread.value(), request);
  if (!gated) return gated.error();
  out.recipient = gated->recipient;
  out.rule = gated->gate.rule;
  if (!gated->gate.allowed) {
    out.refusal = gated->gate.reason;
    if (auto st = audit_refusal(ctx, request, out.recipient, gated->gate); !st) return st.error();
    return out;
  }
  const OutgoingIdentity identity = new_outgoing_identity(ctx.config.hostname);
  auto headers = headers_for(ctx, *thread.value(), request, out.recipient, identity.message_id);
  if (!headers) return headers.error();
  const std::string fingerprint = gated->gate.encrypt ? gated->key.fingerprint : "";
  auto composed = compose_correspondence(ctx.gpg, *headers, body_for(*thread.value(), request, gated->gate), fingerprint,
                                         identity.outbound_id);
  if (!composed) return composed.error();
  out.message_id = identity.message_id;
  out.recipient_fingerprint = fingerprint;
  out.encrypted = !fingerprint.empty();
  const std::string tag = ctx.ticket_prefix + " #" + std::to_string(request.ticket);
  const SpooledOutgoing spooled{identity.outbound_id, tag, out.recipient, out.message_id, out.encrypted, "correspondence"};
  if (auto st = spool_outgoing(ctx.db, ctx.state_dir, spooled, composed->message); !st) return st.error();
  const QueueCopyMarks marks{tag, request.staff, fingerprint, correspondence_kind_name(request.kind)};
  if (auto st = write_queue_copy(ctx.state_dir, thread.value()->facts.queue, identity.outbound_id, ctx.config.hostname,
                                 marks, composed->plaintext);
      !st)
    return st.error();
  if (auto st = record_entry(ctx, request, out, sha256_hex(composed->message), identity.outbound_id); !st)
    return st.error();
  out.sent = true;
  return out;
}

Status notify_staff(CorrespondenceContext& ctx, const std::string& staff_email, const std::string& staff_fingerprint,
                    const std::string& subject, const std::string& text) {
  auto problem = ctx.gpg.encryption_key_problem(staff_fingerprint);
  if (!problem) return problem.error();
  if (problem.value())
    return Error::bad_input("staff key " + staff_fingerprint + " cannot be encrypted to: " + *problem.value());
  const OutgoingIdentity identity = new_outgoing_identity(ctx.config.hostname);
  AckHeaders h;
  h.from_name = ctx.config.team_name;
  h.from_address = team_address(ctx.config, "");
  h.to_address = lower_ascii(staff_email);
  h.subject = subject;
  h.message_id = identity.message_id;
  h.date = rfc5322_date(std::time(nullptr));
  h.auto_submitted = true;  // csirtgw wrote it, not a person (RFC 3834)
  auto composed = compose_correspondence(ctx.gpg, h, text, staff_fingerprint, identity.outbound_id);
  if (!composed) return composed.error();
  const SpooledOutgoing spooled{identity.outbound_id, "", h.to_address, identity.message_id, true, "notice"};
  if (auto st = spool_outgoing(ctx.db, ctx.state_dir, spooled, composed->message); !st) return st;
  const nlohmann::json detail = {{"recipient", h.to_address},
                                 {"recipient_fingerprint", staff_fingerprint},
                                 {"message_id", identity.message_id},
                                 {"sha256", sha256_hex(composed->message)}};
  return append_audit_event(ctx.db, {"staff-notice-queued", identity.outbound_id, "csirtgw", json_text(detail)});
}

Result<std::optional<std::int64_t>> ticket_for_outgoing_message_id(Database& db, const std::string& message_id) {
  if (message_id.empty()) return std::optional<std::int64_t>{};
  auto stmt = db.prepare("SELECT ticket FROM ticket_correspondence WHERE message_id = ? LIMIT 1");
  if (!stmt) return stmt.error();
  stmt->bind(1, message_id);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!row.value()) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{stmt->integer(0)};
}

Result<std::vector<CorrespondenceEntry>> ticket_correspondence(Database& db, std::int64_t ticket) {
  auto stmt = db.prepare(
      "SELECT c.at, c.kind, c.staff, c.recipient, c.recipient_fingerprint, c.message_id, c.rule, c.encrypted,"
      " coalesce(o.state, '') FROM ticket_correspondence c LEFT JOIN outbound o ON o.spool_id = c.outbound_id"
      " WHERE c.ticket = ? ORDER BY c.at, c.id");
  if (!stmt) return stmt.error();
  stmt->bind(1, ticket);
  std::vector<CorrespondenceEntry> entries;
  while (true) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!row.value()) return entries;
    CorrespondenceEntry e;
    e.at = stmt->text(0);
    e.kind = stmt->text(1);
    e.staff = stmt->text(2);
    e.recipient = stmt->text(3);
    e.recipient_fingerprint = stmt->text(4);
    e.message_id = stmt->text(5);
    e.rule = stmt->text(6);
    e.encrypted = stmt->integer(7) != 0;
    e.delivery = stmt->text(8);
    entries.push_back(std::move(e));
  }
}

}  // namespace csirtgw
