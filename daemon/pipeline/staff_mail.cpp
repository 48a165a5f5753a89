// Is mail to a staff address a staff command? (staff_mail.h)
#include "staff_mail.h"

#include <variant>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "json_text.h"
#include "untrusted_text.h"

namespace csirtgw {
namespace {

using Judged = std::variant<StaffMember, StaffRefusal>;

// The refusal a signature status that is not good stands for.
std::optional<StaffRefusal> refusal_for_status(const CryptoStatus& crypto) {
  const std::string& s = crypto.signature;
  if (s == "good") return std::nullopt;
  if (s == "none") return StaffRefusal{"unsigned", "the message has no OpenPGP signature"};
  if (s == "bad") return StaffRefusal{"bad-signature", "a signature does not verify"};
  if (s == "partial") return StaffRefusal{"partial-signature", "the signature covers only a part of the message"};
  if (s == "revoked" || s == "expired") return StaffRefusal{"revoked-or-expired-key", "the signing key is " + s};
  if (s == "unknown-key") return StaffRefusal{"unknown-key", "the signing key is not in the gateway's keyring"};
  return StaffRefusal{"not-verified", "signature status " + s};
}

Result<bool> is_reporter_key(Database& db, const std::string& fingerprint) {
  auto stmt = db.prepare("SELECT 1 FROM reporter_keys WHERE fingerprint = ? LIMIT 1");
  if (!stmt) return stmt.error();
  stmt->bind(1, fingerprint);
  return stmt->step();
}

// A good signature that did not verify its sender: a signature time out of
// bounds is a replay (signature_timing.h words it so); anything else is named.
StaffRefusal unverified(const CryptoStatus& crypto) {
  const std::string& why = crypto.verification_reason;
  if (why.find("the signature was made") != std::string::npos || why.find("after the signature") != std::string::npos ||
      why.find("old signature") != std::string::npos)
    return {"replayed", why};
  return {"not-verified", why.empty() ? "the signature does not verify the From address" : why};
}

}  // namespace

bool is_staff_mail(const Report& report, const Config& config) {
  for (const auto& r : report.recipients)
    if (config.staff_intake_for(r.address)) return true;
  return false;
}

Result<Judged> judge_staff_mail(Database& db, const Report& report) {
  const CryptoStatus& crypto = report.crypto;
  if (auto refused = refusal_for_status(crypto)) return Judged{*refused};
  if (report.queue == "quarantine")
    return Judged{StaffRefusal{"openpgp", crypto.reason.empty() ? "the OpenPGP stage quarantined it" : crypto.reason}};
  if (crypto.signer.empty()) return Judged{StaffRefusal{"not-verified", "no signing key named"}};
  auto reporter = is_reporter_key(db, crypto.signer);
  if (!reporter) return reporter.error();
  if (reporter.value()) return Judged{StaffRefusal{"reporter-key", "signed by a reporter's key, not a staff key"}};
  auto member = staff_member_for(db, crypto.signer);
  if (!member) return member.error();
  if (!member.value()) return Judged{StaffRefusal{"not-a-staff-key", "the signing key is not a staff key"}};
  if (!member.value()->active())
    return Judged{StaffRefusal{"removed-staff-key", "the signing key was removed from the staff on " +
                                                        member.value()->removed_at}};
  if (!crypto.sender_verified) return Judged{unverified(crypto)};
  return Judged{*member.value()};
}

void quarantine_staff_mail(Report& report, const StaffRefusal& refusal) {
  report.fault = StageFault{"staff", "", refusal.reason + ": " + sanitize_untrusted(refusal.detail, 300)};
  report.queue = "quarantine";
  nlohmann::json detail = {{"reason", refusal.reason}, {"detail", sanitize_untrusted(refusal.detail, 300)},
                           {"signature", report.crypto.signature}, {"signer", report.crypto.signer}};
  report.audit_notes.push_back({"staff-mail-refused", json_text(detail)});
  spdlog::get("worker")->warn("{}: staff mail quarantined: {}", report.spool_id, refusal.reason);
}

}  // namespace csirtgw
