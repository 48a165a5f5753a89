// The team key tried before mail arrives (keyring/team_key_check.cpp), with
// keys made by the real gpg: a usable key passes; a passphrase-protected,
// expired, revoked, sign-only and encrypt-only key are each refused with their
// own reason, naming the key by fingerprint and user id -- in the home itself
// and in a scratch copy (which leaves the home as it was).
#include <doctest/doctest.h>

#include <ctime>
#include <filesystem>
#include <sstream>
#include <string>

#include "openpgp_test_keys.h"
#include "team_key_check.h"

namespace csirtgw {
namespace {

using testing::OpenPgpWorld;

struct MadeKey {
  std::filesystem::path home;
  std::string fingerprint;
};

std::string first_fingerprint(OpenPgpWorld& w, const std::filesystem::path& home) {
  const auto listing = w.root / ("listing-" + home.filename().string());
  if (!w.gpg(home, "--with-colons --list-keys", listing)) return {};
  std::istringstream lines(OpenPgpWorld::read(listing));
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("fpr:", 0) == 0) {
      const auto end = line.rfind(':');
      const auto start = line.rfind(':', end - 1);
      return line.substr(start + 1, end - start - 1);
    }
  return {};
}

// A key of `kind` in a home of its own, made with gpg's quick commands.
MadeKey make(OpenPgpWorld& w, const std::string& kind) {
  MadeKey key{w.root / ("team-key-" + kind), {}};
  std::filesystem::create_directory(key.home);
  std::filesystem::permissions(key.home, std::filesystem::perms::owner_all);
  const std::string uid = "'Team " + kind + " <" + kind + "@team.example>'";
  const long now = static_cast<long>(std::time(nullptr));
  bool made = false;
  if (kind == "usable") {
    made = w.gpg(key.home, "--quick-gen-key " + uid + " future-default default never");
  } else if (kind == "passphrase") {
    made = w.gpg(key.home, "--passphrase secret --quick-gen-key " + uid + " future-default default never");
  } else if (kind == "expired") {
    made = w.gpg(key.home, "--faked-system-time " + std::to_string(now - 30 * 86400) + " --quick-gen-key " + uid +
                               " future-default default 1d");
  } else if (kind == "revoked") {
    made = w.gpg(key.home, "--quick-gen-key " + uid + " future-default default never");
  } else if (kind == "sign-only") {
    made = w.gpg(key.home, "--quick-gen-key " + uid + " ed25519 sign never");
  } else if (kind == "encrypt-only") {
    made = w.gpg(key.home, "--quick-gen-key " + uid + " ed25519 cert never");
  }
  REQUIRE_MESSAGE(made, "gpg could not make the " << kind << " key (see " << (w.root / "gpg.log").string() << ")");
  key.fingerprint = first_fingerprint(w, key.home);
  REQUIRE_FALSE(key.fingerprint.empty());
  if (kind == "encrypt-only") REQUIRE(w.gpg(key.home, "--quick-add-key " + key.fingerprint + " cv25519 encr never"));
  if (kind == "revoked") {
    // gpg's own revocation certificate, imported (its first colon keeps it from being imported by accident).
    const auto certificate = key.home / "openpgp-revocs.d" / (key.fingerprint + ".rev");
    std::string text = OpenPgpWorld::read(certificate);
    const auto colon = text.find(":-----BEGIN");
    REQUIRE(colon != std::string::npos);
    text.erase(colon, 1);
    REQUIRE(w.gpg(key.home, "--import " + w.write(text).string()));
  }
  return key;
}

}  // namespace

TEST_CASE("check_team_key: one signature and one decryption, or the real reason") {
  OpenPgpWorld& w = testing::ready_world();
  struct Row {
    std::string kind;
    std::string reason;  // "" = usable
  };
  const Row rows[] = {
      {"usable", ""},
      {"passphrase", "is protected by a passphrase"},
      {"expired", "expired on "},
      {"revoked", "is revoked"},
      {"sign-only", "has no usable encryption (sub)key"},
      {"encrypt-only", "has no usable signing (sub)key"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.kind.c_str()) {
      const MadeKey key = make(w, row.kind);
      const std::string named = "team key " + key.fingerprint + " \"Team " + row.kind + " <" + row.kind + "@team.example>\": ";
      const Status in_place = check_team_key(key.home, key.fingerprint);
      const Status in_copy = check_team_key_in_copy(key.home, key.fingerprint);
      for (const Status* checked : {&in_place, &in_copy}) {
        if (row.reason.empty()) {
          CHECK_MESSAGE(checked->ok(), checked->error().message);
          continue;
        }
        REQUIRE_FALSE(checked->ok());
        CAPTURE(checked->error().message);
        CHECK(checked->error().kind == ErrorClass::bad_input);
        CHECK(checked->error().message.rfind(named, 0) == 0);
        CHECK(checked->error().message.find(row.reason) != std::string::npos);
        // The daemon's home is named, never the scratch copy.
        if (row.kind == "passphrase") CHECK(checked->error().message.find(key.home.string()) != std::string::npos);
      }
      const std::string stop = "gpgconf --homedir " + key.home.string() + " --kill gpg-agent >/dev/null 2>&1";
      [[maybe_unused]] int rc = std::system(stop.c_str());
    }
  }
}

TEST_CASE("check_team_key: a fingerprint without a secret key here") {
  OpenPgpWorld& w = testing::ready_world();
  // The reporter's key is in the team home, but only its public part.
  const Status checked = check_team_key(w.team_home, w.reporter_fpr);
  REQUIRE_FALSE(checked.ok());
  CHECK(checked.error().message.find("no secret key in " + w.team_home.string()) != std::string::npos);
  // The team key of the test world (Ed25519 signing primary, Cv25519 subkey) works.
  const Status team = check_team_key(w.team_home, w.team_fpr);
  CHECK_MESSAGE(team.ok(), team.error().message);
}

}  // namespace csirtgw
