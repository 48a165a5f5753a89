// Composes one signed (and encrypted) acknowledgement (ack_composer.h).
#include "ack_composer.h"

#include <ctime>

#include "ack_message.h"
#include "message_header.h"

namespace csirtgw {
std::string ack_message_id(const std::string& spool_id, const std::string& hostname) {
  return "<ack." + spool_id + "@" + hostname + ">";
}

AckComposer::AckComposer(const Config& config, const AckTemplates& templates, AgentShards& shards,
                         std::size_t shard, std::string team_fingerprint)
    : config_(config),
      templates_(templates),
      shards_(shards),
      shard_(shard),
      team_fingerprint_(std::move(team_fingerprint)),
      // With the composer, so that it is ready for the first acknowledgement.
      writer_(std::make_unique<OpenPgpWorker>(
          OpenPgpWorkerSettings{shards_.home_for(shard_), {}, team_fingerprint_})) {}

OpenPgpWorker& AckComposer::writer() {
  // Every time: it brings the shard's public keyring up to date, so a
  // reporter key imported while the daemon runs is found.
  (void)shards_.home_for(shard_);
  return *writer_;
}

Result<ComposedAck> AckComposer::compose(const AckRequest& request) {
  OpenPgpWorker& gpg = writer();
  const AckValues values{request.ticket, config_.team_name, request.from_address, config_.ack_response_time,
                         config_.ack_hours};
  const RenderedAck rendered = render_ack(templates_.for_intake(request.intake_name), values);
  const std::string part = text_part(rendered.body);

  ComposedAck ack;
  ack.message_id = ack_message_id(request.spool_id, config_.hostname);
  const std::string boundary = "=_csirtgw_" + request.spool_id;

  std::optional<std::string> encrypt_to;
  if (request.report_encrypted) {
    std::string problems;
    for (const auto& fingerprint : request.registered_keys) {
      auto problem = gpg.encryption_key_problem(fingerprint);
      if (!problem) return problem.error();
      if (!problem.value()) {
        encrypt_to = fingerprint;
        break;
      }
      problems += (problems.empty() ? "" : "; ") + fingerprint + " " + *problem.value();
    }
    if (!encrypt_to)
      ack.key_note = request.registered_keys.empty() ? "no key registered for the sender"
                                                     : "no usable registered key: " + problems;
  }

  std::string entity;
  if (encrypt_to) {
    auto ciphertext = gpg.sign_and_encrypt(part, *encrypt_to);
    if (!ciphertext) return ciphertext.error();
    entity = encrypted_entity(ciphertext.value(), boundary + "_e");
    ack.encrypted = true;
  } else {
    auto signature = gpg.sign_detached(part);
    if (!signature) return signature.error();
    entity = signed_entity(part, signature->armored, signature->micalg, boundary + "_s");
  }
  const AckHeaders headers{config_.team_name, request.from_address, request.recipient, rendered.subject,
                           ack.message_id,    request.in_reply_to,  rfc5322_date(std::time(nullptr)),
                           "",                true};
  ack.message = ack_message(headers, entity);
  return ack;
}

}  // namespace csirtgw
