#include "agent_shards.h"

#include "durable_file.h"
#include "gnupg_home.h"

namespace csirtgw {
namespace fs = std::filesystem;

AgentShards::AgentShards(fs::path main_home, fs::path shards_root, std::size_t agents)
    : main_home_(std::move(main_home)), shards_root_(std::move(shards_root)), agents_(std::max<std::size_t>(1, agents)) {}

Status AgentShards::prepare() {
  std::error_code ec;
  for (std::size_t i = 1; i < agents_; ++i) {
    const fs::path shard = shards_root_ / std::to_string(i);
    stop_gpg_agent(shard);  // an agent from an earlier run must not keep old keys
    if (auto st = ensure_directory(shards_root_, 0700); !st) return st;
    if (auto st = prepare_gnupg_home(shard); !st) return st;
    for (const char* name : {"pubring.kbx", "trustdb.gpg"})
      if (fs::exists(main_home_ / name)) fs::copy_file(main_home_ / name, shard / name, fs::copy_options::overwrite_existing, ec);
    fs::copy(main_home_ / "private-keys-v1.d", shard / "private-keys-v1.d",
             fs::copy_options::recursive | fs::copy_options::overwrite_existing, ec);
    if (ec) return errno_error("copy GnuPG home to " + shard.string(), ec.value());
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
  std::error_code ec;
  const auto main_time = fs::last_write_time(main_home_ / "pubring.kbx", ec);
  if (!ec && main_time > fs::last_write_time(shard / "pubring.kbx", ec)) (void)copy_public_keyring(shard);
  return shard;
}

void AgentShards::stop_agents() {
  for (std::size_t i = 1; i < agents_; ++i) stop_gpg_agent(shards_root_ / std::to_string(i));
}

}  // namespace csirtgw
