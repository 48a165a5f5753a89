// The OpenPGP stage: decrypt, verify, decide what counts (openpgp_stage.h).
#include "openpgp_stage.h"

#include <algorithm>
#include <ctime>

#include <nlohmann/json.hpp>

#include "ascii_case.h"
#include "from_mailboxes.h"
#include "inline_armor.h"
#include "json_text.h"
#include "envelope_address.h"
#include "key_registry.h"
#include "staff_registry.h"
#include "message_header.h"
#include "protected_headers.h"
#include "readable_text.h"
#include "store.h"
#include "transfer_decoding.h"
#include "untrusted_text.h"

namespace csirtgw {
namespace {

bool is_text(const MimeEntity& e) { return e.content_type.type == "text"; }
bool is_html(const MimeEntity& e) { return e.content_type.is("text", "html"); }

bool is_pgp_mime_encrypted(const MimeEntity& e) {
  return e.content_type.is("multipart", "encrypted");
}

bool is_pgp_mime_signed(const MimeEntity& e) {
  return e.content_type.is("multipart", "signed") && e.parts.size() == 2 &&
         e.parts[1].content_type.is("application", "pgp-signature");
}

// How many OpenPGP messages an entity (and everything below it) carries:
// PGP/MIME encrypted parts, and armored PGP MESSAGE blocks in text leaves
// (in HTML, in the text it shows).
std::size_t count_ciphertexts(std::string_view message, const MimeEntity& e) {
  if (is_pgp_mime_encrypted(e) || e.content_type.is("application", "pgp-encrypted")) return 1;
  if (is_text(e) && e.parts.empty()) {
    std::string body = decode_transfer_encoding(e.body(message), e.transfer_encoding);
    if (is_html(e)) return html_may_hold_armor(body) ? recover_html_armor(body).count : 0;
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

// Where the one OpenPGP message of a report sits.
enum class Form { pgp_mime, inline_text, inline_html };

struct Sealed {
  Form form = Form::pgp_mime;
  std::string data;  // armored, or binary when recovered from HTML
};

// The inline text of a decrypted (or signed) block as a MIME entity: the
// outer Content-* fields but the transfer encoding (for HTML, text/plain in
// place of text/html: the decrypted text is no HTML), then the text.
std::string inline_entity(std::string_view message, std::string_view plaintext, bool from_html) {
  const bool ascii = std::all_of(plaintext.begin(), plaintext.end(), [](char c) { return (c & 0x80) == 0; });
  std::string entity;
  for (const auto& field : header_fields(header_section(message))) {
    if (!ascii_istarts_with(field.name, "Content-") || ascii_iequals(field.name, "Content-Transfer-Encoding")) continue;
    if (from_html && ascii_iequals(field.name, "Content-Type")) continue;
    entity.append(field.text);
    if (entity.back() != '\n') entity += "\r\n";
  }
  if (from_html) entity += std::string("Content-Type: text/plain; charset=") + (ascii ? "us-ascii" : "utf-8") + "\r\n";
  // 7bit/8bit where the text allows, quoted-printable where it does not (long
  // lines, bytes that are not UTF-8): readable by grep and IMAP SEARCH either way.
  const ReadableText readable = readable_text(plaintext);
  entity += "Content-Transfer-Encoding: " + readable.transfer_encoding + "\r\n\r\n";
  entity.append(readable.body);
  return entity;
}

// Verifies the signed entities of a (plaintext) tree. A signature at the root
// covers the whole message; one anywhere else covers a part only (MIME
// wrapping: "Johnny, you are fired" — a signed part inside unsigned text).
Status verify_tree(std::string_view message, const MimeEntity& entity, bool is_root, OpenPgpWorker& engine,
                   std::vector<SignatureCheck>& signatures, bool& covers_whole) {
  if (is_pgp_mime_signed(entity)) {
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
  bool signed_only = false;        // an inline OpenPGP message that was signed, not encrypted
  ProtectedHeaders protected_headers;

  // Not decrypted: filed as received, in the quarantine, with the reason.
  void refuse(std::string why) {
    encryption = EncryptionState::failed;
    quarantine = true;
    failure = std::move(why);
  }
};

// The message after the one layer that was opened: the decrypted entity (or
// a signed block's literal data) and its MIME structure.
struct OpenPgpStage::Layer {
  std::string text;
  std::optional<MimeEntity> root;
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
  // A Config built in code (tests) leaves them 0: the defaults then.
  if (config.openpgp_signature_max_age > 0) time_limits_.max_age = config.openpgp_signature_max_age;
  if (config.openpgp_date_skew > 0) time_limits_.date_skew = config.openpgp_date_skew;
}

FilterOutcome OpenPgpStage::process(Report& report) {
  gnupg_home_ = shards_->home_for(index_);
  Verdict verdict;
  const std::string_view message = report.message();
  auto scanned = mime_structure_of(report, mime_limits_);
  if (!scanned) {
    verdict.quarantine = true;
    verdict.failure = "MIME structure refused: " + scanned.error().message;
    return finish(report, verdict);
  }
  // finish() may rewrite the message (and so drop this structure): nothing below uses it after.
  const MimeEntity& root = *scanned.value();
  Layer layer;
  if (!open_layer(message, root, verdict, layer)) return finish(report, verdict);
  check_signatures(message, root, layer, verdict);
  if (!verdict.temporary) read_protected_headers(message, root, layer, verdict);
  return finish(report, verdict);
}

namespace {

// The one OpenPGP message of the report, at its root: the PGP/MIME encrypted
// part, the inline block that is all of a text part, or the armor recovered
// from an HTML part. nullopt, with the verdict's reason, when there is none
// that may be opened.
std::optional<Sealed> sealed_root(std::string_view message, const MimeEntity& root, std::size_t ciphertexts,
                                  std::string& refusal) {
  const bool root_pgp_mime = is_pgp_mime_encrypted(root) && root.parts.size() == 2 &&
                             root.parts[0].content_type.is("application", "pgp-encrypted");
  const bool root_inline = is_text(root) && root.parts.empty();
  if (ciphertexts > 1 || (!root_pgp_mime && !root_inline)) {
    // EFAIL direct exfiltration: ciphertext wrapped between other parts, two
    // encrypted siblings, or ciphertext inside message/rfc822 is never
    // decrypted, so no plaintext can be joined with attacker-chosen parts.
    refusal = ciphertexts > 1 ? "more than one encrypted part: not decrypted"
                              : "encrypted part is not the message root: not decrypted";
    return std::nullopt;
  }
  const std::string mixed = "encrypted block mixed with unencrypted text: not decrypted";
  Sealed sealed;
  if (root_pgp_mime) {
    sealed.data = decode_transfer_encoding(root.parts[1].body(message), root.parts[1].transfer_encoding);
    return sealed;
  }
  const std::string body = decode_transfer_encoding(root.body(message), root.transfer_encoding);
  if (is_html(root)) {
    // Outlook: the armor inside HTML. Recovered exactly, or refused -- never
    // filed as if it were plain unencrypted text.
    sealed.form = Form::inline_html;
    HtmlArmor armor = recover_html_armor(body);
    if (!armor.problem.empty()) refusal = "inline OpenPGP in HTML could not be recovered (" + armor.problem + ")";
    else if (armor.text_around) refusal = mixed;
    if (!refusal.empty()) return std::nullopt;
    sealed.data = std::move(armor.packets);
    return sealed;
  }
  sealed.form = Form::inline_text;
  const ArmorBlock block = find_armor(body, kBeginMessage, kEndMessage);
  if (!only_white_space(std::string_view(body).substr(0, block.begin)) ||
      !only_white_space(std::string_view(body).substr(block.end))) {
    refusal = mixed;
    return std::nullopt;
  }
  sealed.data = body.substr(block.begin, block.end - block.begin);
  return sealed;
}

}  // namespace

// The one decryption layer: the OpenPGP message at the root decrypted -- or,
// signed only, verified and its literal data taken -- and the message to file
// built from it. False when the verdict is settled (refused, deferred).
bool OpenPgpStage::open_layer(std::string_view message, const MimeEntity& root, Verdict& verdict, Layer& layer) {
  const std::size_t ciphertexts = count_ciphertexts(message, root);
  if (ciphertexts == 0) return true;
  std::string refusal;
  std::optional<Sealed> sealed = sealed_root(message, root, ciphertexts, refusal);
  if (!sealed) {
    verdict.refuse(std::move(refusal));
    return false;
  }
  auto opened = engine_->decrypt_and_verify(sealed->data);
  if (!opened) {
    verdict.temporary = opened.error();
    verdict.temporary_while_decrypting = true;
    return false;
  }
  verdict.literal_file_name = opened->literal_file_name;
  if (!opened->decrypted && !opened->signed_only) {
    verdict.refuse(sealed->form == Form::inline_html ? "inline OpenPGP in HTML: " + opened->failure : opened->failure);
    return false;
  }
  verdict.encryption = opened->decrypted ? EncryptionState::decrypted : EncryptionState::none;
  verdict.signed_only = opened->signed_only;
  // A signature inside the OpenPGP message covers all of its plaintext.
  if (!opened->signatures.empty()) {
    verdict.signatures = opened->signatures;
    verdict.covers_whole = true;
  }
  const std::string plaintext = to_crlf_line_ends(opened->plaintext);
  layer.text = sealed->form == Form::pgp_mime ? plaintext
                                              : inline_entity(message, plaintext, sealed->form == Form::inline_html);
  auto inner = scan_mime(layer.text, mime_limits_);
  if (inner) {
    // Base64 text parts filed readable, so grep and IMAP SEARCH find their content.
    if (auto readable = with_readable_text_parts(layer.text, inner.value())) {
      layer.text = std::move(*readable);
      inner = scan_mime(layer.text, mime_limits_);
    }
  }
  if (!inner) {
    verdict.quarantine = true;
    verdict.failure = "decrypted MIME structure refused: " + inner.error().message;
    return false;
  }
  if (count_ciphertexts(layer.text, inner.value()) > 0) {
    // At most one decryption layer: the message is refused as a whole and
    // filed as received (ciphertext), never half-decrypted.
    verdict.refuse("nested encryption: not processed beyond one decryption layer");
    verdict.signatures.clear();
    verdict.covers_whole = false;
    return false;
  }
  layer.root = std::move(inner.value());
  // One header block: the outer fields, the decrypted entity's Content-*, and
  // none of a field a mail client shows once twice (protected_headers.h).
  verdict.rebuilt_message = merge_decrypted_message(header_section(message), layer.text);
  return true;
}

// The signatures over what is now the message: the opened layer, or the
// message as received.
void OpenPgpStage::check_signatures(std::string_view message, const MimeEntity& root, const Layer& layer,
                                    Verdict& verdict) {
  const std::string_view tree_text = layer.root ? std::string_view(layer.text) : message;
  const MimeEntity& tree = layer.root ? *layer.root : root;
  verdict.attached_keys = count_key_parts(tree);
  bool covers_whole = false;
  std::vector<SignatureCheck> found;
  if (auto st = verify_tree(tree_text, tree, /*is_root=*/true, *engine_, found, covers_whole); !st) {
    if (st.error().kind == ErrorClass::temporary) {
      verdict.temporary = st.error();
      return;
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
}

// RFC 9788: the header fields of the signed part (the first part of a
// multipart/signed root), else of the decrypted entity, compared with the
// outer ones.
void OpenPgpStage::read_protected_headers(std::string_view message, const MimeEntity& root, const Layer& layer,
                                          Verdict& verdict) {
  const std::string_view tree_text = layer.root ? std::string_view(layer.text) : message;
  const MimeEntity& tree = layer.root ? *layer.root : root;
  const bool encrypted = verdict.encryption == EncryptionState::decrypted;
  if (is_pgp_mime_signed(tree))
    verdict.protected_headers =
        compare_protected_headers(header_section(message), tree.parts[0].headers(tree_text), encrypted);
  if (verdict.protected_headers.fields.empty() && layer.root)
    verdict.protected_headers = compare_protected_headers(header_section(message), header_section(layer.text), encrypted);
}

Result<std::optional<std::string>> OpenPgpStage::binding(const std::string& fingerprint, const std::string& address) {
  if (!registry_) {
    auto db = open_store_read_only(state_dir_);
    if (!db) return db.error();
    registry_.emplace(std::move(db.value()));
  }
  auto reporter = key_binding(*registry_, fingerprint, address);
  if (!reporter || reporter.value()) return reporter;
  // A staff member's key verifies its own address by the same rules (the
  // staff step then decides whether the message is a staff command).
  auto staff = staff_member_for(*registry_, fingerprint);
  if (!staff) return staff.error();
  if (staff.value() && staff.value()->active() && staff.value()->email == lowercase_address(address))
    return std::optional<std::string>{std::string()};
  return std::optional<std::string>{};
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

// ID attacks: exactly one From mailbox, bound in the registry to a key that
// made a good signature over the whole message. Replays: that signature made
// shortly before the message arrived and before its Date. RFC 9788: no signed
// From or Date that differs from the outer one. An error only when the
// registry cannot be read (the message is retried).
Status OpenPgpStage::judge_sender(const Report& report, const Verdict& verdict, CryptoStatus& crypto) {
  crypto.sender_verified = false;
  if (verdict.signatures.empty()) return ok_status();
  if (crypto.signature != "good") {
    crypto.verification_reason = crypto.signature == "partial" ? "the signature covers only a part of the message"
                                                                : "not every signature is good";
    return ok_status();
  }
  const std::string_view headers = header_section(report.message());
  auto from = from_mailboxes(headers);
  if (!from || from->size() != 1) {
    crypto.verification_reason = !from            ? "the From field cannot be read as mailboxes"
                                 : from->empty() ? "the message has no From mailbox"
                                                 : std::to_string(from->size()) + " From mailboxes, not one";
    return ok_status();
  }
  const SignatureCheck* bound = nullptr;
  std::string organisation;
  for (const auto& c : verdict.signatures) {
    auto found = binding(c.fingerprint, from->front());
    if (!found) return found.error();
    if (found.value()) {
      bound = &c;
      organisation = *found.value();
      break;
    }
  }
  if (!bound) {
    crypto.verification_reason = "the From address is not bound to the signing key in the registry";
    return ok_status();
  }
  crypto.signer = normalise_fingerprint(bound->fingerprint);
  crypto.signed_at = bound->created;
  const std::int64_t arrived = parse_received_at(report.received_at).value_or(std::time(nullptr));
  const auto date = parse_rfc5322_date(header_value(headers, "Date").value_or(""));
  for (const auto& c : verdict.signatures) {
    std::string problem = signature_time_problem(c.created, arrived, date, time_limits_);
    if (!problem.empty()) {
      crypto.verification_reason = std::move(problem);
      return ok_status();
    }
  }
  for (const char* field : {"From", "Date"})
    if (std::find(crypto.header_mismatch.begin(), crypto.header_mismatch.end(), field) != crypto.header_mismatch.end()) {
      crypto.verification_reason = std::string("the signed ") + field + " differs from the outer " + field;
      return ok_status();
    }
  crypto.sender_verified = true;
  crypto.verified_address = from->front();
  crypto.verified_org = organisation;
  return ok_status();
}

// Several signatures: every one must be good (an attacker's good signature next
// to a bad one proves nothing); the worst status is the message's. A bad
// signature names no signer: the signer shown is a good signature's key; every
// other signature is shown with the issuer it claims.
void OpenPgpStage::summarise_signatures(const Verdict& verdict, CryptoStatus& crypto) {
  if (verdict.signatures.empty()) return;
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
  for (const auto& c : verdict.signatures) {
    if (c.status != SignatureStatus::good)
      crypto.claimed_issuers.push_back({c.fingerprint, std::string(to_string(c.status))});
    else if (crypto.signer.empty() && !c.fingerprint.empty())
      crypto.signer = normalise_fingerprint(c.fingerprint);
  }
}

// The stage's audit events: what it found, a quarantine, keys the sender offered.
void OpenPgpStage::audit_openpgp(Report& report, const Verdict& verdict) {
  const CryptoStatus& crypto = report.crypto;
  nlohmann::json detail = {{"encryption", crypto.encryption == EncryptionState::decrypted ? "decrypted"
                                          : crypto.encryption == EncryptionState::failed  ? "failed"
                                                                                          : "none"},
                           {"signature", crypto.signature},
                           {"signer", crypto.signer},
                           {"sender_verified", crypto.sender_verified},
                           {"signatures", verdict.signatures.size()}};
  if (verdict.signed_only) detail["signed_only"] = true;
  if (!crypto.reason.empty()) detail["reason"] = crypto.reason;
  if (!crypto.verification_reason.empty()) detail["verification_reason"] = crypto.verification_reason;
  if (!crypto.header_mismatch.empty()) detail["header_mismatch"] = crypto.header_mismatch;
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
}

FilterOutcome OpenPgpStage::finish(Report& report, Verdict& verdict) {
  if (verdict.temporary && !give_up_after_worker_failures(report, verdict))
    return {FilterVerdict::defer, verdict.temporary->message, verdict.worker_died};
  CryptoStatus& crypto = report.crypto;
  crypto.encryption = verdict.encryption;
  crypto.reason = verdict.failure;

  summarise_signatures(verdict, crypto);
  crypto.protected_headers = std::move(verdict.protected_headers.fields);
  crypto.header_mismatch = std::move(verdict.protected_headers.mismatch);
  crypto.protected_authenticated = crypto.signature == "good";
  if (auto judged = judge_sender(report, verdict, crypto); !judged)
    return {FilterVerdict::defer, "key registry: " + judged.error().message};

  if (verdict.rebuilt_message) report.set_message(std::move(*verdict.rebuilt_message));
  if (verdict.quarantine) report.queue = "quarantine";

  audit_openpgp(report, verdict);
  return {};
}

}  // namespace csirtgw
