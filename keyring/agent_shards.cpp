// gpg-agent shards: copies of the GnuPG home, one agent each (agent_shards.h).
#include "agent_shards.h"

#include <sys/stat.h>

#include "durable_file.h"
#include "gnupg_home.h"

namespace csirtgw {
namespace fs = std::filesystem;
namespace {

// Taken BEFORE copying: if gpg replaces the keyring during the copy, the copy
// may hold the old content, but the next look finds another file and copies again.
std::optional<AgentShards::KeyringIdentity> identity_of(const fs::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return std::nullopt;
  return AgentShards::KeyringIdentity{st.st_dev, st.st_ino, st.st_size, st.st_mtim};
}

}  // namespace

bool AgentShards::KeyringIdentity::operator==(const KeyringIdentity& other) const {
  return device == other.device && inode == other.inode && size == other.size &&
         modified.tv_sec == other.modified.tv_sec && modified.tv_nsec == other.modified.tv_nsec;
}

AgentShards::AgentShards(fs::path main_home, fs::path shards_root, std::size_t agents)
    : main_home_(std::move(main_home)),
      shards_root_(std::move(shards_root)),
      agents_(std::max<std::size_t>(1, agents)),
      copied_(agents_) {}

Status AgentShards::prepare() {
  for (std::size_t i = 1; i < agents_; ++i) {
    const fs::path shard = shards_root_ / std::to_string(i);
    stop_gpg_agent(shard);  // an agent from an earlier run must not keep old keys
    if (auto st = ensure_directory(shards_root_, 0700); !st) return st;
    if (auto st = prepare_gnupg_home(shard); !st) return st;
    {
      std::lock_guard lock(mutex_);
      copied_[i] = identity_of(main_home_ / "pubring.kbx");
    }
    if (auto st = copy_keys(main_home_, shard); !st) return st;
  }
  return ok_status();
}

Status AgentShards::copy_public_keyring(const fs::path& shard) {
  std::error_code ec;
  const fs::path tmp = shard / "pubring.kbx.csirtgw-tmp";
  fs::copy_file(main_home_ / "pubring.kbx", tmp, fs::copy_options::overwrite_existing, ec);
  if (ec) return errno_error("copy public keyring", ec.value());
  return rename_file(tmp, shard / "pubring.kbx");  // gpg never sees a half-written keyring
}

fs::path AgentShards::home_for(std::size_t index) {
  const std::size_t shard_index = index % agents_;
  if (shard_index == 0) return main_home_;
  const fs::path shard = shards_root_ / std::to_string(shard_index);
  std::lock_guard lock(mutex_);
  const auto main_keyring = identity_of(main_home_ / "pubring.kbx");
  // A failed copy is tried again with the next message; until then the shard
  // keeps its last keyring.
  if (main_keyring && main_keyring != copied_[shard_index] && copy_public_keyring(shard))
    copied_[shard_index] = main_keyring;
  return shard;
}

void AgentShards::resync_public_keyrings() {
  std::lock_guard lock(mutex_);
  for (auto& identity : copied_) identity.reset();
}

void AgentShards::stop_agents() {
  for (std::size_t i = 1; i < agents_; ++i) stop_gpg_agent(shards_root_ / std::to_string(i));
}

}  // namespace csirtgw
