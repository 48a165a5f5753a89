// The decrypt/verify stage (filters/openpgp/openpgp_stage.cpp) on real messages made with
// real keys (tests/unit/openpgp_test_keys.h), a real state directory (SQLite store
// with the reporter registry) and the team key in <state>/gnupg: what an analyst
// may believe — encryption, signature, sender verified, queue — for plain mail,
// PGP/MIME signed mail with a matching and a non-matching From, a signed part
// wrapped in unsigned text (partial), signed+encrypted mail (the decrypted message
// replaces the ciphertext), and an encrypted part that is not the root (EFAIL:
// not decrypted, quarantined).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <sstream>
#include <string>
#include <vector>

#include "config.h"
#include "key_registry.h"
#include "message_header.h"
#include "openpgp_stage.h"
#include "openpgp_test_keys.h"
#include "status_headers.h"
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
    std::string signer;          // expected X-Csirtgw-Signer (a good signature's key), "" for none
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
       "none", "bad", false, "incoming", "", "", "", "does not verify"},
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

namespace {

Report run_stage(const std::string& message) {
  OpenPgpStage stage(stage_config(), registered_world().state_dir);
  Report report;
  report.raw_message = message;
  const FilterOutcome outcome = stage.process(report);
  CHECK_MESSAGE(outcome.verdict != FilterVerdict::defer, outcome.reason);
  return report;
}

std::string base64(std::string_view bytes) {
  static const char* const kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t v = 0;
    for (std::size_t j = 0; j < 3; ++j) v = (v << 8) | (j < n ? static_cast<unsigned char>(bytes[i + j]) : 0);
    for (std::size_t j = 0; j < 4; ++j) out += j <= n ? kAlphabet[(v >> (18 - 6 * j)) & 63] : '=';
    if ((i / 3 + 1) % 19 == 0) out += "\r\n";
  }
  return out + "\r\n";
}

std::string date_now(long offset_seconds = 0) { return rfc5322_date(std::time(nullptr) + offset_seconds); }

// A multipart/signed entity whose signature part holds `signatures` (binary, concatenated).
std::string signed_with(const std::string& signed_part, const std::string& signatures) {
  return "Content-Type: multipart/signed; micalg=pgp-sha512; protocol=\"application/pgp-signature\";"
         " boundary=\"SIG\"\r\n\r\n--SIG\r\n" +
         signed_part +
         "\r\n--SIG\r\nContent-Type: application/pgp-signature\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
         base64(signatures) + "--SIG--\r\n";
}

// The reporter's key made 60 days ago (gpg --faked-system-time), registered
// for old@x.example: it can sign as of a month ago, as a replayed report was.
struct OldKey {
  std::filesystem::path home;
  std::string fingerprint;
};
const OldKey& old_key() {
  static const OldKey key = [] {
    OpenPgpWorld& w = registered_world();
    OldKey made{w.root / "old", {}};
    std::filesystem::create_directory(made.home);
    std::filesystem::permissions(made.home, std::filesystem::perms::owner_all);
    const std::string then = std::to_string(std::time(nullptr) - 60 * 86400);
    if (!w.gpg(made.home, "--faked-system-time " + then + " --quick-gen-key 'Old <old@x.example>' ed25519 sign never"))
      return made;
    const auto listing = w.root / "old-listing";
    if (!w.gpg(made.home, "--with-colons --list-keys", listing)) return made;
    const std::string text = OpenPgpWorld::read(listing);
    const auto fpr = text.find("\nfpr:");
    if (fpr == std::string::npos) return made;
    const auto end = text.find(":\n", fpr);
    made.fingerprint = text.substr(text.rfind(':', end - 1) + 1, end - text.rfind(':', end - 1) - 1);
    const std::string exported = w.gpg_output(made.home, "--export " + made.fingerprint);
    if (exported.empty() || !w.gpg(w.team_home, "--import " + w.write(exported).string())) made.fingerprint.clear();
    auto db = open_store(w.state_dir);
    if (!db || !register_key(db.value(), {made.fingerprint, "old@x.example", "", "2024-01-01T00:00:00Z", "test"}))
      made.fingerprint.clear();
    return made;
  }();
  REQUIRE_FALSE(key.fingerprint.empty());
  return key;
}

std::string signed_part_text(const std::string& extra_headers = "") {
  return "Content-Type: text/plain; charset=us-ascii\r\n" + extra_headers + "\r\nIncident at 10:00 UTC\r\n";
}

}  // namespace

