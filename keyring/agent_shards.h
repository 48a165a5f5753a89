// gpg-agent sharding: one gpg-agent serialises private-key operations, so with
// openpgp.agents = N the daemon keeps N-1 copies of its GnuPG home
// (<state>/gnupg-shards/<i>), each served by its own agent, and spreads the
// pipeline threads over them (RSA-3072 decrypt: ~75/s with one agent, ~117/s
// with two on 2 cores). The main home stays the only one operators change:
// a shard re-copies the public keyring before its next use whenever the main
// one is not the file it copied last (another inode, size or mtime: gpg
// replaces the keyring on every change), so `keys import` takes effect without
// a restart or a reload; a new team secret key needs a restart. The copy
// replaces the shard's keyring by rename: a gpg already running keeps the
// file it opened.
#pragma once

#include <sys/types.h>

#include <ctime>
#include <filesystem>
#include <mutex>
#include <optional>
#include <vector>

#include "result.h"

namespace csirtgw {

class AgentShards {
 public:
  AgentShards(std::filesystem::path main_home, std::filesystem::path shards_root, std::size_t agents);
  // (Re)creates the copies from the main home; call at start-up.
  Status prepare();
  // The home for pipeline thread `index`, with its public keyring brought up to date.
  std::filesystem::path home_for(std::size_t index);
  // Makes every shard copy the public keyring again before its next use, even
  // if the main one looks unchanged (reload, SIGHUP).
  void resync_public_keyrings();
  void stop_agents();

  // Which file the main public keyring was when it was copied.
  struct KeyringIdentity {
    dev_t device = 0;
    ino_t inode = 0;
    off_t size = 0;
    timespec modified{};
    bool operator==(const KeyringIdentity& other) const;
  };

 private:
  Status copy_public_keyring(const std::filesystem::path& shard);
  std::filesystem::path main_home_;
  std::filesystem::path shards_root_;
  std::size_t agents_;
  std::mutex mutex_;
  std::vector<std::optional<KeyringIdentity>> copied_;  // per shard; [0], the main home, unused
};

}  // namespace csirtgw
