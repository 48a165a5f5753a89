// Composing one acknowledgement: the template rendered with the ticket and the
// team's promises, as a quoted-printable text part, signed with the team key
// (PGP/MIME, RFC 3156 5) or, when the report came encrypted and the reporter
// has a valid registered key, signed and encrypted to it (RFC 3156 6.2).
// Nothing of the report is used except its envelope sender, its ticket number
// and a clean Message-ID to reply to.
// One composer per worker thread: it owns GPGME contexts.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "ack_planner.h"
#include "ack_template.h"
#include "agent_shards.h"
#include "config.h"
#include "openpgp_worker.h"
#include "result.h"

namespace csirtgw {

struct ComposedAck {
  std::string message;     // CRLF, ready for DATA
  std::string message_id;  // "<ack.SPOOLID@host>"
  bool encrypted = false;
  std::string key_note;    // why an encrypted report got a signed-only ack ("" otherwise)
};

class AckComposer {
 public:
  // `shard`: the pipeline thread's GnuPG home in `shards` (its own gpg-agent).
  AckComposer(const Config& config, const AckTemplates& templates, AgentShards& shards, std::size_t shard,
              std::string team_fingerprint);
  // Temporary errors (gpg-agent gone) defer the report; others are audited as ack-failed.
  Result<ComposedAck> compose(const AckRequest& request);

 private:
  OpenPgpWorker& writer();
  const Config& config_;
  const AckTemplates& templates_;
  AgentShards& shards_;
  std::size_t shard_;
  std::string team_fingerprint_;
  std::unique_ptr<OpenPgpWorker> writer_;
};

// "<ack.SPOOLID@host>": derived from the report, so a report filed again after
// a crash gets an acknowledgement with the same identity.
std::string ack_message_id(const std::string& spool_id, const std::string& hostname);

}  // namespace csirtgw
