// One message on its way through the pipeline: what the intake recorded, the
// message bytes as received, and what the stages have decided so far. Stages
// add to it; the worker files it into the queue it names.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envelope_address.h"
#include "mime_structure.h"
#include "report_content.h"

namespace csirtgw {

enum class EncryptionState { none, decrypted, failed };

// A signature that is not good, as staff see it: the issuer it names (a key
// id or fingerprint, upper-case hex) -- claimed, since nothing proves it --
// and its status.
struct ClaimedIssuer {
  std::string issuer;
  std::string status;  // bad|unknown-key|expired|revoked
};

// A header field of the signed or encrypted part (RFC 9788 protected
// headers): its name as csirtgw spells it, and its value decoded (RFC 2047)
// and sanitised, one line of UTF-8.
struct ProtectedField {
  std::string name;
  std::string value;
};

// What the OpenPGP stage found; carried to later stages and written as the
// X-Csirtgw-Encryption/-Signature/-Signer/-Sender-Verified/... headers.
struct CryptoStatus {
  EncryptionState encryption = EncryptionState::none;
  std::string signature = "none";  // none|good|bad|unknown-key|expired|revoked|partial
  // The primary fingerprint of a GOOD signature (the one bound to the sender
  // when verified); never a bad, unknown, expired or revoked one's.
  std::string signer;
  std::int64_t signed_at = 0;  // the bound signature's creation time (seconds since the epoch), 0 when unknown
  std::vector<ClaimedIssuer> claimed_issuers;  // every signature that is not good
  bool sender_verified = false;
  std::string verified_address;  // when verified: the From address bound to the signer
  std::string verified_org;      // and the organisation the registry names for that binding
  // Why a message with a signature is not verified: no single From mailbox,
  // not bound, a replayed signature, a signed From/Date that differs ...
  std::string verification_reason;
  // Outer header fields that differ from the signed/encrypted part's own.
  std::vector<std::string> header_mismatch;
  std::vector<ProtectedField> protected_headers;
  bool protected_authenticated = false;  // covered by a good signature over the whole message
  std::string reason;              // why encryption failed / the message was quarantined
};

// An audit event a stage wants recorded when the report is filed (in the same
// transaction as the filing, so a retry after a crash records it once).
struct AuditNote {
  std::string event;
  std::string detail;  // compact JSON; never message contents
};

// A stage that failed on the message instead of deciding about it: an
// exception, a broken invariant, or the process dying on it again and again.
// Such a message is filed in the quarantine exactly as received, with the
// reason, and gets neither a ticket nor an acknowledgement.
struct StageFault {
  std::string stage;      // "openpgp", "tickets", "acknowledgement", "filing", "start-up" ...
  std::string exception;  // the exception's class; "" for a death count
  std::string reason;     // our own words; never message contents
};

// One RFC 2350 disclosure category present in the report, and what put it there.
struct DisclosureReason {
  std::string category;  // private-user, intruder, private-site, vulnerability, embarrassing, statistical, contact-information
  std::string because;   // "field affected-host.ip", "indicator cve CVE-2024-1234", ...
};

struct Classification {
  std::string type = "other/undetermined";  // RSIT class/type
  std::string type_because;
  std::vector<DisclosureReason> categories;
  bool constituency = true;
  std::string constituency_because;
  std::string constituency_source;   // "affected-host field", "free-text indicators", ... (no values)
  bool reporter_constituent = false; // the From address (or verified key's) is in the constituency
  std::string reporter_because;
  std::string tlp;
  std::string tlp_because;
  int priority = 0;
  std::string priority_name;
};

struct Report {
  // From the intake (read-only for filters).
  std::string spool_id;
  std::string received_at;
  std::string protocol;
  std::string peer;
  std::string helo;
  std::string sender;
  std::vector<EnvelopeRecipient> recipients;
  std::string raw_message;  // exactly as received (CRLF line ends)
  // Earlier attempts on this message that ended with the process or its
  // OpenPGP worker dying (counted in the store).
  std::int64_t unfinished_attempts = 0;

  // What will be filed: the received bytes until a stage rewrites the message
  // (set_message). Not a copy of raw_message: a 50 MB message that no stage
  // changes is held in memory once.
  std::string_view message() const { return rewritten_message ? std::string_view(*rewritten_message) : raw_message; }
  void set_message(std::string text) {
    rewritten_message = std::move(text);
    scanned_structure.reset();
  }
  std::optional<std::string> rewritten_message;  // set by set_message only

  // The MIME structure of message(), scanned once for every stage that reads it
  // (mime_structure_of); its offsets point into message(), so set_message drops it.
  std::optional<MimeEntity> scanned_structure;

  // Decided by the stages.
  std::string queue = "incoming";            // the Maildir queue to file into (routing decides;
                                             // "incoming" only if no routing rule matched)
  std::vector<std::string> stages_done;      // names, in order, for the audit log
  CryptoStatus crypto;
  ReportContent content;
  Classification classification;
  std::string route_rule;                  // the routing rule that chose `queue`
  std::string ticket;                      // "XYZ-CERT #42", set when filed
  std::optional<bool> participant;         // a follow-up: is its sender one of the ticket's participants?
  std::vector<AuditNote> audit_notes;
  std::optional<StageFault> fault;         // set: quarantined as received, no ticket, no ack
};

// The structure of report.message() under `limits`: scanned on the first call,
// then kept in the report for the next stage (a refused structure is not kept:
// each caller gets the refusal).
inline Result<const MimeEntity*> mime_structure_of(Report& report, const MimeLimits& limits) {
  if (!report.scanned_structure) {
    auto scanned = scan_mime(report.message(), limits);
    if (!scanned) return scanned.error();
    report.scanned_structure = std::move(scanned.value());
  }
  return &*report.scanned_structure;
}

}  // namespace csirtgw
