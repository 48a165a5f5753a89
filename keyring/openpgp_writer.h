// Signing and encrypting what csirtgw itself sends (acknowledgements) through
// GPGME, with the team key of the daemon's own GnuPG home. Inputs are the
// daemon's own texts, so no output caps apply here; results are ASCII-armored
// for PGP/MIME (RFC 3156).
#pragma once

#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "gpgme_handles.h"
#include "result.h"

namespace csirtgw {

struct DetachedSignature {
  std::string armored;
  std::string micalg;  // "pgp-sha512": the hash gpg really used (RFC 3156 5)
};

// One thread's signing/encrypting contexts, created once and reused.
class OpenPgpWriter {
 public:
  static Result<std::unique_ptr<OpenPgpWriter>> create(const std::filesystem::path& gnupg_home,
                                                       const std::string& signer_fingerprint);

  Result<DetachedSignature> sign_detached(std::string_view data);
  // Why `fingerprint` cannot be encrypted to (missing, revoked, expired,
  // disabled, no encryption subkey), or nullopt when it can.
  Result<std::optional<std::string>> encryption_key_problem(const std::string& fingerprint);
  // Signed and encrypted in one OpenPGP message to the one key `fingerprint`
  // (RFC 3156 6.2, the combined method: one gpg run instead of two), armored.
  // Check the key with encryption_key_problem first.
  Result<std::string> sign_and_encrypt(std::string_view data, const std::string& fingerprint);

 private:
  OpenPgpWriter() = default;
  // Reporter keys, looked up once per keyring change: every gpgme_get_key runs
  // a gpg process, and an acknowledgement needs its key twice. Dropped when
  // pubring.kbx changes (keys import, revocations); expiry by the clock is
  // checked on each use.
  Result<gpgme_key_t> public_key(const std::string& fingerprint);
  std::filesystem::path home_;
  std::map<std::string, GpgmeKey> keys_;
  std::filesystem::file_time_type keyring_time_{};
  GpgmeContext signer_;
  GpgmeContext lookup_;
};

}  // namespace csirtgw
