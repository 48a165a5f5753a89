// The daemon's own GnuPG home inside the state directory (0700): it never uses
// the invoking user's keys. Checks the gpg engine version (>= 2.2.36: earlier
// versions garble NOTATION_DATA status lines, CVE-2022-34903) and writes a
// gpg.conf that keeps verbose, auto-key-retrieve and ignore-mdc-error off.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <string_view>

#include "result.h"

namespace csirtgw {

// Initialises GPGME once per process and checks the gpg version.
Status init_gpgme();

Status prepare_gnupg_home(const std::filesystem::path& gnupg_home);

// Stops the gpg-agent that gpg started for this home (at daemon shutdown), so
// no agent outlives the daemon. Best effort: gpgconf --kill, without a shell.
void stop_gpg_agent(const std::filesystem::path& gnupg_home);

// The team key: the configured fingerprint (which must have a secret key here),
// else the only secret key in the home, else a new Ed25519/Cv25519 key.
struct TeamKey {
  std::string fingerprint;
  bool generated = false;
};
// The team key's fingerprint without generating one (audit verify): the
// configured fingerprint, else the only secret key in the home.
Result<std::string> find_team_key(const std::filesystem::path& gnupg_home, const std::string& configured_fingerprint);
Result<TeamKey> ensure_team_key(const std::filesystem::path& gnupg_home, const std::string& configured_fingerprint,
                                const std::string& team_name, const std::string& team_address);

// Copies the keys of one home into another (prepared) one: the public
// keyring, the trust database and the secret key files.
Status copy_keys(const std::filesystem::path& from_home, const std::filesystem::path& to_home);

// What `bytes` (armored or binary keys) added to or changed in `gnupg_home`:
// the primary fingerprints (normalised: upper case), and those of them whose
// secret key it holds.
struct ImportedKeys {
  std::set<std::string> fingerprints;
  std::set<std::string> with_secret;
};
Result<ImportedKeys> import_keys(const std::filesystem::path& gnupg_home, std::string_view bytes);

// A fresh GnuPG home under the temporary directory, removed (its gpg-agent
// stopped first) with the object: for trying keys without touching the
// daemon's home (check-config; keys import --secret before the real import).
class ScratchGnupgHome {
 public:
  static Result<ScratchGnupgHome> create();
  ~ScratchGnupgHome();
  ScratchGnupgHome(ScratchGnupgHome&& other) noexcept;
  ScratchGnupgHome& operator=(ScratchGnupgHome&&) = delete;
  ScratchGnupgHome(const ScratchGnupgHome&) = delete;
  ScratchGnupgHome& operator=(const ScratchGnupgHome&) = delete;
  const std::filesystem::path& home() const { return home_; }

 private:
  explicit ScratchGnupgHome(std::filesystem::path root);
  std::filesystem::path root_;  // empty once moved from
  std::filesystem::path home_;
};

}  // namespace csirtgw
