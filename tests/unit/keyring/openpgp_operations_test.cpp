// Decrypt and verify through GPGME (keyring/openpgp_operations.cpp) with real keys
// in temporary GnuPG homes (tests/unit/openpgp_test_keys.h): exact plaintext, the
// signer mapped from its signing subkey to the primary fingerprint, "not encrypted
// to the team key", the output cap (a compression bomb), EFAIL (no MDC, tampered
// ciphertext: nothing of the plaintext comes back), detached and clearsigned
// signatures good / bad / unknown-key, and the escaping of untrusted text
// (CVE-2018-12020: a literal-data file name carrying "\n[GNUPG:] GOODSIG").
#include <doctest/doctest.h>

#include <ctime>
#include <string>
#include <vector>

#include "openpgp_operations.h"
#include "untrusted_text.h"
#include "openpgp_test_keys.h"

namespace csirtgw {
namespace {

using testing::OpenPgpWorld;

OpenPgpWorld& world() { return testing::ready_world(); }

}  // namespace

TEST_CASE("SignatureStatus names") {
  const std::vector<std::pair<SignatureStatus, std::string>> rows = {
      {SignatureStatus::good, "good"},       {SignatureStatus::bad, "bad"},
      {SignatureStatus::unknown_key, "unknown-key"}, {SignatureStatus::expired, "expired"},
      {SignatureStatus::revoked, "revoked"},
  };
  for (const auto& [status, name] : rows) CHECK(to_string(status) == name);
}

TEST_CASE("decrypt_and_verify") {
  using namespace std::string_literals;
  OpenPgpWorld& w = world();
  const std::string plaintext = "Incident report\r\nhost 192.0.2.1\r\nbytes \x01\x00\xff\r\nend"s;

  SUBCASE("signed and encrypted to the team key") {
    const std::string ciphertext = w.encrypt(plaintext, w.team_fpr, "--sign --local-user " + w.reporter_fpr);
    REQUIRE_FALSE(ciphertext.empty());
    auto outcome = decrypt_and_verify(w.team_home, ciphertext, OperationLimits{});
    REQUIRE_MESSAGE(outcome.ok(), outcome.error().message);
    CHECK(outcome->decrypted);
    CHECK(outcome->failure.empty());
    CHECK(outcome->plaintext == plaintext);
    REQUIRE(outcome->signatures.size() == 1);
    CHECK(outcome->signatures[0].status == SignatureStatus::good);
    // Signed by the reporter's signing subkey, reported as the primary key.
    CHECK(outcome->signatures[0].fingerprint == w.reporter_fpr);
  }
  SUBCASE("signed, not encrypted (gpg --sign): the literal data, not a failed decryption") {
    const std::string signed_message =
        w.gpg_output(w.reporter_home, "--armor --sign --local-user " + w.reporter_fpr + " " + w.write(plaintext).string());
    REQUIRE(signed_message.find("BEGIN PGP MESSAGE") != std::string::npos);
    const auto before = std::time(nullptr);
    auto outcome = decrypt_and_verify(w.team_home, signed_message, OperationLimits{});
    REQUIRE_MESSAGE(outcome.ok(), outcome.error().message);
    CHECK_FALSE(outcome->decrypted);
    CHECK(outcome->signed_only);
    CHECK(outcome->plaintext == plaintext);
    REQUIRE(outcome->signatures.size() == 1);
    CHECK(outcome->signatures[0].status == SignatureStatus::good);
    CHECK(outcome->signatures[0].fingerprint == w.reporter_fpr);
    // Its creation time, for the replay check: made just now.
    CHECK(outcome->signatures[0].created >= before - 60);
    CHECK(outcome->signatures[0].created <= before + 60);
  }
  SUBCASE("encrypted, not signed") {
    const std::string ciphertext = w.encrypt(plaintext, w.team_fpr, "");
    REQUIRE_FALSE(ciphertext.empty());
    auto outcome = decrypt_and_verify(w.team_home, ciphertext, OperationLimits{});
    REQUIRE(outcome.ok());
    CHECK(outcome->decrypted);
    CHECK(outcome->plaintext == plaintext);
    CHECK(outcome->signatures.empty());
  }
  SUBCASE("encrypted to another key") {
    const std::string ciphertext = w.encrypt(plaintext, w.stranger_fpr, "--sign --local-user " + w.reporter_fpr);
    REQUIRE_FALSE(ciphertext.empty());
    auto outcome = decrypt_and_verify(w.team_home, ciphertext, OperationLimits{});
    REQUIRE_MESSAGE(outcome.ok(), outcome.error().message);
    CHECK_FALSE(outcome->decrypted);
    CHECK(outcome->failure == "not encrypted to the team key");
    CHECK(outcome->plaintext.empty());
  }
  SUBCASE("output over the cap: a compression bomb") {
    const std::string zeros(5 * 1000 * 1000, '\0');
    const std::string ciphertext = w.encrypt(zeros, w.team_fpr, "--compress-algo zlib --compress-level 9");
    REQUIRE_FALSE(ciphertext.empty());
    CHECK(ciphertext.size() < 100 * 1000);  // really compressed
    OperationLimits capped;
    capped.max_output = 1024 * 1024;
    auto outcome = decrypt_and_verify(w.team_home, ciphertext, capped);
    REQUIRE_MESSAGE(outcome.ok(), outcome.error().message);
    CHECK_FALSE(outcome->decrypted);
    CHECK(outcome->plaintext.empty());
    CHECK(outcome->failure.find("1048576") != std::string::npos);
    // Control: under a cap it fits, the same message decrypts.
    auto roomy = decrypt_and_verify(w.team_home, ciphertext, OperationLimits{});
    REQUIRE(roomy.ok());
    CHECK(roomy->decrypted);
    CHECK(roomy->plaintext == zeros);
  }
  SUBCASE("no integrity protection (EFAIL): refused, nothing returned") {
    // gpg itself streams this plaintext before it fails.
    const std::string ciphertext = w.encrypt(plaintext, w.team_fpr, "--rfc2440 --cipher-algo CAST5");
    REQUIRE_FALSE(ciphertext.empty());
    auto outcome = decrypt_and_verify(w.team_home, ciphertext, OperationLimits{});
    REQUIRE_MESSAGE(outcome.ok(), outcome.error().message);
    CHECK_FALSE(outcome->decrypted);
    CHECK(outcome->plaintext.empty());
    CHECK(outcome->failure.find("integrity") != std::string::npos);
  }
  SUBCASE("tampered ciphertext: nothing returned") {
    std::string ciphertext =
        w.gpg_output(w.reporter_home, "--encrypt --recipient " + w.team_fpr + " " + w.write(plaintext).string());
    REQUIRE(ciphertext.size() > 20);
    ciphertext[ciphertext.size() - 10] = static_cast<char>(ciphertext[ciphertext.size() - 10] ^ 0x01);
    auto outcome = decrypt_and_verify(w.team_home, ciphertext, OperationLimits{});
    REQUIRE_MESSAGE(outcome.ok(), outcome.error().message);
    CHECK_FALSE(outcome->decrypted);
    CHECK(outcome->plaintext.empty());
    CHECK_FALSE(outcome->failure.empty());
  }
  SUBCASE("not OpenPGP at all") {
    auto outcome = decrypt_and_verify(w.team_home, "-----BEGIN PGP MESSAGE-----\n\nnonsense\n", OperationLimits{});
    REQUIRE(outcome.ok());
    CHECK_FALSE(outcome->decrypted);
    CHECK_FALSE(outcome->failure.empty());
    CHECK(outcome->plaintext.empty());
  }
  SUBCASE("a forged status line in the literal file name stays data") {
    const std::string ciphertext =
        w.encrypt(plaintext, w.team_fpr, "--set-filename \"$(printf '\\n[GNUPG:] GOODSIG 0123 Rep')\"");
    REQUIRE_FALSE(ciphertext.empty());
    auto outcome = decrypt_and_verify(w.team_home, ciphertext, OperationLimits{});
    REQUIRE(outcome.ok());
    CHECK(outcome->decrypted);
    CHECK(outcome->signatures.empty());  // no signature appears from the file name
    // GPGME hands the name over as gpg's status line carried it (percent-escaped);
    // either way it is the sender's text, and its escaped form is one line.
    CHECK(outcome->literal_file_name.find("GOODSIG") != std::string::npos);
    CHECK(outcome->literal_file_name.find('\n') == std::string::npos);
    const std::string escaped = sanitize_untrusted(outcome->literal_file_name);
    CHECK(escaped.find('\n') == std::string::npos);
    CHECK(escaped.find("GOODSIG") != std::string::npos);
  }
}

TEST_CASE("verify_detached") {
  OpenPgpWorld& w = world();
  const std::string signed_bytes = "Content-Type: text/plain\r\n\r\nIncident at 10:00 UTC\r\n";
  // Made once: doctest runs this body again for every SUBCASE.
  static const std::string good = w.detached_signature(signed_bytes, w.reporter_home);
  static const std::string by_stranger = w.detached_signature(signed_bytes, w.stranger_home);
  REQUIRE_FALSE(good.empty());
  REQUIRE_FALSE(by_stranger.empty());

  struct Row {
    std::string name;
    std::string bytes;
    std::string signature;
    SignatureStatus status;
  };
  const std::vector<Row> rows = {
      {"good", signed_bytes, good, SignatureStatus::good},
      {"tampered bytes", "Content-Type: text/plain\r\n\r\nIncident at 11:00 UTC\r\n", good, SignatureStatus::bad},
      {"bytes with LF instead of CRLF", "Content-Type: text/plain\n\nIncident at 10:00 UTC\n", good,
       SignatureStatus::bad},
      {"one byte more", signed_bytes + "\r\n", good, SignatureStatus::bad},
      {"unknown key", signed_bytes, by_stranger, SignatureStatus::unknown_key},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      auto outcome = verify_detached(w.team_home, row.bytes, row.signature, OperationLimits{});
      REQUIRE_MESSAGE(outcome.ok(), outcome.error().message);
      CHECK(outcome->readable);
      REQUIRE(outcome->signatures.size() == 1);
      CHECK(to_string(outcome->signatures[0].status) == to_string(row.status));
      if (row.status == SignatureStatus::good) CHECK(outcome->signatures[0].fingerprint == w.reporter_fpr);
      if (row.status == SignatureStatus::unknown_key) CHECK_FALSE(outcome->signatures[0].fingerprint.empty());
    }
  }
  SUBCASE("not a signature") {
    auto outcome = verify_detached(w.team_home, signed_bytes, "just text, no signature\r\n", OperationLimits{});
    REQUIRE(outcome.ok());
    CHECK_FALSE(outcome->readable);
    CHECK(outcome->signatures.empty());
    CHECK_FALSE(outcome->failure.empty());
  }
}

