// The team key must work before mail arrives: `serve` (at start-up), `keys
// import --secret` and `check-config` try it -- one signature and one
// decryption through GPGME, as the daemon will make them, without a pinentry
// -- and refuse with the real reason, naming the key by fingerprint and user
// id: protected by a passphrase, expired, revoked, no usable signing or no
// usable encryption (sub)key, no secret key here at all.
#pragma once

#include <filesystem>
#include <string>

#include "result.h"

namespace csirtgw {

// Tries the key in `gnupg_home` itself (its gpg-agent; serve, after dropping
// privileges, in the home its workers use). OK, or Error::bad_input whose
// message starts `team key <FPR> "<user id>": ` and says why; an environment
// failure (no gpg-agent) is Error::temporary. Messages name `shown_home`
// when given (the daemon's home, for a check made in a scratch copy).
Status check_team_key(const std::filesystem::path& gnupg_home, const std::string& fingerprint,
                      const std::filesystem::path& shown_home = {});

// The same on a throwaway copy of `gnupg_home` (public keyring and secret key
// files): the live home is neither changed nor left with a gpg-agent the
// checking user started (check-config, often run as root).
Status check_team_key_in_copy(const std::filesystem::path& gnupg_home, const std::string& fingerprint);

}  // namespace csirtgw
