// Decrypt and verify through GPGME (openpgp_operations.h).
#include "openpgp_operations.h"

#include <cerrno>
#include <condition_variable>
#include <map>
#include <cstdio>
#include <strings.h>
#include <mutex>
#include <thread>

#include "gpgme_handles.h"

namespace csirtgw {
namespace {

// Output sink that refuses to grow past its cap: the write fails, gpg gets an
// error and stops, and the operation reports failure.
struct CappedOutput {
  std::string data;
  std::size_t cap = 0;
  bool exceeded = false;

  static ssize_t write(void* handle, const void* buffer, size_t size) {
    auto* self = static_cast<CappedOutput*>(handle);
    if (self->data.size() + size > self->cap) {
      self->exceeded = true;
      errno = EFBIG;
      return -1;
    }
    self->data.append(static_cast<const char*>(buffer), size);
    return static_cast<ssize_t>(size);
  }
};

// One watchdog thread per engine: armed around each operation, it cancels the
// operation if it outlives its deadline (compression bombs, packet floods).
class Watchdog {
 public:
  Watchdog() : thread_([this] { run(); }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    signal_.notify_all();
    thread_.join();
  }
  void arm(gpgme_ctx_t ctx, std::chrono::milliseconds deadline) {
    std::lock_guard lock(mutex_);
    ctx_ = ctx;
    expires_ = std::chrono::steady_clock::now() + deadline;
    expired_ = false;
    signal_.notify_all();
  }
  // Returns whether the deadline passed (and the operation was cancelled).
  bool disarm() {
    std::lock_guard lock(mutex_);
    ctx_ = nullptr;
    return expired_;
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      if (!ctx_) {
        signal_.wait(lock);
        continue;
      }
      if (signal_.wait_until(lock, expires_) == std::cv_status::timeout && ctx_ &&
          std::chrono::steady_clock::now() >= expires_) {
        expired_ = true;
        gpgme_cancel_async(ctx_);
        ctx_ = nullptr;
      }
    }
  }
  std::mutex mutex_;
  std::condition_variable signal_;
  gpgme_ctx_t ctx_ = nullptr;
  std::chrono::steady_clock::time_point expires_;
  bool expired_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

struct SinkData {
  CappedOutput output;
  gpgme_data_cbs callbacks{};
  GpgmeData data;
};

Result<std::unique_ptr<SinkData>> capped_sink(std::size_t cap) {
  auto sink = std::make_unique<SinkData>();
  sink->output.cap = cap;
  sink->callbacks.write = &CappedOutput::write;
  gpgme_data_t raw = nullptr;
  if (auto err = gpgme_data_new_from_cbs(&raw, &sink->callbacks, &sink->output)) return gpgme_failure("gpgme data", err);
  sink->data.reset(raw);
  return sink;
}

SignatureStatus status_of(gpgme_signature_t sig) {
  // Every signature is judged on its own; `summary` may be 0 for a good
  // signature by a key nobody certified, so the error code decides.
  switch (gpgme_err_code(sig->status)) {
    case GPG_ERR_NO_ERROR:
      if (sig->summary & GPGME_SIGSUM_KEY_REVOKED) return SignatureStatus::revoked;
      if (sig->summary & (GPGME_SIGSUM_KEY_EXPIRED | GPGME_SIGSUM_SIG_EXPIRED)) return SignatureStatus::expired;
      if (sig->summary & GPGME_SIGSUM_RED) return SignatureStatus::bad;
      return SignatureStatus::good;
    case GPG_ERR_NO_PUBKEY: return SignatureStatus::unknown_key;
    case GPG_ERR_KEY_EXPIRED:
    case GPG_ERR_SIG_EXPIRED: return SignatureStatus::expired;
    case GPG_ERR_CERT_REVOKED: return SignatureStatus::revoked;
    default: return SignatureStatus::bad;
  }
}

// Reads the verify result, then maps each signing (sub)key to its primary key.
std::vector<SignatureCheck> collect_signatures(gpgme_ctx_t ctx, gpgme_ctx_t lookup,
                                               std::map<std::string, std::string>& primary_of) {
  std::vector<SignatureCheck> checks;
  gpgme_verify_result_t result = gpgme_op_verify_result(ctx);
  if (!result) return checks;
  for (gpgme_signature_t sig = result->signatures; sig; sig = sig->next)
    checks.push_back({status_of(sig), sig->fpr ? sig->fpr : "", static_cast<std::int64_t>(sig->timestamp)});
  for (auto& check : checks) {
    if (check.fingerprint.empty() || check.status == SignatureStatus::unknown_key) continue;
    auto cached = primary_of.find(check.fingerprint);
    if (cached != primary_of.end()) {
      check.fingerprint = cached->second;
      continue;
    }
    gpgme_key_t raw = nullptr;
    if (gpgme_get_key(lookup, check.fingerprint.c_str(), &raw, 0) == 0 && raw) {
      GpgmeKey key(raw);
      if (key->fpr) {
        primary_of.emplace(check.fingerprint, key->fpr);
        check.fingerprint = key->fpr;
      }
    }
  }
  return checks;
}

// "No secret key" for a message that names one of our own keys as recipient:
// gpg asks the agent whether it holds the key, and takes a lost agent for a
// "no" (seen with gpg 2.2.40 when the agent is killed mid-operation). With the
// agent alive and the key file in place that answer cannot come back, whatever
// the message holds (a damaged session key fails later, as pkdecrypt_failed),
// so it is an environment failure, retried. Decided from the keyring files
// alone -- a public key listing and the private key file named by the
// subkey's keygrip -- so it works while the agent is down. A message not
// encrypted to a key of ours still fails for good (quarantined).
bool no_seckey_for_our_key(gpgme_ctx_t ctx, gpgme_ctx_t lookup, const std::filesystem::path& home) {
  gpgme_decrypt_result_t result = gpgme_op_decrypt_result(ctx);
  if (!result) return false;
  const gpgme_keylist_mode_t mode = gpgme_get_keylist_mode(lookup);
  for (gpgme_recipient_t r = result->recipients; r; r = r->next) {
    if (!r->keyid || gpgme_err_code(r->status) != GPG_ERR_NO_SECKEY) continue;
    gpgme_key_t raw = nullptr;
    gpgme_set_keylist_mode(lookup, mode | GPGME_KEYLIST_MODE_WITH_KEYGRIP);
    const gpgme_error_t err = gpgme_get_key(lookup, r->keyid, &raw, /*secret=*/0);
    gpgme_set_keylist_mode(lookup, mode);
    if (err || !raw) continue;
    GpgmeKey key(raw);
    for (gpgme_subkey_t sub = key->subkeys; sub; sub = sub->next) {
      if (!sub->keyid || !sub->keygrip || strcasecmp(sub->keyid, r->keyid) != 0) continue;
      std::error_code ec;
      if (std::filesystem::exists(home / "private-keys-v1.d" / (std::string(sub->keygrip) + ".key"), ec)) return true;
    }
  }
  return false;
}

std::string describe_failure(gpgme_error_t err, bool output_exceeded, bool deadline_expired, std::size_t cap) {
  if (deadline_expired) return "the OpenPGP operation exceeded its deadline";
  if (output_exceeded) return "decrypted output exceeds " + std::to_string(cap) + " octets (compression bomb?)";
  switch (gpgme_err_code(err)) {
    case GPG_ERR_NO_SECKEY: return "not encrypted to the team key";
    case GPG_ERR_BAD_DATA: return "corrupt OpenPGP data";
    case GPG_ERR_NO_DATA: return "no OpenPGP data found";
    default: return std::string("decryption failed: ") + gpgme_strerror(err);
  }
}

}  // namespace

std::string_view to_string(SignatureStatus status) {
  switch (status) {
    case SignatureStatus::good: return "good";
    case SignatureStatus::bad: return "bad";
    case SignatureStatus::unknown_key: return "unknown-key";
    case SignatureStatus::expired: return "expired";
    case SignatureStatus::revoked: return "revoked";
  }
  return "bad";
}

struct OpenPgpEngine::State {
  std::filesystem::path home;
  OperationLimits limits;
  GpgmeContext ctx;
  GpgmeContext lookup;
  Watchdog watchdog;
  std::map<std::string, std::string> primary_of;

