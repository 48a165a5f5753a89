// Signing and encrypting what csirtgw sends (openpgp_writer.h).
#include "openpgp_writer.h"

#include <algorithm>
#include <cctype>

namespace csirtgw {
namespace {

Result<GpgmeKey> find_key(gpgme_ctx_t ctx, const std::string& fingerprint, bool secret) {
  gpgme_key_t raw = nullptr;
  if (auto err = gpgme_get_key(ctx, fingerprint.c_str(), &raw, secret ? 1 : 0)) {
    if (gpgme_err_code(err) == GPG_ERR_EOF) return Error::bad_input("no key " + fingerprint + " in the keyring");
    return gpgme_failure("looking up key " + fingerprint, err);
  }
  return GpgmeKey(raw);
}

Result<GpgmeContext> armored_context(const std::filesystem::path& home) {
  auto ctx = make_gpgme_context(home);
  if (!ctx) return ctx.error();
  gpgme_set_armor(ctx->get(), 1);
  gpgme_set_textmode(ctx->get(), 0);  // the MIME part is already canonical CRLF text
  return ctx;
}

}  // namespace

Result<std::unique_ptr<OpenPgpWriter>> OpenPgpWriter::create(const std::filesystem::path& gnupg_home,
                                                             const std::string& signer_fingerprint) {
  std::unique_ptr<OpenPgpWriter> writer(new OpenPgpWriter());
  writer->home_ = gnupg_home;
  for (GpgmeContext* ctx : {&writer->signer_, &writer->lookup_}) {
    auto made = armored_context(gnupg_home);
    if (!made) return made.error();
    *ctx = std::move(made.value());
  }
  auto key = find_key(writer->lookup_.get(), signer_fingerprint, /*secret=*/true);
  if (!key) return key.error();
  if (auto err = gpgme_signers_add(writer->signer_.get(), key->get())) return gpgme_failure("adding the signer", err);
  return writer;
}

Result<DetachedSignature> OpenPgpWriter::sign_detached(std::string_view data) {
  auto input = gpgme_data_reading(data);
  if (!input) return input.error();
  auto output = gpgme_data_in_memory();
  if (!output) return output.error();
  if (auto err = gpgme_op_sign(signer_.get(), input->get(), output->get(), GPGME_SIG_MODE_DETACH))
    return gpgme_failure("signing with the team key", err);
  gpgme_sign_result_t result = gpgme_op_sign_result(signer_.get());
  if (!result || !result->signatures || result->invalid_signers)
    return Error::internal("signing with the team key produced no signature");
  const char* hash = gpgme_hash_algo_name(result->signatures->hash_algo);
  if (!hash) return Error::internal("gpg used a hash algorithm GPGME cannot name");
  DetachedSignature signature;
  signature.micalg = "pgp-" + std::string(hash);
  std::transform(signature.micalg.begin(), signature.micalg.end(), signature.micalg.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  signature.armored = gpgme_data_text(output.value());
  return signature;
}

Result<gpgme_key_t> OpenPgpWriter::public_key(const std::string& fingerprint) {
  std::error_code ec;
  const auto keyring_time = std::filesystem::last_write_time(home_ / "pubring.kbx", ec);
  if (ec || keyring_time != keyring_time_) {
    keys_.clear();
    keyring_time_ = ec ? std::filesystem::file_time_type{} : keyring_time;
  }
  auto cached = keys_.find(fingerprint);
  if (cached == keys_.end()) {
    auto key = find_key(lookup_.get(), fingerprint, /*secret=*/false);
    if (!key) return key.error();
    cached = keys_.emplace(fingerprint, std::move(key.value())).first;
  }
  return cached->second.get();
}

Result<std::optional<std::string>> OpenPgpWriter::encryption_key_problem(const std::string& fingerprint) {
  auto key = public_key(fingerprint);
  if (!key) {
    if (key.error().kind == ErrorClass::bad_input) return std::optional<std::string>("not in the keyring");
    return key.error();
  }
  const gpgme_key_t k = key.value();
  const auto now = static_cast<long>(std::time(nullptr));
  // `expired` was true when the key was listed; a cached key may have expired since.
  auto expired = [now](gpgme_subkey_t sub) { return sub->expired || (sub->expires > 0 && sub->expires <= now); };
  if (k->revoked) return std::optional<std::string>("revoked");
  if (k->expired || (k->subkeys && expired(k->subkeys))) return std::optional<std::string>("expired");
  if (k->disabled) return std::optional<std::string>("disabled");
  if (k->invalid) return std::optional<std::string>("invalid");
  // can_encrypt on the key means some subkey can; it must also be current.
  for (gpgme_subkey_t sub = k->subkeys; sub; sub = sub->next)
    if (sub->can_encrypt && !sub->revoked && !expired(sub) && !sub->disabled && !sub->invalid)
      return std::optional<std::string>();
  return std::optional<std::string>("no usable encryption subkey");
}

Result<std::string> OpenPgpWriter::sign_and_encrypt(std::string_view data, const std::string& fingerprint) {
  auto key = public_key(fingerprint);
  if (!key) return key.error();
  auto input = gpgme_data_reading(data);
  if (!input) return input.error();
  auto output = gpgme_data_in_memory();
  if (!output) return output.error();
  gpgme_key_t recipients[] = {key.value(), nullptr};
  // The registry, not the web of trust, says whose key this is.
  if (auto err = gpgme_op_encrypt_sign(signer_.get(), recipients, GPGME_ENCRYPT_ALWAYS_TRUST, input->get(),
                                       output->get()))
    return gpgme_failure("signing and encrypting to " + fingerprint, err);
  gpgme_encrypt_result_t encrypted = gpgme_op_encrypt_result(signer_.get());
  if (encrypted && encrypted->invalid_recipients) return Error::bad_input("gpg refused the key " + fingerprint);
  gpgme_sign_result_t signed_result = gpgme_op_sign_result(signer_.get());
  if (!signed_result || !signed_result->signatures || signed_result->invalid_signers)
    return Error::internal("signing with the team key produced no signature");
  return gpgme_data_text(output.value());
}

}  // namespace csirtgw
