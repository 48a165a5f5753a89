// Upgrading the store (daemon/store/store.cpp, daemon/store/store_backup.cpp) with real
// SQLite files in a temp directory: an existing database is copied, synced,
// before forward migrations change it, and the copy is the old database
// unchanged; a fresh store is not copied; a database newer than the binary is
// refused with a message naming both versions, and left as it was.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "migrations.h"
#include "sqlite_db.h"
#include "store.h"
#include "temp_dir.h"

namespace csirtgw {
namespace {

using testing::TempDir;

std::vector<std::filesystem::path> backups_in(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().filename().string().rfind("csirtgw.db.bak-", 0) == 0) out.push_back(entry.path());
  return out;
}

std::string user_version(const std::filesystem::path& file) {
  auto db = Database::open(file.string(), Database::Mode::read_only);
  REQUIRE(db);
  auto v = db->pragma_text("user_version");
  REQUIRE(v);
  return v.value();
}

// A database as an older csirtgw left it: the first migration only, one row.
void make_version_1_store(const std::filesystem::path& file) {
  auto db = Database::open(file.string(), Database::Mode::read_write);
  REQUIRE(db);
  REQUIRE(db->exec(schema_migrations().at(0)));
  REQUIRE(db->exec("PRAGMA user_version = 1"));
  REQUIRE(db->exec("CREATE TABLE upgrade_marker (note TEXT)"));
  REQUIRE(db->exec("INSERT INTO upgrade_marker VALUES ('from version 1')"));
}

}  // namespace

TEST_CASE("store upgrade: backup before forward migrations, refusal of newer databases") {
  REQUIRE(schema_migrations().size() >= 2);  // else there is nothing to upgrade from
  const std::string latest = std::to_string(schema_migrations().size());
  TempDir dir("csirtgw-store-upgrade");
  const auto file = dir.path() / "csirtgw.db";

  SUBCASE("a new store is created without a copy") {
    auto db = open_store(dir.path());
    REQUIRE(db);
    CHECK(backups_in(dir.path()).empty());
    CHECK(user_version(file) == latest);
  }

  SUBCASE("an older store is copied, then migrated; a second open copies nothing") {
    make_version_1_store(file);
    {
      auto db = open_store(dir.path());
      REQUIRE(db);
    }
    CHECK(user_version(file) == latest);
    const auto backups = backups_in(dir.path());
    REQUIRE(backups.size() == 1);
    CHECK(backups[0].filename().string().rfind("csirtgw.db.bak-v1-", 0) == 0);
    CHECK(user_version(backups[0]) == "1");
    auto copy = Database::open(backups[0].string(), Database::Mode::read_only);
    REQUIRE(copy);
    auto row = copy->prepare("SELECT note FROM upgrade_marker");
    REQUIRE(row);
    auto step = row->step();
    REQUIRE(step);
    REQUIRE(step.value());
    CHECK(row->text(0) == "from version 1");

    auto again = open_store(dir.path());
    REQUIRE(again);
    CHECK(backups_in(dir.path()).size() == 1);
  }

  SUBCASE("a store newer than this binary is refused, naming both versions") {
    {
      auto db = open_store(dir.path());
      REQUIRE(db);
      REQUIRE(db->exec("PRAGMA user_version = 999"));
    }
    auto db = open_store(dir.path());
    REQUIRE_FALSE(db);
    const std::string message = db.error().message;
    CAPTURE(message);
    CHECK(message.find("schema version 999") != std::string::npos);
    CHECK(message.find("up to " + latest) != std::string::npos);
    CHECK(message.find("refusing to downgrade") != std::string::npos);
    CHECK(user_version(file) == "999");
    CHECK(backups_in(dir.path()).empty());
  }
}

}  // namespace csirtgw
