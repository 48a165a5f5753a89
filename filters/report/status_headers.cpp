// The X-Csirtgw-* headers of a filed message (status_headers.h).
#include "status_headers.h"

#include <cctype>

#include "header_text.h"
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

// `name=value`; a value with white space or specials is quoted (RFC 2045
// parameter syntax), one with non-ASCII text is percent-encoded UTF-8 (RFC 2231:
// `name*=utf-8''...`).
std::string parameter(std::string_view name, const std::string& raw) {
  const std::string value = sanitize_untrusted(raw, 200);
  if (!is_plain_ascii(value)) {
    static const char* const kHex = "0123456789ABCDEF";
    std::string out = std::string(name) + "*=utf-8''";
    for (unsigned char c : value) {
      if (std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == '@') {
        out.push_back(static_cast<char>(c));
      } else {
        out += '%';
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
    }
    return out;
  }
  const bool token = !value.empty() && value.find_first_of(" \t()<>,;:\\\"/[]?=") == std::string::npos;
  if (token) return std::string(name) + "=" + value;
  std::string out = std::string(name) + "=\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

// A key id or fingerprint as gpg reported it: upper-case hex, nothing else.
std::string hex_id(const std::string& text) {
  std::string out;
  for (char c : text)
    if (std::isxdigit(static_cast<unsigned char>(c)) && out.size() < 64)
      out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return out;
}

// "bad; claimed-issuer=<id> (bad); claimed-issuer=<id> (unknown-key)": the
// message's status, then each signature that is not good with the issuer it
// claims (never an X-Csirtgw-Signer: a bad signature names no signer).
std::string signature_field(const CryptoStatus& crypto) {
  constexpr std::size_t kShown = 8;
  std::string out = one_line(crypto.signature);
  std::size_t shown = 0;
  for (const auto& claimed : crypto.claimed_issuers) {
    const std::string id = hex_id(claimed.issuer);
    if (id.empty()) continue;
    if (shown++ == kShown) {
      out += "; (" + std::to_string(crypto.claimed_issuers.size() - kShown) + " more)";
      break;
    }
    out += "; claimed-issuer=" + id + " (" + one_line(claimed.status) + ")";
  }
  return out;
}

std::string verified_field(const CryptoStatus& crypto) {
  if (!crypto.sender_verified) return "no";
  std::string out = "yes";
  if (!crypto.verified_address.empty()) out += "; " + parameter("address", crypto.verified_address);
  if (!crypto.verified_org.empty()) out += "; " + parameter("org", crypto.verified_org);
  return out;
}

// The protected header fields (RFC 9788) as X-Csirtgw-Protected-<Name>, after
// one field that says whether a good signature covers them.
std::string protected_fields(const CryptoStatus& crypto) {
  if (crypto.protected_headers.empty()) return {};
  std::string out = "X-Csirtgw-Protected-Headers: " +
                    std::string(crypto.protected_authenticated ? "authenticated" : "unauthenticated") + "\n";
  for (const auto& field : crypto.protected_headers) {
    std::string name;
    for (char c : field.name)
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '-') name.push_back(c);
    if (name.empty() || name.size() > 40) continue;
    out += "X-Csirtgw-Protected-" + name + ": " + header_text(sanitize_untrusted(field.value, 900), "\n ") + "\n";
  }
  return out;
}

std::string comma_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + one_line(item);
  return out;
}

}  // namespace

std::string render_status_headers(const Report& report) {
  std::string out;
  if (!report.ticket.empty()) out += "X-Csirtgw-Ticket: " + one_line(report.ticket) + "\n";
  out += "X-Csirtgw-Queue: " + one_line(report.queue) + "\n";
  out += "X-Csirtgw-Encryption: " + std::string(encryption_word(report.crypto.encryption)) + "\n";
  const CryptoStatus& crypto = report.crypto;
  out += "X-Csirtgw-Signature: " + signature_field(crypto) + "\n";
  if (!crypto.signer.empty()) out += "X-Csirtgw-Signer: " + hex_id(crypto.signer) + "\n";
  out += "X-Csirtgw-Sender-Verified: " + verified_field(crypto) + "\n";
  if (!crypto.verification_reason.empty())
    out += "X-Csirtgw-Verification-Reason: " + one_line(crypto.verification_reason) + "\n";
  if (!crypto.header_mismatch.empty()) out += "X-Csirtgw-Header-Mismatch: " + comma_list(crypto.header_mismatch) + "\n";
  out += protected_fields(crypto);
  if (!crypto.reason.empty()) out += "X-Csirtgw-Crypto-Reason: " + one_line(crypto.reason) + "\n";
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