TEST_CASE("OpenPgpStage: a verified sender is named with the registry's organisation") {
  OpenPgpWorld& w = registered_world();
  const std::string message = outer_headers("Rep <REP@x.example>") +
                              signed_entity(w, signed_part_text(), w.reporter_home);
  Report report = run_stage(message);
  CHECK(report.crypto.signature == "good");
  CHECK(report.crypto.sender_verified);
  CHECK(report.crypto.verified_address == "rep@x.example");
  CHECK(report.crypto.verified_org == "X CERT");
  const std::string head = render_status_headers(report);
  CHECK(head.find("X-Csirtgw-Sender-Verified: yes; address=rep@x.example; org=\"X CERT\"\n") != std::string::npos);
  CHECK(head.find("X-Csirtgw-Signer: " + w.reporter_fpr + "\n") != std::string::npos);
}

TEST_CASE("OpenPgpStage: a bad signature names no signer; a good one next to it does") {
  OpenPgpWorld& w = registered_world();
  const std::string part = signed_part_text();
  const std::string good = w.gpg_output(w.reporter_home, "--detach-sign " + w.write(part).string());
  const std::string over_other_bytes = w.gpg_output(w.reporter_home, "--detach-sign " + w.write(part + "X").string());
  const std::string stranger = w.gpg_output(w.stranger_home, "--detach-sign " + w.write(part).string());
  REQUIRE_FALSE(good.empty());
  REQUIRE_FALSE(over_other_bytes.empty());
  REQUIRE_FALSE(stranger.empty());

  SUBCASE("one good, one bad") {
    Report report = run_stage(outer_headers("Rep <rep@x.example>") + signed_with(part, good + over_other_bytes));
    CHECK(report.crypto.signature == "bad");
    CHECK_FALSE(report.crypto.sender_verified);
    CHECK(report.crypto.signer == w.reporter_fpr);  // the good one's key
    REQUIRE(report.crypto.claimed_issuers.size() == 1);
    CHECK(report.crypto.claimed_issuers[0].status == "bad");
    const std::string head = render_status_headers(report);
    CHECK(head.find("X-Csirtgw-Signature: bad; claimed-issuer=") != std::string::npos);
    CHECK(head.find(" (bad)\n") != std::string::npos);
    CHECK(report.crypto.verification_reason == "not every signature is good");
  }
  SUBCASE("bad alone: no X-Csirtgw-Signer at all") {
    Report report = run_stage(outer_headers("Rep <rep@x.example>") + signed_with(part, over_other_bytes));
    CHECK(report.crypto.signature == "bad");
    CHECK(report.crypto.signer.empty());
    CHECK(render_status_headers(report).find("X-Csirtgw-Signer:") == std::string::npos);
  }
  SUBCASE("one good, one by a key nobody registered") {
    Report report = run_stage(outer_headers("Rep <rep@x.example>") + signed_with(part, good + stranger));
    CHECK(report.crypto.signature == "unknown-key");
    CHECK(report.crypto.signer == w.reporter_fpr);
    REQUIRE(report.crypto.claimed_issuers.size() == 1);
    CHECK(report.crypto.claimed_issuers[0].status == "unknown-key");
    // The issuer the stranger's signature claims: its key id or fingerprint.
    CHECK(w.stranger_fpr.find(report.crypto.claimed_issuers[0].issuer.substr(
              report.crypto.claimed_issuers[0].issuer.size() - 16)) != std::string::npos);
  }
}