  // A cancelled context is replaced rather than trusted again.
  Status renew_context() {
    auto fresh = make_gpgme_context(home);
    if (!fresh) return fresh.error();
    ctx = std::move(fresh.value());
    return ok_status();
  }
};

OpenPgpEngine::OpenPgpEngine(std::unique_ptr<State> state) : state_(std::move(state)) {}
OpenPgpEngine::~OpenPgpEngine() = default;

Result<std::unique_ptr<OpenPgpEngine>> OpenPgpEngine::create(const std::filesystem::path& home,
                                                             const OperationLimits& limits) {
  auto state = std::make_unique<State>();
  state->home = home;
  state->limits = limits;
  auto ctx = make_gpgme_context(home);
  if (!ctx) return ctx.error();
  auto lookup = make_gpgme_context(home);
  if (!lookup) return lookup.error();
  state->ctx = std::move(ctx.value());
  state->lookup = std::move(lookup.value());
  return std::unique_ptr<OpenPgpEngine>(new OpenPgpEngine(std::move(state)));
}

Result<DecryptOutcome> OpenPgpEngine::decrypt_and_verify(std::string_view ciphertext) {
  State& st = *state_;
  auto input = gpgme_data_reading(ciphertext);
  if (!input) return input.error();
  auto sink = capped_sink(st.limits.max_output);
  if (!sink) return sink.error();

  st.watchdog.arm(st.ctx.get(), st.limits.deadline);
  gpgme_error_t err = gpgme_op_decrypt_verify(st.ctx.get(), input->get(), sink.value()->data.get());
  const bool expired = st.watchdog.disarm();

  DecryptOutcome outcome;
  gpgme_decrypt_result_t decrypt = gpgme_op_decrypt_result(st.ctx.get());
  if (decrypt && decrypt->file_name) outcome.literal_file_name = decrypt->file_name;
  const bool no_mdc = decrypt && decrypt->legacy_cipher_nomdc;
  if (expired)
    if (auto renewed = st.renew_context(); !renewed) return renewed.error();
  if (err && is_environment_failure(err) && !expired) return Error::temporary(std::string("gpg: ") + gpgme_strerror(err));
  if (gpgme_err_code(err) == GPG_ERR_NO_SECKEY && !expired && no_seckey_for_our_key(st.ctx.get(), st.lookup.get(), st.home))
    return Error::temporary("gpg: the agent did not provide the team's secret key (gpg-agent lost?)");
  // Signed, not encrypted: gpg checks the signatures and writes the literal
  // data, and GPGME reports that nothing was decrypted (no recipients).
  const bool nothing_encrypted = gpgme_err_code(err) == GPG_ERR_NO_DATA && !(decrypt && decrypt->recipients);
  if (nothing_encrypted && !expired && !sink.value()->output.exceeded) {
    outcome.signatures = collect_signatures(st.ctx.get(), st.lookup.get(), st.primary_of);
    if (!outcome.signatures.empty()) {
      outcome.signed_only = true;
      outcome.plaintext = std::move(sink.value()->output.data);
      return outcome;
    }
  }
  if (err || no_mdc || sink.value()->output.exceeded || expired) {
    // EFAIL: whatever gpg wrote before failing is discarded, never filed.
    outcome.failure = no_mdc ? "no integrity protection (no MDC/AEAD): refused"
                             : describe_failure(err, sink.value()->output.exceeded, expired, st.limits.max_output);
    if (gpgme_err_code(err) == GPG_ERR_DECRYPT_FAILED && !no_mdc && !sink.value()->output.exceeded && !expired)
      outcome.failure = "integrity check failed or data corrupt";
    return outcome;
  }
  outcome.decrypted = true;
  outcome.plaintext = std::move(sink.value()->output.data);
  outcome.signatures = collect_signatures(st.ctx.get(), st.lookup.get(), st.primary_of);
  return outcome;
}

namespace {

Result<VerifyOutcome> run_verify(OpenPgpEngine::State& st, std::string_view signature,
                                 std::optional<std::string_view> signed_bytes);

}  // namespace

Result<VerifyOutcome> OpenPgpEngine::verify_detached(std::string_view signed_bytes, std::string_view signature) {
  return run_verify(*state_, signature, signed_bytes);
}

Result<VerifyOutcome> OpenPgpEngine::verify_clearsigned(std::string_view message) {
  return run_verify(*state_, message, std::nullopt);
}

namespace {

Result<VerifyOutcome> run_verify(OpenPgpEngine::State& st, std::string_view signature,
                                 std::optional<std::string_view> signed_bytes) {
  auto sig = gpgme_data_reading(signature);
  if (!sig) return sig.error();
  std::optional<GpgmeData> text;
  if (signed_bytes) {
    auto data = gpgme_data_reading(*signed_bytes);
    if (!data) return data.error();
    text.emplace(std::move(data.value()));
  }
  auto sink = capped_sink(st.limits.max_output);
  if (!sink) return sink.error();

  st.watchdog.arm(st.ctx.get(), st.limits.deadline);
  gpgme_error_t err = signed_bytes ? gpgme_op_verify(st.ctx.get(), sig->get(), text->get(), nullptr)
                                   : gpgme_op_verify(st.ctx.get(), sig->get(), nullptr, sink.value()->data.get());
  const bool expired = st.watchdog.disarm();
  if (expired)
    if (auto renewed = st.renew_context(); !renewed) return renewed.error();

  VerifyOutcome outcome;
  if (err && is_environment_failure(err) && !expired) return Error::temporary(std::string("gpg: ") + gpgme_strerror(err));
  if (err || sink.value()->output.exceeded || expired) {
    outcome.failure = describe_failure(err, sink.value()->output.exceeded, expired, st.limits.max_output);
    return outcome;
  }
  outcome.signatures = collect_signatures(st.ctx.get(), st.lookup.get(), st.primary_of);
  outcome.readable = !outcome.signatures.empty();
  if (!outcome.readable) outcome.failure = "no signature found";
  if (!signed_bytes) outcome.signed_text = std::move(sink.value()->output.data);
  return outcome;
}

}  // namespace

// One-off forms (tests, command-line tools): an engine for a single operation.
Result<DecryptOutcome> decrypt_and_verify(const std::filesystem::path& home, std::string_view ciphertext,
                                          const OperationLimits& limits) {
  auto engine = OpenPgpEngine::create(home, limits);
  if (!engine) return engine.error();
  return engine.value()->decrypt_and_verify(ciphertext);
}

Result<VerifyOutcome> verify_detached(const std::filesystem::path& home, std::string_view signed_bytes,
                                     std::string_view signature, const OperationLimits& limits) {
  auto engine = OpenPgpEngine::create(home, limits);
  if (!engine) return engine.error();
  return engine.value()->verify_detached(signed_bytes, signature);
}

Result<VerifyOutcome> verify_clearsigned(const std::filesystem::path& home, std::string_view message,
                                         const OperationLimits& limits) {
  auto engine = OpenPgpEngine::create(home, limits);
  if (!engine) return engine.error();
  return engine.value()->verify_clearsigned(message);
}

}  // namespace csirtgw
