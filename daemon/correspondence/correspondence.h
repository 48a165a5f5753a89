// Correspondence from a ticket (issue 17): what staff write — a reply to the
// ticket's reporter or a forward (hand-off) to another team or constituent —
// leaves from the team address, signed with the team key and, where the gates
// demand it, encrypted to the recipient's registered key. It is gated by the
// ticket's TLP label, disclosure categories and encryption (correspondence_gate.h),
// composed anew from the staff member's text only (their own signature and key
// never go out), queued in the durable outbound spool the acknowledgements use,
// recorded on the ticket (schemas/migrations/0012) with a plaintext copy in the
// ticket's queue, and audited with the rule that decided.
// It must never quote the report to anyone but its reporter, and never send
// what a gate refused.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config.h"
#include "openpgp_worker.h"
#include "result.h"
#include "sqlite_db.h"

namespace csirtgw {

enum class CorrespondenceKind { reply, forward };
const char* correspondence_kind_name(CorrespondenceKind kind);

struct CorrespondenceRequest {
  std::int64_t ticket = 0;
  CorrespondenceKind kind = CorrespondenceKind::reply;
  std::string recipient;         // forward: the address; reply: empty (the ticket's reporter)
  std::string staff;             // who: the staff key's email (mail) or the OS user (CLI)
  std::string staff_fingerprint; // "" from the CLI
  std::string text;              // what the staff member wrote, UTF-8
  bool keep_quotes = false;      // the staff member explicitly included the quoted report (reply only)
};

struct CorrespondenceOutcome {
  bool sent = false;             // queued in the outbound spool
  std::string refusal;           // why not, for the staff member (when !sent)
  std::string rule;              // the gate rule that decided (audited)
  std::string message_id;        // of the outgoing message
  std::string recipient, recipient_fingerprint;  // fingerprint "" when sent signed only
  bool encrypted = false;
};

// What sending needs; the caller owns all of it and holds the write
// transaction on `db` around send_correspondence / notify_staff.
//  - `gpg`: an OpenPGP worker whose signer is the team key, on a GnuPG home
//    holding the registered public keys (the daemon: the filing thread's
//    worker on its agent shard; the CLI: its own worker on <state>/gnupg).
//  - `state_dir`: outbound/ (the spool the sender delivers from) and
//    queues/<queue>/ (where the plaintext copy goes) are under it.
// After committing, a caller in the daemon wakes its sender (AckSender::wake);
// the CLI cannot, and the daemon's sender finds the row within
// outbound.poll_interval.
struct CorrespondenceContext {
  Database& db;
  const Config& config;
  std::string ticket_prefix;  // the policy's, "XYZ-CERT"
  std::filesystem::path state_dir;
  OpenPgpWorker& gpg;
};

// Within the caller's write transaction: gates, composes (team key signs, recipient's key
// encrypts), queues it in the outbound spool, records the correspondence entry and a copy
// in the ticket's queue, audits. Errors are environment failures (store, gpg), not refusals.
Result<CorrespondenceOutcome> send_correspondence(CorrespondenceContext& ctx, const CorrespondenceRequest& request);

// A signed message to a staff member, encrypted to their key (refusals, confirmations).
// bad_input when that key cannot be encrypted to (the message is not sent: a refusal
// must not leak in clear what the staff member wrote about the ticket).
Status notify_staff(CorrespondenceContext& ctx, const std::string& staff_email, const std::string& staff_fingerprint,
                    const std::string& subject, const std::string& text);

// The ticket an outgoing message (reply or forward) belongs to, by its
// Message-ID ("<...>"): a reporter's answer naming it in In-Reply-To joins it.
Result<std::optional<std::int64_t>> ticket_for_outgoing_message_id(Database& db, const std::string& message_id);

// What the team sent on a ticket, oldest first, with where delivery stands
// (the outbound row's state: queued, sent, failed): `ticket show`.
struct CorrespondenceEntry {
  std::string at, kind, staff, recipient, recipient_fingerprint, message_id, rule, delivery;
  bool encrypted = false;
};
Result<std::vector<CorrespondenceEntry>> ticket_correspondence(Database& db, std::int64_t ticket);

// The staff member's text without the quoted report: every line starting with
// ">" and the attribution line right above a quoted block ("On ..., X wrote:",
// "X schrieb:", "-----Original Message-----" and what follows it). Shared by
// the CLI and the mail path.
std::string strip_quoted_report(const std::string& text);
// Whether the text quotes anything (a "> " line): the mail path uses it to tell
// a staff member that the quotes were removed.
bool has_quoted_lines(const std::string& text);

}  // namespace csirtgw
