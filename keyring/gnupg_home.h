// The daemon's own GnuPG home inside the state directory (0700): it never uses
// the invoking user's keys. Checks the gpg engine version (>= 2.2.36: earlier
// versions garble NOTATION_DATA status lines, CVE-2022-34903) and writes a
// gpg.conf that keeps verbose, auto-key-retrieve and ignore-mdc-error off.
#pragma once

#include <filesystem>
#include <string>

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

}  // namespace csirtgw