TEST_CASE("OpenPgpStage: a replayed signature does not verify the sender") {
  OpenPgpWorld& w = registered_world();
  const OldKey& key = old_key();
  const std::string part = signed_part_text();
  auto signed_at = [&](long seconds_ago) {
    return w.gpg_output(key.home, "--faked-system-time " + std::to_string(std::time(nullptr) - seconds_ago) +
                                      " --detach-sign " + w.write(part).string());
  };
  auto headers = [&](const std::string& date) {
    return "From: Old <old@x.example>\r\nTo: csirt@team.example\r\nSubject: resent\r\nDate: " + date +
           "\r\nMessage-ID: <resent@x.example>\r\nMIME-Version: 1.0\r\n";
  };
  SUBCASE("signed 30 days ago, resent now with a new Date") {
    Report report = run_stage(headers(date_now()) + signed_with(part, signed_at(30 * 86400)));
    CHECK(report.crypto.signature == "good");
    CHECK(report.crypto.signer == key.fingerprint);
    CHECK_FALSE(report.crypto.sender_verified);
    CHECK(report.crypto.verification_reason.find("openpgp.signature_max_age") != std::string::npos);
    CHECK(render_status_headers(report).find("X-Csirtgw-Verification-Reason: the signature was made ") !=
          std::string::npos);
    REQUIRE_FALSE(report.audit_notes.empty());
    CHECK(report.audit_notes.front().detail.find("\"verification_reason\"") != std::string::npos);
  }
  SUBCASE("signed 2 days ago (within the age), Date of today") {
    Report report = run_stage(headers(date_now()) + signed_with(part, signed_at(2 * 86400)));
    CHECK(report.crypto.signature == "good");
    CHECK_FALSE(report.crypto.sender_verified);
    CHECK(report.crypto.verification_reason.find("the message's Date") != std::string::npos);
  }
  SUBCASE("signed 2 days ago with the Date of then: the times agree") {
    Report report = run_stage(headers(date_now(-2 * 86400 + 60)) + signed_with(part, signed_at(2 * 86400)));
    CHECK(report.crypto.sender_verified);
    CHECK(report.crypto.verification_reason.empty());
  }
}

TEST_CASE("OpenPgpStage: protected headers in the signed part are compared with the outer ones") {
  OpenPgpWorld& w = registered_world();
  const std::string date = date_now(-60);
  auto message = [&](const std::string& inner_from, const std::string& inner_subject) {
    const std::string part = signed_part_text("From: " + inner_from + "\r\nSubject: " + inner_subject + "\r\nDate: " +
                                              date + "\r\nMessage-ID: <1@x.example>\r\n");
    return "From: Rep <rep@x.example>\r\nTo: csirt@team.example\r\nSubject: outer subject\r\nDate: " + date +
           "\r\nMessage-ID: <1@x.example>\r\nMIME-Version: 1.0\r\n" + signed_entity(w, part, w.reporter_home);
  };
  SUBCASE("the Subject differs: flagged, still verified") {
    Report report = run_stage(message("Rep <rep@x.example>", "the signed subject"));
    CHECK(report.crypto.sender_verified);
    REQUIRE(report.crypto.header_mismatch == std::vector<std::string>{"Subject"});
    const std::string head = render_status_headers(report);
    CHECK(head.find("X-Csirtgw-Header-Mismatch: Subject\n") != std::string::npos);
    CHECK(head.find("X-Csirtgw-Protected-Headers: authenticated\n") != std::string::npos);
    CHECK(head.find("X-Csirtgw-Protected-Subject: the signed subject\n") != std::string::npos);
    CHECK(head.find("X-Csirtgw-Protected-From: Rep <rep@x.example>\n") != std::string::npos);
  }
  SUBCASE("the From differs: not verified") {
    Report report = run_stage(message("Other <other@x.example>", "outer subject"));
    CHECK(report.crypto.signature == "good");
    CHECK_FALSE(report.crypto.sender_verified);
    CHECK(report.crypto.header_mismatch == std::vector<std::string>{"From"});
    CHECK(report.crypto.verification_reason == "the signed From differs from the outer From");
  }
  SUBCASE("all the same: nothing flagged") {
    Report report = run_stage(message("Rep <rep@x.example>", "outer subject"));
    CHECK(report.crypto.sender_verified);
    CHECK(report.crypto.header_mismatch.empty());
    CHECK(report.crypto.protected_headers.size() == 4);
  }
}

