// The filing worker's staff step (staff_step.h).
#include "staff_step.h"

#include <variant>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "audit_log.h"
#include "exception_text.h"
#include "filing_worker.h"
#include "json_text.h"
#include "message_header.h"
#include "mime_structure.h"
#include "sha256.h"
#include "staff_command.h"
#include "staff_mail.h"
#include "ticket_store.h"
#include "transfer_decoding.h"
#include "untrusted_text.h"

namespace csirtgw {
namespace {

// One command being acted on, within the step's transaction.
struct Acting {
  StaffStepContext& ctx;
  Report& report;
  const StaffMember& staff;
  std::int64_t ticket = 0;
  std::string action = "unknown";
  bool resolved = false;
};

const MimeEntity* first_plain_leaf(const MimeEntity& e) {
  if (e.content_type.is("text", "plain") && e.parts.empty()) return &e;
  if (e.content_type.is("message", "rfc822")) return nullptr;  // an attached message is not the command
  for (const auto& p : e.parts)
    if (const MimeEntity* found = first_plain_leaf(p)) return found;
  return nullptr;
}

// The first column of the first row of a bound statement, if any.
Result<std::optional<std::string>> first_text(Result<Statement>& stmt) {
  if (!stmt) return stmt.error();
  auto row = stmt->step();
  if (!row) return row.error();
  if (!row.value()) return std::optional<std::string>{};
  return std::optional<std::string>{stmt->text(0)};
}

Result<std::optional<std::string>> ticket_state_of(Database& db, std::int64_t number) {
  auto stmt = db.prepare("SELECT state FROM tickets WHERE number = ?");
  if (stmt) stmt->bind(1, number);
  return first_text(stmt);
}

// Our ticket named in the subject, or a refusal.
Result<std::string> find_ticket(Acting& a, const std::string& subject) {
  for (const auto& tag : ticket_tags(subject)) {
    if (tag.prefix != a.ctx.ticket_prefix) continue;
    auto state = ticket_state_of(a.ctx.db, tag.number);
    if (!state) return state.error();
    if (!state.value()) return "the Subject names ticket [" + format_ticket(tag.prefix, tag.number) + "], which does not exist";
    a.ticket = tag.number;
    return std::string();
  }
  return std::string("the Subject names no ticket: put the ticket's tag [") + a.ctx.ticket_prefix + " #N] in it";
}

// A refusal from the store's own checks (bad_input) is the staff member's to
// read; anything else is the environment's.
Result<std::string> refusal_or_error(const Status& st) {
  if (st) return std::string();
  if (st.error().kind == ErrorClass::bad_input) return st.error().message;
  return st.error();
}

Result<std::string> send(Acting& a, const StaffCommand& command) {
  CorrespondenceRequest request;
  request.ticket = a.ticket;
  request.kind = command.action == StaffAction::forward ? CorrespondenceKind::forward : CorrespondenceKind::reply;
  request.recipient = command.forward_to;
  request.staff = a.staff.email;
  request.staff_fingerprint = a.staff.fingerprint;
  request.text = command.text;
  request.keep_quotes = command.quote;
  auto outcome = send_correspondence(a.ctx.correspondence, request);
  if (!outcome) return outcome.error();
  if (!outcome->sent) return outcome->refusal;
  // A reply to the reporter answers the ticket (tickets.due_hours, stats).
  if (request.kind == CorrespondenceKind::reply)
    if (auto st = note_first_response(a.ctx.db, a.ticket, utc_timestamp_now()); !st) return st.error();
  return std::string();
}

// The command's action, then resolve; a refusal text for the staff member, or "".
Result<std::string> act(Acting& a, const StaffCommand& command) {
  Result<std::string> refused = std::string();
  if (command.action == StaffAction::reply || command.action == StaffAction::forward)
    refused = send(a, command);
  else if (!command.text.empty())  // a comment, or what was written below "resolve"
    refused = refusal_or_error(add_ticket_comment_within(a.ctx.db, a.ticket, a.staff.email, command.text));
  if (!refused || !refused->empty() || !command.resolve) return refused;
  auto resolved = refusal_or_error(change_ticket_state_within(a.ctx.db, a.ticket, "resolve", a.staff.email));
  if (resolved && resolved->empty()) a.resolved = true;
  if (resolved && !resolved->empty() && command.action != StaffAction::resolve)
    return std::string(to_string(command.action)) + " done, but the ticket was not resolved: " + *resolved;
  return resolved;
}

Result<std::string> decide(Acting& a, const std::string& text) {
  auto no_ticket = find_ticket(a, staff_command_subject(a.report));
  if (!no_ticket || !no_ticket->empty()) return no_ticket;
  auto command = parse_staff_command(text);
  if (!command) return command.error().message;
  a.action = to_string(command->action);
  return act(a, command.value());
}

Status record_command(Acting& a, const std::string& text_hash, const std::string& refusal) {
  auto stmt = a.ctx.db.prepare(
      "INSERT INTO staff_commands (spool_id, signer, signed_at, text_hash, ticket, action, outcome, at)"
      " VALUES (?,?,?,?,?,?,?,?)");
  if (!stmt) return stmt.error();
  stmt->bind(1, a.report.spool_id).bind(2, a.staff.fingerprint).bind(3, a.report.crypto.signed_at);
  stmt->bind(4, text_hash).bind(5, a.ticket).bind(6, a.action).bind(7, refusal.empty() ? "done" : "refused");
  stmt->bind(8, utc_timestamp_now());
  if (auto st = stmt->run(); !st) return st;
  nlohmann::json detail = {{"ticket", a.ticket},          {"action", a.action},
                           {"staff", a.staff.email},      {"fingerprint", a.staff.fingerprint},
                           {"resolved", a.resolved},      {"outcome", refusal.empty() ? "done" : "refused"}};
  if (!refusal.empty()) detail["reason"] = sanitize_untrusted(refusal, 300);
  return append_audit_event(a.ctx.db, {"staff-command", a.report.spool_id, a.staff.email, json_text(detail)});
}

Status tell_refusal(Acting& a, const std::string& refusal) {
  const std::string subject = a.ticket ? "[" + format_ticket(a.ctx.ticket_prefix, a.ticket) + "] your command was not done"
                                       : "your command to csirtgw was not done";
  Status told = notify_staff(a.ctx.correspondence, a.staff.email, a.staff.fingerprint, subject,
                      "csirtgw did not act on your message (" + a.report.spool_id + "):\n\n" +
                          sanitize_untrusted(refusal, 2000) + "\n\nNothing was sent and nothing changed on the ticket "
                          "unless said above.\n\nHow to write a command: " + kStaffGrammar + ".\n");
  if (told || told.error().kind != ErrorClass::bad_input) return told;
  // The staff key cannot be encrypted to: no answer in clear; the audit says so.
  nlohmann::json detail = {{"ticket", a.ticket}, {"staff", a.staff.email}, {"reason", told.error().message}};
  return append_audit_event(a.ctx.db, {"staff-refusal-undelivered", a.report.spool_id, "csirtgw", json_text(detail)});
}

// The earlier spool id of the same signed command, if it was acted on before.
Result<std::optional<std::string>> replay_of(Database& db, const Report& report, const std::string& text_hash) {
  auto stmt = db.prepare("SELECT spool_id FROM staff_commands WHERE signer = ? AND signed_at = ? AND text_hash = ?");
  if (stmt) stmt->bind(1, report.crypto.signer).bind(2, report.crypto.signed_at).bind(3, text_hash);
  return first_text(stmt);
}

// Within the transaction: act (unless done before or a replay), record, answer a refusal.
Status act_once(StaffStepContext& ctx, Report& report, const StaffMember& staff) {
  auto done = ctx.db.prepare("SELECT outcome FROM staff_commands WHERE spool_id = ?");
  if (done) done->bind(1, report.spool_id);
  auto before = first_text(done);
  if (!before) return before.error();
  if (before.value()) return ok_status();  // acted on before a restart
  const std::string text = staff_command_text(report, ctx.config);
  const std::string text_hash = sha256_hex(text);
  auto replayed = replay_of(ctx.db, report, text_hash);
  if (!replayed) return replayed.error();
  if (replayed.value()) {
    quarantine_staff_mail(report, {"replayed", "the same signed command was acted on before, as " + *replayed.value()});
    return ok_status();
  }
  Acting acting{ctx, report, staff};
  auto refusal = decide(acting, text);
  if (!refusal) return refusal.error();
  if (auto st = record_command(acting, text_hash, refusal.value()); !st) return st;
  if (!refusal->empty()) return tell_refusal(acting, refusal.value());
  return ok_status();
}

}  // namespace

std::string staff_command_text(Report& report, const Config& config) {
  auto root = mime_structure_of(report, mime_limits_from(config));
  if (!root) return {};
  const MimeEntity* leaf = first_plain_leaf(*root.value());
  if (!leaf) return {};
  return decode_transfer_encoding(leaf->body(report.message()), leaf->transfer_encoding);
}

std::string staff_command_subject(const Report& report) {
  if (report.crypto.protected_authenticated)
    for (const auto& field : report.crypto.protected_headers)
      if (field.name == "Subject") return field.value;
  auto subject = header_value(header_section(report.message()), "Subject");
  return subject ? decode_encoded_words(*subject) : std::string();
}

Status run_staff_step(StaffStepContext& ctx, Report& report) {
  if (report.fault) return ok_status();  // already quarantined by a step that failed
  auto judged = judge_staff_mail(ctx.db, report);
  if (!judged) return judged.error();
  if (const auto* refusal = std::get_if<StaffRefusal>(&judged.value())) {
    quarantine_staff_mail(report, *refusal);
    return ok_status();
  }
  const StaffMember& staff = std::get<StaffMember>(judged.value());
  auto tx = Transaction::begin(ctx.db);
  if (!tx) return tx.error();
  if (auto st = act_once(ctx, report, staff); !st) return st;
  if (auto st = tx->commit(); !st) return st;
  if (!report.fault) report.queue = "staff";
  return ok_status();
}

// The worker's side: the correspondence context on the team key (a worker
// process of its own on the first agent shard), and the step's boundary: an
// exception quarantines the message, like any step's (step_fault.h).
Status FilingWorker::act_on_staff_mail(Report& report) {
  if (!ack_shards_) return Error::internal("the staff step needs the team key (enable_acks was not called)");
  try {
    if (!staff_gpg_)
      staff_gpg_ = std::make_unique<OpenPgpWorker>(OpenPgpWorkerSettings{ack_shards_->home_for(0), {}, team_fingerprint_});
    (void)ack_shards_->home_for(0);  // keys imported since (a new staff or reporter key) are found
    CorrespondenceContext correspondence{*db_, rules_->config, rules_->policy.ticket_prefix, state_dir_, *staff_gpg_};
    StaffStepContext ctx{*db_, rules_->config, rules_->policy.ticket_prefix, correspondence};
    Status acted = run_staff_step(ctx, report);
    // Committed: whatever the step queued (a reply, a forward, a refusal) leaves now.
    if (acted && ack_queued_) ack_queued_();
    return acted;
  } catch (...) {
    quarantine_for_fault(report, "staff", exception_class(std::current_exception()), fault_in("staff"));
    return ok_status();
  }
}

}  // namespace csirtgw
