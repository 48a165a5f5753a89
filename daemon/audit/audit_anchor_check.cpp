// `audit verify --anchors`: the chain checked against every signed anchor (audit_anchor_check.h).
#include "audit_anchor_check.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "audit_anchor.h"
#include "audit_log.h"
#include "openpgp_operations.h"
#include "untrusted_text.h"

namespace csirtgw {
namespace {

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

std::string why_not_good(SignatureStatus status, const std::string& fingerprint) {
  switch (status) {
    case SignatureStatus::good: return "";
    case SignatureStatus::bad: return "it does not match the record (altered?)";
    case SignatureStatus::unknown_key:
      return "made by a key not in the keyring: " + sanitize_untrusted(fingerprint, 64);
    case SignatureStatus::expired: return "the key or the signature has expired";
    case SignatureStatus::revoked: return "the signing key is revoked";
  }
  return "unknown status";
}

// Why the anchor's signature does not vouch for it, or nullopt when it does.
Result<std::optional<std::string>> signature_problem(OpenPgpEngine& gpg, const AnchorRecord& record,
                                                     const std::string& team) {
  auto outcome = gpg.verify_detached(record.statement, record.signature);
  if (!outcome) return outcome.error();
  // gpg's words are not ours: they may quote the file.
  if (!outcome->readable) return std::optional<std::string>(sanitize_untrusted(outcome->failure, 200));
  if (outcome->signatures.size() != 1)
    return std::optional<std::string>(std::to_string(outcome->signatures.size()) + " signatures, expected one");
  const SignatureCheck& check = outcome->signatures.front();
  if (check.status != SignatureStatus::good) return std::optional<std::string>(why_not_good(check.status, check.fingerprint));
  if (upper(check.fingerprint) != team)
    return std::optional<std::string>("made by key " + sanitize_untrusted(check.fingerprint, 64) +
                                      ", not the team key " + team);
  // The record's own claim must agree with who signed it.
  if (record.anchor.key_fingerprint != team)
    return std::optional<std::string>("the record names key " + record.anchor.key_fingerprint + ", not the team key " +
                                      team);
  return std::optional<std::string>();
}

}  // namespace

Result<AnchoredVerdict> verify_chain_against_anchors(Database& db, std::string_view anchors_text,
                                                     const std::filesystem::path& gnupg_home,
                                                     const std::string& team_fingerprint) {
  AnchoredVerdict verdict;
  const auto broken = [&verdict](std::string why) {
    verdict.intact = false;
    verdict.broken = std::move(why);
    return verdict;
  };

  auto chain = verify_audit_chain(db);
  if (!chain) return chain.error();
  if (!chain->intact) return broken("event " + std::to_string(chain->broken_at) + ": " + chain->reason);
  verdict.events = chain->events;

  // A torn last record is reported too: the daemon drops one at start-up, so
  // one that is still there was cut after the daemon last started.
  const ParsedAnchors parsed = parse_anchor_file(anchors_text);
  if (parsed.problem) return broken(*parsed.problem);

  auto gpg = OpenPgpEngine::create(gnupg_home, OperationLimits{});
  if (!gpg) return gpg.error();
  const std::string team = upper(team_fingerprint);

  for (std::size_t i = 0; i < parsed.records.size(); ++i) {
    const AnchorRecord& record = parsed.records[i];
    const AuditAnchor& anchor = record.anchor;
    const std::string k = std::to_string(i + 1);
    auto problem = signature_problem(*gpg.value(), record, team);
    if (!problem) return problem.error();
    if (*problem) return broken("anchor " + k + ": bad signature (" + **problem + ")");

    const std::string which = "anchor " + k + " (seq " + std::to_string(anchor.seq) + ", signed " + anchor.signed_at + ")";
    if (anchor.seq > chain->events)
      return broken(which + ": the chain ends at seq " + std::to_string(chain->events) + ", anchor " + k +
                    " names seq " + std::to_string(anchor.seq) + " — rows deleted from the end");
    auto hash = audit_hash_at(db, anchor.seq);
    if (!hash) return hash.error();
    // The chain verified, so every seq up to its end has a row.
    if (!hash.value()) return Error::internal("event " + std::to_string(anchor.seq) + " vanished while verifying");
    if (*hash.value() != anchor.head_hash)
      return broken(which + ": event " + std::to_string(anchor.seq) + " has hash " + *hash.value() + ", anchored " +
                    anchor.head_hash + " — rows rewritten after the anchor");
    ++verdict.anchors;
  }
  verdict.intact = true;
  verdict.head_hash = chain->head_hash;
  return verdict;
}

}  // namespace csirtgw
