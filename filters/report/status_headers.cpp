// The X-Csirtgw-* headers of a filed message (status_headers.h).
#include "status_headers.h"

#include "untrusted_text.h"

namespace csirtgw {
namespace {

const char* encryption_word(EncryptionState state) {
  switch (state) {
    case EncryptionState::none: return "none";
    case EncryptionState::decrypted: return "decrypted";
    case EncryptionState::failed: return "failed";
  }
  return "none";
}

// Reasons are our own words, but may quote gpg's error text: one door out.
std::string one_line(const std::string& text) { return sanitize_untrusted(text, 200); }

// Why the report is (or is not) ours, whether the reporter is one of our own
// users, and whether a follow-up came from one of its ticket's participants.
std::string classification_evidence(const Report& report) {
  const Classification& c = report.classification;
  std::string out;
  if (!c.constituency_because.empty())
    out += "X-Csirtgw-Constituency-Because: " + one_line(c.constituency_because) + "\n";
  if (c.reporter_constituent) out += "X-Csirtgw-Reporter: constituent; " + one_line(c.reporter_because) + "\n";
  if (report.participant) out += "X-Csirtgw-Participant: " + std::string(*report.participant ? "yes" : "no") + "\n";
  return out;
}

}  // namespace

std::string render_status_headers(const Report& report) {
  std::string out;
  if (!report.ticket.empty()) out += "X-Csirtgw-Ticket: " + one_line(report.ticket) + "\n";
  out += "X-Csirtgw-Queue: " + one_line(report.queue) + "\n";
  out += "X-Csirtgw-Encryption: " + std::string(encryption_word(report.crypto.encryption)) + "\n";
  out += "X-Csirtgw-Signature: " + one_line(report.crypto.signature) + "\n";
  if (!report.crypto.signer.empty()) out += "X-Csirtgw-Signer: " + one_line(report.crypto.signer) + "\n";
  out += "X-Csirtgw-Sender-Verified: " + std::string(report.crypto.sender_verified ? "yes" : "no") + "\n";
  if (!report.crypto.reason.empty()) out += "X-Csirtgw-Crypto-Reason: " + one_line(report.crypto.reason) + "\n";
  if (report.fault)
    out += "X-Csirtgw-Quarantine-Reason: " + one_line(report.fault->stage + ": " + report.fault->reason) + "\n";
  const Classification& c = report.classification;
  out += "X-Csirtgw-Type: " + one_line(c.type) + "\n";
  std::string categories;
  for (const auto& r : c.categories) categories += (categories.empty() ? "" : ",") + r.category;
  out += "X-Csirtgw-Disclosure: " + one_line(categories) + "\n";
  out += "X-Csirtgw-Constituency: " + std::string(c.constituency ? "yes" : "no") + "\n";
  if (!c.tlp.empty()) out += "X-Csirtgw-TLP: " + one_line(c.tlp) + "\n";
  if (c.priority > 0) out += "X-Csirtgw-Priority: " + std::to_string(c.priority) + "\n";
  out += classification_evidence(report);
  return out;
}

}  // namespace csirtgw
