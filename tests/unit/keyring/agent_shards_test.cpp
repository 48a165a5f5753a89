// gpg-agent shards (keyring/agent_shards.cpp) keep their public keyring in step
// with the main home: a keyring gpg replaced is copied before the shard's next
// use even when its modification time is not newer than the shard's copy (an
// import racing a copy), an unchanged one is not copied again, and
// resync_public_keyrings() forces a copy. Plain files stand in for keyrings.
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include "agent_shards.h"
#include "gnupg_home.h"
#include "temp_dir.h"

namespace csirtgw {
namespace {
namespace fs = std::filesystem;

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc | std::ios::binary);
  out << text;
  REQUIRE(out.good());
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// As gpg does it: a new file renamed over the old one.
void replace_file(const fs::path& path, const std::string& text, fs::file_time_type modified) {
  const fs::path tmp = path.string() + ".tmp";
  write_file(tmp, text);
  fs::last_write_time(tmp, modified);
  fs::rename(tmp, path);
}

}  // namespace

TEST_CASE("agent shards: the public keyring follows the main home") {
  REQUIRE(init_gpgme());
  testing::TempDir dir("csirtgw-shards");
  const fs::path main_home = dir.path() / "gnupg";
  const fs::path shard = dir.path() / "gnupg-shards" / "1";
  REQUIRE(prepare_gnupg_home(main_home));
  fs::create_directory(main_home / "private-keys-v1.d");
  write_file(main_home / "pubring.kbx", "one");

  AgentShards shards(main_home, dir.path() / "gnupg-shards", 2);
  REQUIRE(shards.prepare());
  CHECK(shards.home_for(0) == main_home);
  CHECK(shards.home_for(2) == main_home);
  CHECK(shards.home_for(1) == shard);
  CHECK(read_file(shard / "pubring.kbx") == "one");

  SUBCASE("a replaced keyring is copied, even with an older modification time") {
    replace_file(main_home / "pubring.kbx", "two", fs::last_write_time(shard / "pubring.kbx") - std::chrono::hours(1));
    CHECK(shards.home_for(1) == shard);
    CHECK(read_file(shard / "pubring.kbx") == "two");
  }
  SUBCASE("an unchanged keyring is not copied again; a resync copies it") {
    write_file(shard / "pubring.kbx", "stale");
    shards.home_for(1);
    CHECK(read_file(shard / "pubring.kbx") == "stale");
    shards.resync_public_keyrings();
    shards.home_for(1);
    CHECK(read_file(shard / "pubring.kbx") == "one");
  }
  shards.stop_agents();
}

}  // namespace csirtgw
