// One outgoing message from a ticket, built from the staff member's text only
// (never from what they sent us: their signature, key and MIME structure stay
// behind): the headers of the team's acknowledgements (ack_message.h) without
// Auto-Submitted, a quoted-printable text part, signed with the team key
// (RFC 3156 5) or signed and encrypted to the recipient's key (RFC 3156 6.2),
// through the same OpenPGP worker operations the acknowledgements use.
#pragma once

#include <string>

#include "ack_message.h"
#include "openpgp_worker.h"
#include "result.h"

namespace csirtgw {

struct ComposedCorrespondence {
  std::string message;    // CRLF, ready for DATA
  std::string plaintext;  // the same headers around the unsigned text part (the queue copy)
};

// `encrypt_to`: a fingerprint checked with encryption_key_problem, or "" for
// signed only. `boundary`: unique to the message (its outbound id).
Result<ComposedCorrespondence> compose_correspondence(OpenPgpWorker& gpg, const AckHeaders& headers,
                                                      const std::string& text, const std::string& encrypt_to,
                                                      const std::string& boundary);

// "<corr.<random>@host>" and the outbound id "corr-<random>": 128 random bits.
struct OutgoingIdentity {
  std::string outbound_id;
  std::string message_id;
};
OutgoingIdentity new_outgoing_identity(const std::string& hostname);

}  // namespace csirtgw
