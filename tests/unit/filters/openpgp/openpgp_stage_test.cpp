// The decrypt/verify stage (filters/openpgp/openpgp_stage.cpp) on real messages made with
// real keys (tests/unit/openpgp_test_keys.h), a real state directory (SQLite store
// with the reporter registry) and the team key in <state>/gnupg: what an analyst
// may believe — encryption, signature, sender verified, queue — for plain mail,
// PGP/MIME signed mail with a matching and a non-matching From, a signed part
// wrapped in unsigned text (partial), signed+encrypted mail (the decrypted message
// replaces the ciphertext), and an encrypted part that is not the root (EFAIL:
// not decrypted, quarantined).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "config.h"
#include "key_registry.h"
#include "openpgp_stage.h"
#include "openpgp_test_keys.h"
#include "store.h"

namespace csirtgw {
namespace {

using testing::OpenPgpWorld;

// The team's world, with the reporter's key bound to rep@x.example in the registry.
OpenPgpWorld& registered_world() {
  OpenPgpWorld& w = testing::ready_world();
  static const std::string registration = [&w]() -> std::string {
    auto db = open_store(w.state_dir);
    if (!db) return "open_store: " + db.error().message;
    auto st = register_key(db.value(), {w.reporter_fpr, "Rep@X.example", "X CERT", "2024-01-01T00:00:00Z", "test"});
    return st ? std::string{} : "register_key: " + st.error().message;
  }();
  REQUIRE_MESSAGE(registration.empty(), registration);
  return w;
}

Config stage_config() {
  Config config;
  config.text_line = 1000;
  config.header_block = 102400;
  config.mime_depth = 32;
  config.mime_parts = 1000;
  config.openpgp_max_plaintext = 1024 * 1024;
  config.openpgp_timeout = 30;
  return config;
}

std::string crlf(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

std::string outer_headers(const std::string& from) {
  return "From: " + from +
         "\r\nTo: csirt@team.example\r\nSubject: incident\r\nMessage-ID: <1@x.example>\r\nMIME-Version: 1.0\r\n";
}

// A multipart/signed entity (RFC 3156 5) over `signed_part`, signed in `home`.
std::string signed_entity(OpenPgpWorld& w, const std::string& signed_part, const std::filesystem::path& home) {
  const std::string signature = w.detached_signature(signed_part, home);
  if (signature.empty()) return {};
  return "Content-Type: multipart/signed; micalg=pgp-sha256; protocol=\"application/pgp-signature\";"
         " boundary=\"SIG\"\r\n\r\n"
         "--SIG\r\n" +
         signed_part +
         "\r\n--SIG\r\n"
         "Content-Type: application/pgp-signature; name=\"signature.asc\"\r\n\r\n" +
         crlf(signature) + "\r\n--SIG--\r\n";
}

// A multipart/encrypted entity (RFC 3156 4) around `ciphertext`.
std::string encrypted_entity(const std::string& ciphertext) {
  return "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"ENC\"\r\n\r\n"
         "--ENC\r\n"
         "Content-Type: application/pgp-encrypted\r\n\r\n"
         "Version: 1\r\n"
         "\r\n--ENC\r\n"
         "Content-Type: application/octet-stream; name=\"encrypted.asc\"\r\n\r\n" +
         crlf(ciphertext) + "\r\n--ENC--\r\n";
}

std::string mixed(const std::string& first_part, const std::string& second_part) {
  return "Content-Type: multipart/mixed; boundary=\"MIX\"\r\n\r\n--MIX\r\n" + first_part + "\r\n--MIX\r\n" +
         second_part + "\r\n--MIX--\r\n";
}

}  // namespace

TEST_CASE("OpenPgpStage") {
  OpenPgpWorld& w = registered_world();
  // Made once: doctest runs this body again for every SUBCASE.
  struct Material {
    std::string signed_by_rep;
    std::string signed_by_stranger;
    std::string ciphertext;
    std::string clearsigned;
  };
  static const Material m = [&w] {
    const std::string signed_part = "Content-Type: text/plain; charset=us-ascii\r\n\r\nIncident at 10:00 UTC\r\n";
    const std::string inner = "Content-Type: text/plain; charset=us-ascii\r\n\r\nSecret incident details\r\n";
    return Material{signed_entity(w, signed_part, w.reporter_home), signed_entity(w, signed_part, w.stranger_home),
                    w.encrypt(inner, w.team_fpr, "--sign --local-user " + w.reporter_fpr),
                    w.clearsign("Incident at 10:00 UTC\n", w.reporter_home)};
  }();
  REQUIRE_FALSE(m.signed_by_rep.empty());
  REQUIRE_FALSE(m.signed_by_stranger.empty());
  REQUIRE_FALSE(m.ciphertext.empty());
  REQUIRE_FALSE(m.clearsigned.empty());
  const std::string& signed_by_rep = m.signed_by_rep;
  const std::string& ciphertext = m.ciphertext;
  const std::string& clearsigned = m.clearsigned;
  const std::string rep = "Rep <rep@x.example>";

  struct Row {
    std::string name;
    std::string message;
    std::string encryption;  // none | decrypted | failed
    std::string signature;
    bool verified;
    std::string queue;
    std::string signer;          // expected X-Csirtgw-Signer (any known key, even a bad signature's), "" for none
    std::string filed_contains;  // in report.message() afterwards ("" = no check)
    std::string filed_lacks;     // not in report.message() afterwards
    std::string reason_contains;
  };
  const std::vector<Row> rows = {
      {"plain message", outer_headers(rep) + "Content-Type: text/plain\r\n\r\nHello\r\n", "none", "none", false,
       "incoming", "", "Hello", "", ""},
      {"PGP/MIME signed, From bound to the signer", outer_headers(rep) + signed_by_rep, "none", "good", true,
       "incoming", w.reporter_fpr, "Incident at 10:00 UTC", "", ""},
      {"PGP/MIME signed, From in another letter case", outer_headers("Rep <REP@x.EXAMPLE>") + signed_by_rep, "none",
       "good", true, "incoming", w.reporter_fpr, "", "", ""},
      {"PGP/MIME signed, From of another address", outer_headers("Rep <other@x.example>") + signed_by_rep, "none",
       "good", false, "incoming", w.reporter_fpr, "", "", ""},
      {"PGP/MIME signed, address-like display name", outer_headers("\"rep@x.example\" <attacker@y.example>") +
                                                          signed_by_rep,
       "none", "good", false, "incoming", w.reporter_fpr, "", "", ""},
      {"PGP/MIME signed, two From mailboxes", outer_headers("rep@x.example, other@x.example") + signed_by_rep,
       "none", "good", false, "incoming", w.reporter_fpr, "", "", ""},
      {"PGP/MIME signed by an unknown key", outer_headers(rep) + m.signed_by_stranger,
       "none", "unknown-key", false, "incoming", "", "", "", ""},
      {"PGP/MIME signed, signed part altered",
       outer_headers(rep) + [&] {
         std::string tampered = signed_by_rep;
         tampered.replace(tampered.find("10:00"), 5, "11:00");
         return tampered;
       }(),
       "none", "bad", false, "incoming", w.reporter_fpr, "", "", "does not verify"},
      {"signed part wrapped in unsigned text",
       outer_headers(rep) + mixed("Content-Type: text/plain\r\n\r\nPlease wire the money.", signed_by_rep), "none",
       "partial", false, "incoming", w.reporter_fpr, "", "", ""},
      {"inline clearsigned, all of the text", outer_headers(rep) + "Content-Type: text/plain\r\n\r\n" + crlf(clearsigned),
       "none", "good", true, "incoming", w.reporter_fpr, "", "", ""},
      {"inline clearsigned with unsigned text before it",
       outer_headers(rep) + "Content-Type: text/plain\r\n\r\nPlease wire the money.\r\n\r\n" + crlf(clearsigned),
       "none", "partial", false, "incoming", w.reporter_fpr, "", "", ""},
      {"PGP/MIME encrypted and signed", outer_headers(rep) + encrypted_entity(ciphertext), "decrypted", "good", true,
       "incoming", w.reporter_fpr, "Secret incident details", "BEGIN PGP MESSAGE", ""},
      {"encrypted part wrapped in a multipart/mixed",
       outer_headers(rep) + mixed("Content-Type: text/plain\r\n\r\nSee below.", encrypted_entity(ciphertext)),
       "failed", "none", false, "quarantine", "", "", "Secret incident details", "not the message root"},
      {"two encrypted parts",
       outer_headers(rep) + mixed(encrypted_entity(ciphertext), encrypted_entity(ciphertext)), "failed", "none", false,
       "quarantine", "", "", "Secret incident details", "more than one"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      OpenPgpStage stage(stage_config(), w.state_dir);
      Report report;
      report.raw_message = row.message;
      const FilterOutcome outcome = stage.process(report);
      CHECK_MESSAGE(outcome.verdict != FilterVerdict::defer, outcome.reason);
      const EncryptionState expected_encryption = row.encryption == "decrypted" ? EncryptionState::decrypted
                                                  : row.encryption == "failed"  ? EncryptionState::failed
                                                                                : EncryptionState::none;
      CHECK(report.crypto.encryption == expected_encryption);
      CHECK(report.crypto.signature == row.signature);
      CHECK(report.crypto.sender_verified == row.verified);
      CHECK(report.queue == row.queue);
      CHECK(report.crypto.signer == row.signer);
      if (!row.filed_contains.empty()) CHECK(report.message().find(row.filed_contains) != std::string::npos);
      if (!row.filed_lacks.empty()) CHECK(report.message().find(row.filed_lacks) == std::string::npos);
      if (row.reason_contains.empty()) {
        CHECK(report.crypto.reason.empty());
      } else {
        CHECK(report.crypto.reason.find(row.reason_contains) != std::string::npos);
      }
      REQUIRE_FALSE(report.audit_notes.empty());
      CHECK(report.audit_notes.front().event == "openpgp");
      CHECK(report.audit_notes.front().detail.find("\"signature\":\"" + row.signature + "\"") != std::string::npos);
      CHECK(report.raw_message == row.message);  // the received bytes are never changed
    }
  }
}

TEST_CASE("OpenPgpStage: the decrypted message keeps the outer headers, not the outer Content-Type") {
  OpenPgpWorld& w = registered_world();
  const std::string inner_plaintext = "Content-Type: text/plain; charset=us-ascii\r\n\r\nSecret incident details\r\n";
  const std::string ciphertext = w.encrypt(inner_plaintext, w.team_fpr, "");
  REQUIRE_FALSE(ciphertext.empty());
  OpenPgpStage stage(stage_config(), w.state_dir);
  Report report;
  report.raw_message = outer_headers("Rep <rep@x.example>") + encrypted_entity(ciphertext);
  const FilterOutcome outcome = stage.process(report);
  CHECK(outcome.verdict != FilterVerdict::defer);
  CHECK(report.crypto.encryption == EncryptionState::decrypted);
  CHECK(report.crypto.signature == "none");
  CHECK_FALSE(report.crypto.sender_verified);
  CHECK(report.message().find("Subject: incident\r\n") != std::string::npos);
  CHECK(report.message().find("multipart/encrypted") == std::string::npos);
  CHECK(report.message().find("Content-Type: text/plain; charset=us-ascii\r\n\r\nSecret incident details") !=
        std::string::npos);
}

// A multipart/mixed without its close delimiter: scan_mime drops the part after the
// last delimiter (see mime_structure_test.cpp), so the encrypted part there is never
// seen. The contract says an encrypted part that is not the root is "failed" and
// quarantined; observed: encryption none, queue incoming.
TEST_CASE("OpenPgpStage: encrypted last part of an unclosed multipart is quarantined") {
  OpenPgpWorld& w = registered_world();
  const std::string ciphertext = w.encrypt("Content-Type: text/plain\r\n\r\nSecret\r\n", w.team_fpr, "");
  REQUIRE_FALSE(ciphertext.empty());
  std::string message = outer_headers("Rep <rep@x.example>") +
                        mixed("Content-Type: text/plain\r\n\r\nSee below.", encrypted_entity(ciphertext));
  message.erase(message.rfind("\r\n--MIX--\r\n"));  // the close delimiter is missing
  OpenPgpStage stage(stage_config(), w.state_dir);
  Report report;
  report.raw_message = message;
  const FilterOutcome outcome = stage.process(report);
  CHECK(outcome.verdict != FilterVerdict::defer);
  CHECK(report.crypto.encryption == EncryptionState::failed);
  CHECK(report.queue == "quarantine");
}

}  // namespace csirtgw
