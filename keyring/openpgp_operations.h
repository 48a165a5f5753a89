// Decrypt and verify through GPGME, over the daemon's own GnuPG home. Results are
// data built from GPGME's structs — never from gpg's text output, so nothing in
// a message (a literal-data file name with "\n[GNUPG:] GOODSIG", CVE-2018-12020)
// can forge a status. Every operation has a deadline and a cap on its output
// (compression bombs, packet floods); output written before a failure is thrown
// away (EFAIL: gpg streams plaintext before it reports a bad or missing MDC).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"

namespace csirtgw {

enum class SignatureStatus { good, bad, unknown_key, expired, revoked };
std::string_view to_string(SignatureStatus status);

struct SignatureCheck {
  SignatureStatus status = SignatureStatus::bad;
  // The signing key's primary fingerprint (upper-case hex) when gpg knows the
  // key, else the issuer the signature names (a key id or fingerprint, as the
  // signature claims it: for a bad signature nothing proves it).
  std::string fingerprint;
  std::int64_t created = 0;  // the signature's creation time (seconds since the epoch), 0 if unknown
};

struct OperationLimits {
  std::size_t max_output = 64 * 1024 * 1024;
  std::chrono::milliseconds deadline{30000};
};

// A message-level failure (the message is at fault): recorded and quarantined.
// Environment failures (gpg-agent gone) come back as Error::temporary instead.
// An OpenPGP message that is signed but not encrypted (`gpg --sign`, `sq sign`:
// one-pass signature, literal data, signature) is `signed_only`: not
// decrypted, its literal data in `plaintext`, its signatures checked.
struct DecryptOutcome {
  bool decrypted = false;
  bool signed_only = false;
  std::string plaintext;       // only when decrypted or signed_only
  std::string failure;         // why not, when !decrypted
  std::vector<SignatureCheck> signatures;  // of a signature inside the encrypted message
  std::string literal_file_name;           // untrusted text from the sender
};
Result<DecryptOutcome> decrypt_and_verify(const std::filesystem::path& gnupg_home, std::string_view ciphertext,
                                          const OperationLimits& limits);

struct VerifyOutcome {
  bool readable = false;       // false: not a signature gpg could process at all
  std::string failure;
  std::vector<SignatureCheck> signatures;
  std::string signed_text;     // for opaque / clearsigned input: the text that was signed
};
// A detached signature over `signed_bytes` (PGP/MIME, RFC 3156 5).
Result<VerifyOutcome> verify_detached(const std::filesystem::path& gnupg_home, std::string_view signed_bytes,
                                     std::string_view signature, const OperationLimits& limits);
// A clearsigned (or opaque signed) message.
Result<VerifyOutcome> verify_clearsigned(const std::filesystem::path& gnupg_home, std::string_view message,
                                         const OperationLimits& limits);

// One pipeline thread's OpenPGP machinery, created once and reused: its GPGME
// contexts (a context costs a `gpg --version` run to set up), its deadline
// watchdog thread, and a cache from signing (sub)key to primary fingerprint
// (fingerprints never change, so a cached answer stays right). With it a
// message costs one gpg process, as in a plain GPGME loop.
class OpenPgpEngine {
 public:
  static Result<std::unique_ptr<OpenPgpEngine>> create(const std::filesystem::path& gnupg_home,
                                                       const OperationLimits& limits);
  ~OpenPgpEngine();
  OpenPgpEngine(const OpenPgpEngine&) = delete;
  OpenPgpEngine& operator=(const OpenPgpEngine&) = delete;

  Result<DecryptOutcome> decrypt_and_verify(std::string_view ciphertext);
  Result<VerifyOutcome> verify_detached(std::string_view signed_bytes, std::string_view signature);
  Result<VerifyOutcome> verify_clearsigned(std::string_view message);

  struct State;  // contexts, watchdog, key cache (openpgp_operations.cpp)

 private:
  explicit OpenPgpEngine(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};


}  // namespace csirtgw
