#include "status_headers.h"

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

// Reasons are our own words, but may quote gpg's error text: keep it one line.
std::string one_line(const std::string& text) {
  std::string out;
  for (char c : text) out.push_back(c == '\r' || c == '\n' || c == '\0' ? ' ' : c);
  return out.substr(0, 200);
}

}  // namespace

std::string render_status_headers(const Report& report) {
  std::string out;
  if (!report.ticket.empty()) out += "X-Csirtgw-Ticket: " + report.ticket + "\n";
  out += "X-Csirtgw-Queue: " + report.queue + "\n";
  out += "X-Csirtgw-Encryption: " + std::string(encryption_word(report.crypto.encryption)) + "\n";
  out += "X-Csirtgw-Signature: " + report.crypto.signature + "\n";
  if (!report.crypto.signer.empty()) out += "X-Csirtgw-Signer: " + report.crypto.signer + "\n";
  out += "X-Csirtgw-Sender-Verified: " + std::string(report.crypto.sender_verified ? "yes" : "no") + "\n";
  if (!report.crypto.reason.empty()) out += "X-Csirtgw-Crypto-Reason: " + one_line(report.crypto.reason) + "\n";
  const Classification& c = report.classification;
  out += "X-Csirtgw-Type: " + c.type + "\n";
  std::string categories;
  for (const auto& r : c.categories) categories += (categories.empty() ? "" : ",") + r.category;
  out += "X-Csirtgw-Disclosure: " + categories + "\n";
  out += "X-Csirtgw-Constituency: " + std::string(c.constituency ? "yes" : "no") + "\n";
  if (!c.tlp.empty()) out += "X-Csirtgw-TLP: " + c.tlp + "\n";
  if (c.priority > 0) out += "X-Csirtgw-Priority: " + std::to_string(c.priority) + "\n";
  return out;
}

}  // namespace csirtgw
