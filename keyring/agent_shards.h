// gpg-agent sharding: one gpg-agent serialises private-key operations, so with
// openpgp.agents = N the daemon keeps N-1 copies of its GnuPG home
// (<state>/gnupg-shards/<i>), each served by its own agent, and spreads the
// pipeline threads over them (RSA-3072 decrypt: ~75/s with one agent, ~117/s
// with two on 2 cores). The main home stays the only one operators change:
// a shard re-copies the public keyring whenever the main one is newer, so
// `keys import` takes effect without a restart; a new team secret key needs one.
#pragma once

#include <filesystem>
#include <mutex>
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
  void stop_agents();

 private:
  Status copy_public_keyring(const std::filesystem::path& shard);
  std::filesystem::path main_home_;
  std::filesystem::path shards_root_;
  std::size_t agents_;
  std::mutex mutex_;
};

}  // namespace csirtgw
