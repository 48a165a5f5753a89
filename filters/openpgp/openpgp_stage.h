// The decrypt/verify stage (crypto itself lives in keyring/). It decides what a
// triage analyst may believe about a report:
//  - encryption none | decrypted | failed (+ reason); failures are quarantined
//  - signature none | good | bad | unknown-key | expired | revoked | partial,
//    the signer only when a signature is good, the issuers other signatures
//    claim, never as the signer
//  - sender verified (and as whom: the address and the registry's
//    organisation): only for a signature over the WHOLE message (the root,
//    after at most one decryption layer, or one inline block that is all of
//    the text), every signature good, exactly one From mailbox, that address
//    bound to the signing key in the registry, the signature made shortly
//    before the message arrived and not long before its Date (replays), and no
//    signed From or Date (RFC 9788 protected headers) that differs from the
//    outer one.
// Each rule below names the attack class it defeats (../shared/docs/SECURITY.md).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>

#include "agent_shards.h"
#include "config.h"
#include "filter.h"
#include "mime_structure.h"
#include "openpgp_worker.h"
#include "signature_timing.h"
#include "sqlite_db.h"

namespace csirtgw {

class OpenPgpStage final : public Filter {
 public:
  // `shards` and `index` pick this thread's GnuPG home (openpgp.agents);
  OpenPgpStage(const Config& config, std::filesystem::path state_dir, AgentShards& shards, std::size_t index);
  // A stage on <state_dir>/gnupg alone (no shards), with its own failure counts.
  OpenPgpStage(const Config& config, std::filesystem::path state_dir);
  std::string_view name() const override { return "openpgp"; }
  FilterOutcome process(Report& report) override;

 private:
  struct Verdict;
  struct Layer;
  void apply_limits(const Config& config);
  void start_worker();
  // The steps of process(): open the one decryption (or signed-message)
  // layer, check the signatures of what is then the message, read the
  // protected header fields, and decide.
  bool open_layer(std::string_view message, const MimeEntity& root, Verdict& verdict, Layer& layer);
  void check_signatures(std::string_view message, const MimeEntity& root, const Layer& layer, Verdict& verdict);
  void read_protected_headers(std::string_view message, const MimeEntity& root, const Layer& layer, Verdict& verdict);
  FilterOutcome finish(Report& report, Verdict& verdict);
  static void summarise_signatures(const Verdict& verdict, CryptoStatus& crypto);
  static void audit_openpgp(Report& report, const Verdict& verdict);
  bool give_up_after_worker_failures(const Report& report, Verdict& verdict);
  Status judge_sender(const Report& report, const Verdict& verdict, CryptoStatus& crypto);
  Result<std::optional<std::string>> binding(const std::string& fingerprint, const std::string& address);

  std::filesystem::path state_dir_;
  std::unique_ptr<AgentShards> own_shards_;  // only for the single-home constructor
  AgentShards* shards_;
  std::size_t index_;
  std::filesystem::path gnupg_home_;  // refreshed per message from shards_
  OperationLimits limits_;
  MimeLimits mime_limits_;
  SignatureTimeLimits time_limits_;
  std::optional<Database> registry_;
  std::unique_ptr<OpenPgpWorker> engine_;  // on this thread's home
  std::size_t failure_limit_ = 1;  // openpgp.worker_failures
};

}  // namespace csirtgw
