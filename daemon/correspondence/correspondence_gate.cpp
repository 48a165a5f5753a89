// The gates of a message from a ticket (correspondence_gate.h).
#include "correspondence_gate.h"

#include <algorithm>

namespace csirtgw {
namespace {

bool has_category(const std::string& list, const std::string& wanted) {
  std::size_t start = 0;
  while (start <= list.size()) {
    const auto comma = list.find(',', start);
    const auto end = comma == std::string::npos ? list.size() : comma;
    if (list.compare(start, end - start, wanted) == 0) return true;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return false;
}

bool is_participant(const TicketFacts& ticket, const std::string& recipient) {
  return std::find(ticket.participants.begin(), ticket.participants.end(), recipient) != ticket.participants.end();
}

GateDecision refused(std::string rule, std::string reason) {
  GateDecision d;
  d.rule = std::move(rule);
  d.reason = std::move(reason);
  return d;
}

// The recipient rules of a forward: TLP:RED / AMBER+STRICT, TLP:AMBER.
std::optional<GateDecision> forward_tlp_gate(const TicketFacts& ticket, const std::string& recipient,
                                             const RecipientKey& key) {
  const std::string label = "TLP:" + ticket.tlp;
  if ((ticket.tlp == "RED" || ticket.tlp == "AMBER+STRICT") && !is_participant(ticket, recipient))
    return refused("tlp-red-participants",
                   "the ticket is " + label + ": it never leaves the ticket's participants, and " + recipient +
                       " is not one of them");
  if (ticket.tlp == "AMBER" && (key.fingerprint.empty() || key.organisation.empty()))
    return refused("tlp-amber-registered-org",
                   "the ticket is TLP:AMBER: a hand-off goes only to a recipient with a registered key and "
                   "organisation; " +
                       recipient +
                       (key.fingerprint.empty() ? " has no usable key (" + key.problem + ")"
                                                : "'s key " + key.fingerprint + " is registered without an organisation"));
  return std::nullopt;
}

}  // namespace

bool plain_address(const std::string& address) {
  const auto at = address.rfind('@');
  if (address.size() > 254 || at == std::string::npos || at == 0 || at + 1 == address.size()) return false;
  if (address.find('@') != at) return false;
  for (unsigned char c : address)
    if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == '\\' || c == ',' || c == ';' ||
        c == '(' || c == ')' || c == '[' || c == ']' || c == ':')
      return false;
  return true;
}

std::optional<std::string> encryption_required_because(const TicketFacts& ticket) {
  if (ticket.encryption == "decrypted" || ticket.encryption == "failed") return "the report came encrypted";
  if (ticket.tlp == "RED" || ticket.tlp == "AMBER" || ticket.tlp == "AMBER+STRICT")
    return "the ticket is TLP:" + ticket.tlp;
  for (const char* category : {"private-user", "intruder"})
    if (has_category(ticket.categories, category))
      return std::string("the report holds ") + category + " data";
  return std::nullopt;
}

GateDecision decide_gates(const TicketFacts& ticket, const CorrespondenceRequest& request, const std::string& recipient,
                          const RecipientKey& key) {
  const bool forward = request.kind == CorrespondenceKind::forward;
  if (forward && request.keep_quotes)
    return refused("quotes-reply-only",
                   "a forward never carries the quoted report (only a reply to the reporter may): remove the quotes");
  if (forward && !plain_address(recipient))
    return refused("recipient-address", "not one plain address to forward to: " + recipient);
  if (!forward && !plain_address(recipient))
    return refused("reporter-unknown", "the ticket's reporter has no plain address to reply to" +
                                           (recipient.empty() ? std::string() : ": " + recipient));
  if (forward)
    if (auto gate = forward_tlp_gate(ticket, recipient, key)) return *gate;
  const bool strip = forward || !request.keep_quotes;
  if ((strip ? strip_quoted_report(request.text) : request.text).find_first_not_of(" \t\r\n") == std::string::npos)
    return refused("empty-text", "nothing to send: the text is empty once the quoted report is removed");
  const auto required = encryption_required_because(ticket);
  if (required && key.fingerprint.empty())
    return refused("encryption-required", "encryption is required (" + *required + ") and " + recipient +
                                              " has no usable key: " + key.problem);
  GateDecision d;
  d.allowed = true;
  d.encrypt = !key.fingerprint.empty();
  d.strip_quotes = strip;
  d.rule = d.encrypt ? "encrypted-to-registered-key" : "signed-only-no-key";
  d.reason = required.value_or("");
  return d;
}

}  // namespace csirtgw