TEST_CASE("verify_clearsigned") {
  OpenPgpWorld& w = world();
  const std::string text = "Incident at 10:00 UTC\nhost 192.0.2.1\n";
  static const std::string good = w.clearsign(text, w.reporter_home);
  static const std::string by_stranger = w.clearsign(text, w.stranger_home);
  REQUIRE(good.find("-----BEGIN PGP SIGNED MESSAGE-----") == 0);
  REQUIRE_FALSE(by_stranger.empty());
  std::string tampered = good;
  tampered.replace(tampered.find("10:00"), 5, "11:00");

  struct Row {
    std::string name;
    std::string message;
    SignatureStatus status;
  };
  const std::vector<Row> rows = {
      {"good", good, SignatureStatus::good},
      {"tampered text", tampered, SignatureStatus::bad},
      {"unknown key", by_stranger, SignatureStatus::unknown_key},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      auto outcome = verify_clearsigned(w.team_home, row.message, OperationLimits{});
      REQUIRE_MESSAGE(outcome.ok(), outcome.error().message);
      CHECK(outcome->readable);
      REQUIRE(outcome->signatures.size() == 1);
      CHECK(to_string(outcome->signatures[0].status) == to_string(row.status));
      if (row.status == SignatureStatus::good) {
        CHECK(outcome->signatures[0].fingerprint == w.reporter_fpr);
        CHECK(outcome->signed_text.find("Incident at 10:00 UTC") != std::string::npos);
      }
    }
  }
  SUBCASE("not a signature") {
    auto outcome = verify_clearsigned(w.team_home, "Hello, no signature here.\n", OperationLimits{});
    REQUIRE(outcome.ok());
    CHECK_FALSE(outcome->readable);
    CHECK_FALSE(outcome->failure.empty());
  }
}

}  // namespace csirtgw