TEST_CASE("OpenPgpStage: a decrypted PGP/MIME message has one of each header field") {
  OpenPgpWorld& w = registered_world();
  const std::string inner = "Content-Type: text/plain; charset=us-ascii; protected-headers=\"v1\"\r\n"
                            "From: Rep <rep@x.example>\r\nTo: csirt@team.example\r\nSubject: the real subject\r\n"
                            "Message-ID: <1@x.example>\r\nMIME-Version: 1.0\r\n\r\nSecret incident details\r\n";
  const std::string ciphertext = w.encrypt(inner, w.team_fpr, "--sign --local-user " + w.reporter_fpr);
  REQUIRE_FALSE(ciphertext.empty());
  const std::string outer = "From: Rep <rep@x.example>\r\nTo: csirt@team.example\r\nSubject: [...]\r\n"
                            "Message-ID: <1@x.example>\r\nMIME-Version: 1.0\r\n";
  Report report = run_stage(outer + encrypted_entity(ciphertext));
  CHECK(report.crypto.encryption == EncryptionState::decrypted);
  CHECK(report.crypto.sender_verified);
  CHECK(report.crypto.header_mismatch.empty());  // "[...]" is RFC 9788's obscured Subject
  const std::string_view head = header_section(report.message());
  for (const char* name : {"From", "To", "Subject", "Message-ID", "MIME-Version", "Content-Type"}) {
    CAPTURE(name);
    CHECK(header_values(head, name).size() == 1);
  }
  CHECK(header_value(head, "Content-Type")->find("text/plain") == 0);
  CHECK(render_status_headers(report).find("X-Csirtgw-Protected-Subject: the real subject\n") != std::string::npos);
}

TEST_CASE("OpenPgpStage: a signed, not encrypted inline OpenPGP message is verified and its text filed") {
  OpenPgpWorld& w = registered_world();
  const std::string armored = w.gpg_output(w.reporter_home, "--armor --sign " + w.write("Incident at 10:00 UTC\n").string());
  REQUIRE(armored.find("BEGIN PGP MESSAGE") != std::string::npos);
  Report report = run_stage(outer_headers("Rep <rep@x.example>") + "Content-Type: text/plain\r\n\r\n" + crlf(armored));
  CHECK(report.crypto.encryption == EncryptionState::none);
  CHECK(report.crypto.signature == "good");
  CHECK(report.crypto.sender_verified);
  CHECK(report.queue == "incoming");
  CHECK(report.message().find("Incident at 10:00 UTC") != std::string::npos);
  CHECK(report.message().find("BEGIN PGP MESSAGE") == std::string::npos);
  CHECK(report.audit_notes.front().detail.find("\"signed_only\":true") != std::string::npos);
}

TEST_CASE("OpenPgpStage: inline OpenPGP in HTML-only mail") {
  OpenPgpWorld& w = registered_world();
  const std::string ciphertext = w.encrypt("Secret incident details\n", w.team_fpr, "");
  REQUIRE_FALSE(ciphertext.empty());
  // As Outlook sends it: every armor line in its own <div>, '+' as &#43;, empty lines as &nbsp;.
  auto outlook = [](const std::string& armor) {
    std::string html = "<html><head><style>p {margin:0}</style></head><body>\r\n";
    std::istringstream lines(armor);
    for (std::string line; std::getline(lines, line);) {
      std::string escaped;
      for (char c : line) escaped += c == '+' ? std::string("&#43;") : std::string(1, c);
      html += "<div>" + (escaped.empty() ? std::string("&nbsp;") : escaped) + "</div>\r\n";
    }
    return html + "</body></html>\r\n";
  };
  const std::string headers = outer_headers("Rep <rep@x.example>") + "Content-Type: text/html; charset=utf-8\r\n\r\n";
  SUBCASE("recovered exactly: decrypted") {
    Report report = run_stage(headers + outlook(ciphertext));
    CHECK(report.crypto.encryption == EncryptionState::decrypted);
    CHECK(report.queue == "incoming");
    CHECK(report.message().find("Secret incident details") != std::string::npos);
    CHECK(header_value(header_section(report.message()), "Content-Type")->rfind("text/plain", 0) == 0);
  }
  SUBCASE("damaged: flagged and quarantined, never filed as plain text") {
    std::string damaged = ciphertext;
    const auto line = damaged.find('\n', damaged.find("\n\n") + 2);  // the second line of base64
    damaged[line + 5] = damaged[line + 5] == 'A' ? 'B' : 'A';
    Report report = run_stage(headers + outlook(damaged));
    CHECK(report.crypto.encryption == EncryptionState::failed);
    CHECK(report.queue == "quarantine");
    CHECK(report.crypto.reason.find("inline OpenPGP in HTML could not be recovered") == 0);
  }
  SUBCASE("text around the armor: not decrypted") {
    Report report = run_stage(headers + "<p>Please wire the money.</p>" + outlook(ciphertext));
    CHECK(report.crypto.encryption == EncryptionState::failed);
    CHECK(report.crypto.reason.find("mixed with unencrypted text") != std::string::npos);
  }
}

}  // namespace csirtgw
