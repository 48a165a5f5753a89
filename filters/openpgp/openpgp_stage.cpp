// The OpenPGP stage: decrypt, verify, decide what counts (openpgp_stage.h).
#include "openpgp_stage.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "from_mailboxes.h"
#include "json_text.h"
#include "key_registry.h"
#include "message_header.h"
#include "store.h"
#include "transfer_decoding.h"
#include "untrusted_text.h"

namespace csirtgw {
namespace {

constexpr std::string_view kBeginMessage = "-----BEGIN PGP MESSAGE-----";
constexpr std::string_view kEndMessage = "-----END PGP MESSAGE-----";
constexpr std::string_view kBeginSigned = "-----BEGIN PGP SIGNED MESSAGE-----";
constexpr std::string_view kEndSignature = "-----END PGP SIGNATURE-----";

bool only_white_space(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

// An armored block that starts at a line start: [begin, end of its END line).
struct ArmorBlock {
  std::size_t begin = std::string_view::npos;
  std::size_t end = 0;
  std::size_t count = 0;  // how many such blocks the text holds
};

ArmorBlock find_armor(std::string_view text, std::string_view begin_marker, std::string_view end_marker) {
  ArmorBlock block;
  std::size_t pos = 0;
  while ((pos = text.find(begin_marker, pos)) != std::string_view::npos) {
    if (pos == 0 || text[pos - 1] == '\n') {
      ++block.count;
      if (block.begin == std::string_view::npos) {
        block.begin = pos;
        auto end = text.find(end_marker, pos);
        block.end = end == std::string_view::npos ? text.size() : std::min(text.size(), text.find('\n', end) + 1);
        if (block.end == 0) block.end = text.size();
      }
    }
    pos += begin_marker.size();
  }
  return block;
}

bool is_text(const MimeEntity& e) { return e.content_type.type == "text"; }

bool is_pgp_mime_encrypted(const MimeEntity& e) {
  return e.content_type.is("multipart", "encrypted");
}

// Whether an entity (or anything below it) carries ciphertext.
bool contains_ciphertext(std::string_view message, const MimeEntity& e) {
  if (is_pgp_mime_encrypted(e) || e.content_type.is("application", "pgp-encrypted")) return true;
  if (is_text(e) && e.parts.empty()) {
    std::string body = decode_transfer_encoding(e.body(message), e.transfer_encoding);
    if (find_armor(body, kBeginMessage, kEndMessage).count > 0) return true;
  }
  return std::any_of(e.parts.begin(), e.parts.end(), [&](const MimeEntity& p) { return contains_ciphertext(message, p); });
}

std::size_t count_ciphertexts(std::string_view message, const MimeEntity& e) {
  if (is_pgp_mime_encrypted(e) || e.content_type.is("application", "pgp-encrypted")) return 1;
  if (is_text(e) && e.parts.empty()) {
    std::string body = decode_transfer_encoding(e.body(message), e.transfer_encoding);
    return find_armor(body, kBeginMessage, kEndMessage).count;
  }
  std::size_t n = 0;
  for (const auto& p : e.parts) n += count_ciphertexts(message, p);
  return n;
}

std::size_t count_key_parts(const MimeEntity& e) {
  std::size_t n = e.content_type.is("application", "pgp-keys") ? 1 : 0;
  for (const auto& p : e.parts) n += count_key_parts(p);
  return n;
}

}  // namespace

struct OpenPgpStage::Verdict {
  EncryptionState encryption = EncryptionState::none;
  std::string failure;
  std::vector<SignatureCheck> signatures;
  bool covers_whole = false;
  bool quarantine = false;
  std::string literal_file_name;
  std::optional<std::string> rebuilt_message;  // the decrypted message to file
  std::optional<Error> temporary;
  bool temporary_while_decrypting = false;
  bool worker_died = false;  // the temporary failure was the worker dying on this message
  std::size_t attached_keys = 0;  // application/pgp-keys parts: recorded, never imported
};

OpenPgpStage::OpenPgpStage(const Config& config, std::filesystem::path state_dir, AgentShards& shards,
                           std::size_t index)
    : state_dir_(std::move(state_dir)),
      shards_(&shards),
      index_(index),
      gnupg_home_(state_dir_ / "gnupg") {
  apply_limits(config);
  start_worker();
}

OpenPgpStage::OpenPgpStage(const Config& config, std::filesystem::path state_dir)
    : state_dir_(std::move(state_dir)),
      own_shards_(std::make_unique<AgentShards>(state_dir_ / "gnupg", state_dir_ / "gnupg-shards", 1)),
      shards_(own_shards_.get()),
      index_(0),
      gnupg_home_(state_dir_ / "gnupg") {
  apply_limits(config);
  start_worker();
}

// With the stage, not with its first message: the worker is ready when it comes.
void OpenPgpStage::start_worker() {
  gnupg_home_ = shards_->home_for(index_);
  engine_ = std::make_unique<OpenPgpWorker>(OpenPgpWorkerSettings{gnupg_home_, limits_, ""});
}

void OpenPgpStage::apply_limits(const Config& config) {
  limits_.max_output = static_cast<std::size_t>(config.openpgp_max_plaintext);
  limits_.deadline = std::chrono::milliseconds(config.openpgp_timeout * 1000);
  failure_limit_ = static_cast<std::size_t>(config.openpgp_worker_failures);
  mime_limits_ = mime_limits_from(config);
}

namespace {

// Verifies the signed entities of a (plaintext) tree. A signature at the root
// covers the whole message; one anywhere else covers a part only (MIME
// wrapping: "Johnny, you are fired" — a signed part inside unsigned text).
Status verify_tree(std::string_view message, const MimeEntity& entity, bool is_root, OpenPgpWorker& engine,
                   std::vector<SignatureCheck>& signatures, bool& covers_whole) {
  if (entity.content_type.is("multipart", "signed") && entity.parts.size() == 2 &&
      entity.parts[1].content_type.is("application", "pgp-signature")) {
    // RFC 3156 5: the exact bytes of the first part as received, never a re-serialisation.
    const std::string signed_bytes = to_crlf_line_ends(entity.parts[0].bytes(message));
    const std::string signature = decode_transfer_encoding(entity.parts[1].body(message), entity.parts[1].transfer_encoding);
    auto verified = engine.verify_detached(signed_bytes, signature);
    if (!verified) return verified.error();
    if (verified->signatures.empty()) signatures.push_back({SignatureStatus::bad, ""});
    for (auto& s : verified->signatures) signatures.push_back(s);
    if (is_root) covers_whole = true;
    // Signed content may itself hold signed parts; they add nothing to coverage.
    return verify_tree(message, entity.parts[0], false, engine, signatures, covers_whole);
  }
  if (is_text(entity) && entity.parts.empty()) {
    std::string body = decode_transfer_encoding(entity.body(message), entity.transfer_encoding);
    ArmorBlock block = find_armor(body, kBeginSigned, kEndSignature);
    if (block.count == 0) return ok_status();
    auto verified = engine.verify_clearsigned(std::string_view(body).substr(block.begin, block.end - block.begin));
    if (!verified) return verified.error();
    if (verified->signatures.empty()) signatures.push_back({SignatureStatus::bad, ""});
    for (auto& s : verified->signatures) signatures.push_back(s);
    // Inline: the one block must be all of the text (unsigned text around it is
    // the inline form of the wrapping attack).
    const bool alone = block.count == 1 && only_white_space(std::string_view(body).substr(0, block.begin)) &&
                       only_white_space(std::string_view(body).substr(block.end));
    if (is_root && alone) covers_whole = true;
    return ok_status();
  }
  for (const auto& part : entity.parts)
    if (auto st = verify_tree(message, part, false, engine, signatures, covers_whole); !st) return st;
  return ok_status();
}

std::string outer_headers_without_content(std::string_view message) {
  std::string headers(header_section(message));
  headers = remove_header_fields(headers, "Content-");
  return headers;
}

}  // namespace

FilterOutcome OpenPgpStage::process(Report& report) {
  gnupg_home_ = shards_->home_for(index_);
  Verdict verdict;
  const std::string_view message = report.message();
  auto scanned = scan_mime(message, mime_limits_);
  if (!scanned) {
    verdict.quarantine = true;
    verdict.failure = "MIME structure refused: " + scanned.error().message;
    return finish(report, verdict);
  }
  const MimeEntity& root = scanned.value();
  const std::size_t ciphertexts = count_ciphertexts(message, root);

  std::string plaintext_message;  // the tree whose signatures count
  const MimeEntity* plain_root = &root;
  std::optional<MimeEntity> inner_root;

  if (ciphertexts > 0) {
    const bool root_pgp_mime = is_pgp_mime_encrypted(root) && root.parts.size() == 2 &&
                               root.parts[0].content_type.is("application", "pgp-encrypted");
    const bool root_inline = is_text(root) && root.parts.empty();
    if (ciphertexts > 1 || (!root_pgp_mime && !root_inline)) {
      // EFAIL direct exfiltration: ciphertext wrapped between other parts, two
      // encrypted siblings, or ciphertext inside message/rfc822 is never
      // decrypted, so no plaintext can be joined with attacker-chosen parts.
      verdict.encryption = EncryptionState::failed;
      verdict.quarantine = true;
      verdict.failure = ciphertexts > 1 ? "more than one encrypted part: not decrypted"
                                        : "encrypted part is not the message root: not decrypted";
      return finish(report, verdict);
    }
    std::string ciphertext;
    if (root_pgp_mime) {
      ciphertext = decode_transfer_encoding(root.parts[1].body(message), root.parts[1].transfer_encoding);
    } else {
      std::string body = decode_transfer_encoding(root.body(message), root.transfer_encoding);
      ArmorBlock block = find_armor(body, kBeginMessage, kEndMessage);
      if (!only_white_space(std::string_view(body).substr(0, block.begin)) ||
          !only_white_space(std::string_view(body).substr(block.end))) {
        verdict.encryption = EncryptionState::failed;
        verdict.quarantine = true;
        verdict.failure = "encrypted block mixed with unencrypted text: not decrypted";
        return finish(report, verdict);
      }
      ciphertext = body.substr(block.begin, block.end - block.begin);
    }
    auto decrypted = engine_->decrypt_and_verify(ciphertext);
    if (!decrypted) {
      verdict.temporary = decrypted.error();
      verdict.temporary_while_decrypting = true;
      return finish(report, verdict);
    }
    verdict.literal_file_name = decrypted->literal_file_name;
    if (!decrypted->decrypted) {
      verdict.encryption = EncryptionState::failed;
      verdict.quarantine = true;
      verdict.failure = decrypted->failure;
      return finish(report, verdict);
    }
    verdict.encryption = EncryptionState::decrypted;
    // A signature inside the encrypted message covers all of its plaintext.
    if (!decrypted->signatures.empty()) {
      verdict.signatures = decrypted->signatures;
      verdict.covers_whole = true;
    }
    const std::string plaintext = to_crlf_line_ends(decrypted->plaintext);
    if (root_pgp_mime) {
      plaintext_message = plaintext;
    } else {
      std::string headers(header_section(message));
      headers = remove_header_fields(headers, "Content-Transfer-Encoding");
      const bool ascii = std::all_of(plaintext.begin(), plaintext.end(), [](char c) { return (c & 0x80) == 0; });
      plaintext_message = "Content-Transfer-Encoding: " + std::string(ascii ? "7bit" : "8bit") + "\r\n\r\n" + plaintext;
      verdict.rebuilt_message = headers + "Content-Transfer-Encoding: " + (ascii ? "7bit" : "8bit") + "\r\n\r\n" + plaintext;
    }
    auto inner = scan_mime(plaintext_message, mime_limits_);
    if (!inner) {
      verdict.quarantine = true;
      verdict.failure = "decrypted MIME structure refused: " + inner.error().message;
      return finish(report, verdict);
    }
    if (contains_ciphertext(plaintext_message, inner.value())) {
      // At most one decryption layer: the message is refused as a whole and
      // filed as received (ciphertext), never half-decrypted.
      verdict.encryption = EncryptionState::failed;
      verdict.quarantine = true;
      verdict.failure = "nested encryption: not processed beyond one decryption layer";
      verdict.rebuilt_message.reset();
      verdict.signatures.clear();
      verdict.covers_whole = false;
      return finish(report, verdict);
    }
    inner_root = std::move(inner.value());
    plain_root = &*inner_root;
    if (root_pgp_mime) verdict.rebuilt_message = outer_headers_without_content(message) + plaintext_message;
  }

  const std::string_view tree_text = inner_root ? std::string_view(plaintext_message) : std::string_view(message);
  verdict.attached_keys = count_key_parts(*plain_root);
  bool covers_whole = false;
  std::vector<SignatureCheck> found;
  if (auto st = verify_tree(tree_text, *plain_root, /*is_root=*/true, *engine_, found, covers_whole); !st) {
    if (st.error().kind == ErrorClass::temporary) {
      verdict.temporary = st.error();
      return finish(report, verdict);
    }
    found.push_back({SignatureStatus::bad, ""});
  }
  if (verdict.signatures.empty()) {
    verdict.signatures = std::move(found);
    verdict.covers_whole = covers_whole;
  } else if (!found.empty()) {
    // Signed inside and outside: all are checked; coverage stays whole.
    verdict.signatures.insert(verdict.signatures.end(), found.begin(), found.end());
  }
  return finish(report, verdict);
}

Result<bool> OpenPgpStage::sender_bound(const std::string& fingerprint, const std::vector<std::string>& from) {
  if (!registry_) {
    auto db = open_store_read_only(state_dir_);
    if (!db) return db.error();
    registry_.emplace(std::move(db.value()));
  }
  return key_bound_to(*registry_, fingerprint, from.front());
}

// A temporary failure is retried, unless it is the worker failing on this
// message again and again: a worker that dies (twice in one attempt) or hangs
// on one message while the others go through points at the message (a gpg or
// GPGME crash it triggers), not at the machine. The attempts are counted in the
// store with the process's own deaths (Report::unfinished_attempts); after
// openpgp.worker_failures the message is quarantined rather than deferred
// forever, which in arrival order would hold up every message behind it.
bool OpenPgpStage::give_up_after_worker_failures(const Report& report, Verdict& verdict) {
  if (!engine_->last_failure_was_the_worker()) return false;
  verdict.worker_died = true;
  const std::size_t attempts = static_cast<std::size_t>(report.unfinished_attempts) + 1;
  if (attempts < failure_limit_) {
    verdict.temporary->message += " (attempt " + std::to_string(attempts) + " of " +
                                  std::to_string(failure_limit_) + " before quarantine)";
    return false;
  }
  verdict.failure = "the OpenPGP worker died or hung on this message in " + std::to_string(attempts) +
                    " attempts (a gpg or GPGME crash it triggers?): not processed";
  verdict.quarantine = true;
  if (verdict.temporary_while_decrypting)
    verdict.encryption = EncryptionState::failed;
  else
    verdict.signatures = {{SignatureStatus::bad, ""}};  // not checked: nothing is believed
  verdict.covers_whole = false;
  verdict.temporary.reset();
  return true;
}

FilterOutcome OpenPgpStage::finish(Report& report, Verdict& verdict) {
  if (verdict.temporary && !give_up_after_worker_failures(report, verdict))
    return {FilterVerdict::defer, verdict.temporary->message, verdict.worker_died};
  CryptoStatus& crypto = report.crypto;
  crypto.encryption = verdict.encryption;
  crypto.reason = verdict.failure;

  // Several signatures: every one must be good (an attacker's good signature
  // next to a bad one proves nothing); the worst status is the message's.
  if (!verdict.signatures.empty()) {
    const SignatureStatus order[] = {SignatureStatus::bad, SignatureStatus::revoked, SignatureStatus::expired,
                                     SignatureStatus::unknown_key};
    std::optional<SignatureStatus> worst;
    for (auto s : order)
      if (!worst && std::any_of(verdict.signatures.begin(), verdict.signatures.end(),
                                [&](const SignatureCheck& c) { return c.status == s; }))
        worst = s;
    if (worst) {
      crypto.signature = std::string(to_string(*worst));
      if (*worst == SignatureStatus::bad && crypto.reason.empty())
        crypto.reason = "a signature does not verify: the content was altered or the signature forged";
    } else {
      crypto.signature = verdict.covers_whole ? "good" : "partial";
    }
    // The signer shown is the key behind the status shown: the first signature
    // with the worst status (so a good signature next to a bad one never puts the
    // good signer's name on the bad status), when that key is known.
    const SignatureStatus shown = worst.value_or(SignatureStatus::good);
    for (const auto& c : verdict.signatures)
      if (c.status == shown) {
        if (c.status != SignatureStatus::unknown_key && !c.fingerprint.empty())
          crypto.signer = normalise_fingerprint(c.fingerprint);
        break;
      }
  }

  // ID attacks: exactly one From mailbox, bound in the registry to a key that
  // made a good signature over the whole message.
  crypto.sender_verified = false;
  if (crypto.signature == "good") {
    auto from = from_mailboxes(header_section(report.message()));
    if (from && from->size() == 1) {
      for (const auto& c : verdict.signatures) {
        auto bound = sender_bound(c.fingerprint, from.value());
        if (!bound) return {FilterVerdict::defer, "key registry: " + bound.error().message};
        if (bound.value()) {
          crypto.sender_verified = true;
          crypto.signer = normalise_fingerprint(c.fingerprint);
          break;
        }
      }
    }
  }

  if (verdict.rebuilt_message) report.set_message(std::move(*verdict.rebuilt_message));
  if (verdict.quarantine) report.queue = "quarantine";

  nlohmann::json detail = {{"encryption", crypto.encryption == EncryptionState::decrypted ? "decrypted"
                                          : crypto.encryption == EncryptionState::failed  ? "failed"
                                                                                          : "none"},
                           {"signature", crypto.signature},
                           {"signer", crypto.signer},
                           {"sender_verified", crypto.sender_verified},
                           {"signatures", verdict.signatures.size()}};
  if (!crypto.reason.empty()) detail["reason"] = crypto.reason;
  // The literal-data file name is the sender's text: escaped, never a path.
  if (!verdict.literal_file_name.empty()) detail["literal_file_name"] = sanitize_untrusted(verdict.literal_file_name);
  report.audit_notes.push_back({"openpgp", json_text(detail)});
  if (verdict.quarantine) report.audit_notes.push_back({"quarantined", json_text({{"reason", crypto.reason}})});
  // Keys offered by the sender are never trusted automatically: staff review
  // them (the registry changes only through `csirtgw keys import`).
  const bool autocrypt = header_value(header_section(report.raw_message), "Autocrypt").has_value();
  if (verdict.attached_keys > 0 || autocrypt)
    report.audit_notes.push_back(
        {"keys-offered", json_text({{"pgp_keys_parts", verdict.attached_keys}, {"autocrypt", autocrypt},
                                    {"imported", false}})});
  return {};
}

}  // namespace csirtgw
