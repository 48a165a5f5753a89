// Trying the team key before any mail needs it (team_key_check.h).
#include "team_key_check.h"

#include <ctime>

#include "gnupg_home.h"
#include "gpgme_handles.h"
#include "untrusted_text.h"
#include "utc_text.h"

namespace csirtgw {
namespace {

constexpr std::string_view kTrialText = "csirtgw: the team key is tried before mail arrives\r\n";

// The daemon has no pinentry: a key that asks for a passphrase gets an empty
// one once, and is refused on the second ask.
gpgme_error_t empty_passphrase(void*, const char*, const char*, int previous_was_bad, int fd) {
  if (previous_was_bad) return gpg_error(GPG_ERR_CANCELED);
  return gpgme_io_writen(fd, "\n", 1) == 0 ? 0 : gpgme_error_from_syserror();
}

bool asks_for_passphrase(gpgme_error_t err) {
  switch (gpgme_err_code(err)) {
    case GPG_ERR_NO_PASSPHRASE:
    case GPG_ERR_BAD_PASSPHRASE:
    case GPG_ERR_CANCELED:
    case GPG_ERR_NO_PIN:
    case GPG_ERR_BAD_PIN:
      return true;
    default:
      return false;
  }
}

bool usable(gpgme_subkey_t sub, long now) {
  return !sub->revoked && !sub->expired && !(sub->expires > 0 && sub->expires <= now) && !sub->disabled &&
         !sub->invalid;
}

// What the key listing already tells: revoked, expired, no (sub)key that can
// sign or encrypt, no secret signing key. "" when none of these.
std::string listed_problem(gpgme_key_t key, const std::filesystem::path& home) {
  const long now = static_cast<long>(std::time(nullptr));
  if (key->revoked) return "is revoked";
  if (key->expired || (key->subkeys && key->subkeys->expires > 0 && key->subkeys->expires <= now))
    return "expired on " + utc_text(key->subkeys ? key->subkeys->expires : 0, "%Y-%m-%d");
  if (key->disabled) return "is disabled";
  if (key->invalid) return "is invalid";
  bool can_sign = false, can_encrypt = false, secret_sign = false;
  for (gpgme_subkey_t sub = key->subkeys; sub; sub = sub->next) {
    if (!usable(sub, now)) continue;
    if (sub->can_sign) {
      can_sign = true;
      secret_sign = secret_sign || sub->secret;
    }
    if (sub->can_encrypt) can_encrypt = true;
  }
  if (!can_sign) return "has no usable signing (sub)key (acknowledgements and audit anchors are signed with it)";
  if (!can_encrypt) return "has no usable encryption (sub)key (reporters encrypt to it)";
  if (!secret_sign) return "has no secret signing key in " + home.string() + " (only its public part)";
  return {};
}

std::string user_id_of(gpgme_key_t key) {
  for (gpgme_user_id_t uid = key->uids; uid; uid = uid->next)
    if (!uid->revoked && !uid->invalid && uid->uid) return uid->uid;
  return key->uids && key->uids->uid ? key->uids->uid : "";
}

// One signature and one decryption, as the daemon will make them: signed and
// encrypted to the key in one operation, then decrypted and verified. "" when
// both worked; the problem otherwise (temporary errors come back as errors).
Result<std::string> trial_problem(gpgme_ctx_t ctx, gpgme_key_t key, const std::filesystem::path& home) {
  const std::string passphrase = "is protected by a passphrase, and csirtgw runs without a pinentry: remove it "
                                 "(gpg --passwd " + std::string(key->fpr ? key->fpr : "") +
                                 ", an empty new passphrase; the daemon's GnuPG home is " + home.string() + ")";
  gpgme_set_passphrase_cb(ctx, empty_passphrase, nullptr);
  gpgme_signers_clear(ctx);
  if (auto err = gpgme_signers_add(ctx, key)) return gpgme_failure("adding the signer", err);
  auto plain = gpgme_data_reading(kTrialText);
  if (!plain) return plain.error();
  auto sealed = gpgme_data_in_memory();
  if (!sealed) return sealed.error();
  gpgme_key_t recipients[] = {key, nullptr};
  if (auto err = gpgme_op_encrypt_sign(ctx, recipients, GPGME_ENCRYPT_ALWAYS_TRUST, plain->get(), sealed->get())) {
    if (asks_for_passphrase(err)) return passphrase;
    if (is_environment_failure(err)) return gpgme_failure("trial signature", err);
    gpgme_sign_result_t signed_result = gpgme_op_sign_result(ctx);
    if (signed_result && signed_result->invalid_signers)
      return std::string("cannot sign: ") + gpgme_strerror(signed_result->invalid_signers->reason);
    return std::string("cannot sign and encrypt: ") + gpgme_strerror(err);
  }
  const std::string ciphertext = gpgme_data_text(sealed.value());
  auto input = gpgme_data_reading(ciphertext);
  if (!input) return input.error();
  auto output = gpgme_data_in_memory();
  if (!output) return output.error();
  if (auto err = gpgme_op_decrypt_verify(ctx, input->get(), output->get())) {
    if (asks_for_passphrase(err)) return passphrase;
    if (is_environment_failure(err)) return gpgme_failure("trial decryption", err);
    return std::string("cannot decrypt what is encrypted to it: ") + gpgme_strerror(err);
  }
  gpgme_verify_result_t verified = gpgme_op_verify_result(ctx);
  if (!verified || !verified->signatures || gpgme_err_code(verified->signatures->status) != GPG_ERR_NO_ERROR)
    return std::string("its own signature does not verify");
  if (gpgme_data_text(output.value()) != kTrialText) return std::string("decrypts to other text than it encrypted");
  return std::string();
}

}  // namespace

Status check_team_key(const std::filesystem::path& gnupg_home, const std::string& fingerprint,
                      const std::filesystem::path& shown_home) {
  const std::filesystem::path& home = shown_home.empty() ? gnupg_home : shown_home;
  auto ctx = make_gpgme_context(gnupg_home);
  if (!ctx) return ctx.error();
  gpgme_key_t raw = nullptr;
  if (auto err = gpgme_get_key(ctx->get(), fingerprint.c_str(), &raw, /*secret=*/1); err || !raw) {
    // GPG_ERR_EOF: no such key (gpgme_get_key's "not found").
    if (err && gpgme_err_code(err) != GPG_ERR_EOF && is_environment_failure(err))
      return gpgme_failure("looking up the team key", err);
    return Error::bad_input("team key " + fingerprint + ": no secret key in " + home.string() +
                            " (import it with `csirtgw keys import --secret FILE`)");
  }
  GpgmeKey key(raw);
  const std::string name = "team key " + std::string(key->fpr ? key->fpr : fingerprint.c_str()) + " \"" +
                           sanitize_untrusted(user_id_of(key.get()), 200) + "\": ";
  if (std::string problem = listed_problem(key.get(), home); !problem.empty()) return Error::bad_input(name + problem);
  auto problem = trial_problem(ctx->get(), key.get(), home);
  if (!problem) return problem.error();
  if (!problem->empty()) return Error::bad_input(name + problem.value());
  return ok_status();
}

Status check_team_key_in_copy(const std::filesystem::path& home, const std::string& fingerprint) {
  auto scratch = ScratchGnupgHome::create();
  if (!scratch) return scratch.error();
  if (auto st = copy_keys(home, scratch->home()); !st) return Error::bad_input(st.error().message);
  return check_team_key(scratch->home(), fingerprint, home);
}

}  // namespace csirtgw
