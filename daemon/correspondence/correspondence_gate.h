// The gates every message from a ticket passes before it is composed (issue
// 17): who may receive it, whether it must be encrypted, and what of the
// staff member's text may go. One pure function over facts read beforehand,
// so that each rule is tested both ways without a store or a gpg; the rule
// that decided is audited by name.
//
// The rules, in the order they are tried (first refusal wins):
//   quotes-reply-only          a forward that asks to keep the quoted report is
//                              refused (quotes go to the reporter only; a
//                              forward without that request has them stripped)
//   recipient-address          a forward needs one plain addr-spec
//   reporter-unknown           a reply needs the ticket's reporter's address (a plain one)
//   empty-text                 nothing left to send once the quotes are stripped
//   tlp-red-participants       TLP:RED (and AMBER+STRICT: "the organisation
//                              only") never leaves the ticket's participants
//   tlp-amber-registered-org   a TLP:AMBER forward only to a recipient with a
//                              registered key bound to an organisation
//   encryption-required        the report came encrypted, or TLP AMBER/RED, or
//                              its categories hold private-user or intruder
//                              data: without a usable registered key, no send
// Allowed: "encrypted-to-registered-key" or, when nothing demands encryption
// and the recipient has no usable key, "signed-only-no-key".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "correspondence.h"

namespace csirtgw {

// What the gates read from the ticket.
struct TicketFacts {
  std::int64_t number = 0;
  std::string queue, state, tlp, categories, encryption;  // as in `tickets`
  std::string reporter;                 // where a reply goes: lower case, "" when unknown
  std::vector<std::string> participants;  // lower-case addresses
};

// The recipient's registered key, as found before the gates run.
struct RecipientKey {
  std::string fingerprint;   // a registered key usable for encryption; "" when none
  std::string organisation;  // the registry's organisation for that binding
  std::string problem;       // why there is none ("no key registered for ...", "... revoked")
};

struct GateDecision {
  bool allowed = false;
  bool encrypt = false;       // to RecipientKey::fingerprint
  bool strip_quotes = true;   // the text goes without its quoted lines
  std::string rule;           // the deciding rule's name (above)
  std::string reason;         // the refusal for the staff member, or why encryption was required
};

// Why encryption is mandatory for this ticket, or nullopt when it is not.
std::optional<std::string> encryption_required_because(const TicketFacts& ticket);

// `recipient`: lower case; for a reply, the ticket's reporter.
GateDecision decide_gates(const TicketFacts& ticket, const CorrespondenceRequest& request, const std::string& recipient,
                          const RecipientKey& key);

// One addr-spec a forward may go to: "local@domain", printable ASCII, no
// spaces, brackets or quotes, at most 254 octets.
bool plain_address(const std::string& address);

}  // namespace csirtgw
