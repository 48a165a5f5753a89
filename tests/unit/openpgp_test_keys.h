// Real GnuPG homes for the OpenPGP unit tests, made once per test process with the
// gpg command line (Ed25519/Cv25519: a key takes well under a second):
//  - the team home, <state>/gnupg: the team key (secret) + the reporter's public key
//  - the reporter home: the reporter key (Ed25519 primary + Ed25519 signing subkey,
//    so signatures come from a subkey and must be mapped to the primary) + the
//    team's and the stranger's public keys
//  - the stranger home: a key the team has never seen
// Test messages are made with gpg in these homes. Everything lives under one
// mkdtemp directory, removed (after stopping the gpg-agents) at process exit.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include <doctest/doctest.h>

#include "gnupg_home.h"

namespace csirtgw::testing {

class OpenPgpWorld {
 public:
  std::filesystem::path root;
  std::filesystem::path state_dir;      // root/state
  std::filesystem::path team_home;      // root/state/gnupg
  std::filesystem::path reporter_home;  // root/rep
  std::filesystem::path stranger_home;  // root/str
  std::string team_fpr;
  std::string reporter_fpr;  // primary
  std::string stranger_fpr;
  std::string problem;       // non-empty when set-up failed

  static OpenPgpWorld& get() {
    static OpenPgpWorld world;
    return world;
  }

  bool ready() const { return problem.empty(); }

  // Writes `bytes` to a fresh file under root and returns its path.
  std::filesystem::path write(std::string_view bytes) {
    auto file = root / ("in-" + std::to_string(++counter_));
    std::ofstream out(file, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return file;
  }

  static std::string read(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // Runs gpg in `home` with `arguments` (which name their own files) and returns
  // its output file's contents; "" when gpg failed.
  std::string gpg_output(const std::filesystem::path& home, const std::string& arguments) {
    auto out = root / ("out-" + std::to_string(++counter_));
    if (!gpg(home, "--output " + out.string() + " " + arguments)) return {};
    return read(out);
  }

  // Runs gpg; its stdout goes to `stdout_file` (default: the log), stderr to the log.
  bool gpg(const std::filesystem::path& home, const std::string& arguments,
           const std::filesystem::path& stdout_file = {}) {
    const std::string log = (root / "gpg.log").string();
    const std::string command = "gpg --homedir " + home.string() +
                                " --batch --yes --no-tty --quiet --pinentry-mode loopback --passphrase ''"
                                " --trust-model always " +
                                arguments + (stdout_file.empty() ? " >>" + log : " >" + stdout_file.string()) +
                                " 2>>" + log;
    return std::system(command.c_str()) == 0;
  }

  // Armored detached signature by the reporter over `bytes`.
  std::string detached_signature(std::string_view bytes, const std::filesystem::path& home) {
    return gpg_output(home, "--armor --detach-sign " + write(bytes).string());
  }
  std::string clearsign(std::string_view text, const std::filesystem::path& home) {
    return gpg_output(home, "--clearsign " + write(text).string());
  }
  // Encrypted (armored unless `extra` says otherwise) by the reporter home to `recipient`.
  std::string encrypt(std::string_view plaintext, const std::string& recipient, const std::string& extra) {
    return gpg_output(reporter_home, "--armor --encrypt --recipient " + recipient + " " + extra + " " +
                                         write(plaintext).string());
  }

 private:
  int counter_ = 0;

  OpenPgpWorld() {
    std::string pattern = (std::filesystem::temp_directory_path() / "cgw-pgp-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      problem = "mkdtemp failed";
      return;
    }
    root = pattern;
    state_dir = root / "state";
    team_home = state_dir / "gnupg";
    reporter_home = root / "rep";
    stranger_home = root / "str";
    std::filesystem::create_directories(state_dir);
    for (const auto& home : {reporter_home, stranger_home}) {
      std::filesystem::create_directory(home);
      std::filesystem::permissions(home, std::filesystem::perms::owner_all);
    }
    if (auto st = init_gpgme(); !st) {
      problem = "init_gpgme: " + st.error().message;
      return;
    }
    if (auto st = prepare_gnupg_home(team_home); !st) {
      problem = "prepare_gnupg_home: " + st.error().message;
      return;
    }
    team_fpr = make_key(team_home, "Team <csirt@team.example>", "cv25519 encr");
    reporter_fpr = make_key(reporter_home, "Rep <rep@x.example>", "ed25519 sign");
    stranger_fpr = make_key(stranger_home, "Stranger <s@y.example>", "cv25519 encr");
    if (team_fpr.empty() || reporter_fpr.empty() || stranger_fpr.empty()) {
      problem = "key generation failed (see " + (root / "gpg.log").string() + ")";
      return;
    }
    const bool exchanged = copy_public_key(team_home, team_fpr, reporter_home) &&
                           copy_public_key(stranger_home, stranger_fpr, reporter_home) &&
                           copy_public_key(reporter_home, reporter_fpr, team_home);
    if (!exchanged) problem = "key exchange failed";
  }

  ~OpenPgpWorld() {
    if (root.empty()) return;
    for (const auto& home : {team_home, reporter_home, stranger_home}) {
      const std::string command = "gpgconf --homedir " + home.string() + " --kill gpg-agent >/dev/null 2>&1";
      [[maybe_unused]] int rc = std::system(command.c_str());
    }
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  }

  // A new Ed25519 key with one subkey; returns the primary fingerprint.
  std::string make_key(const std::filesystem::path& home, const std::string& user_id, const std::string& subkey) {
    if (!gpg(home, "--quick-gen-key '" + user_id + "' ed25519 sign,cert never")) return {};
    const auto listing = root / ("list-" + std::to_string(++counter_));
    if (!gpg(home, "--with-colons --list-secret-keys", listing)) return {};
    std::string fpr;
    std::istringstream lines(read(listing));
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("fpr:", 0) == 0) {
        // fpr:::::::::FINGERPRINT:
        auto end = line.rfind(':');
        auto start = line.rfind(':', end - 1);
        fpr = line.substr(start + 1, end - start - 1);
        break;
      }
    }
    if (fpr.empty()) return {};
    // gpg picks the newest signing-capable subkey for signatures.
    if (!gpg(home, "--quick-add-key " + fpr + " " + subkey + " never")) return {};
    return fpr;
  }

  bool copy_public_key(const std::filesystem::path& from, const std::string& fpr, const std::filesystem::path& to) {
    const std::string key = gpg_output(from, "--export " + fpr);
    return !key.empty() && gpg(to, "--import " + write(key).string());
  }
};

// The world for a test case; the case fails here, saying why, if set-up failed.
inline OpenPgpWorld& ready_world() {
  OpenPgpWorld& w = OpenPgpWorld::get();
  REQUIRE_MESSAGE(w.ready(), w.problem);
  return w;
}

}  // namespace csirtgw::testing
