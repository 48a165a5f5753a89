// Composing acknowledgements with real keys (daemon/outbound/ack_composer.cpp,
// keyring/openpgp_writer.cpp): the detached signature verifies with gpg over
// the signed part exactly as it stands in the message; an ack to a reporter
// with a usable registered key is signed and encrypted in one OpenPGP message
// that the reporter decrypts and whose signature is the team's; a key that
// cannot encrypt gives a signed ack and says why.
#include <doctest/doctest.h>

#include <string>

#include "ack_composer.h"
#include "agent_shards.h"
#include "config.h"
#include "openpgp_test_keys.h"

namespace csirtgw {
namespace {

using testing::OpenPgpWorld;

OpenPgpWorld& world() { return testing::ready_world(); }

// Copies a public key from one home to another with gpg itself.
void give_public_key(OpenPgpWorld& w, const std::filesystem::path& from, const std::string& fpr,
                     const std::filesystem::path& to) {
  const std::string armored = w.gpg_output(from, "--armor --export " + fpr);
  REQUIRE(!armored.empty());
  REQUIRE(w.gpg(to, "--import " + w.write(armored).string()));
}

// The text between "--boundary\r\n" and the CRLF before the next boundary line.
std::string part_between(const std::string& message, const std::string& boundary, int index) {
  std::size_t at = 0;
  for (int i = 0; i <= index; ++i) {
    at = message.find("--" + boundary + "\r\n", at);
    REQUIRE(at != std::string::npos);
    at += boundary.size() + 4;
  }
  const auto end = message.find("\r\n--" + boundary, at);
  REQUIRE(end != std::string::npos);
  return message.substr(at, end - at);
}

std::string body_of(const std::string& entity) { return entity.substr(entity.find("\r\n\r\n") + 4); }

// A copy of the team home for these tests alone: keys imported into it must not
// change what the other OpenPGP tests see ("unknown key" must stay unknown).
std::filesystem::path own_team_home(OpenPgpWorld& w) {
  const auto home = w.root / "ack-team-home";
  if (!std::filesystem::exists(home)) {
    std::filesystem::create_directories(home);
    // Files and directories only: the agent's sockets stay behind.
    for (const auto& entry : std::filesystem::recursive_directory_iterator(w.team_home)) {
      const auto target = home / std::filesystem::relative(entry.path(), w.team_home);
      if (entry.is_directory()) std::filesystem::create_directories(target);
      else if (entry.is_regular_file()) std::filesystem::copy_file(entry.path(), target);
    }
    std::filesystem::permissions(home, std::filesystem::perms::owner_all);
    give_public_key(w, w.stranger_home, w.stranger_fpr, home);
    give_public_key(w, w.team_home, w.team_fpr, w.stranger_home);
  }
  return home;
}

AckRequest request(const std::string& id) {
  AckRequest r;
  r.spool_id = id;
  r.ticket = "XYZ-CERT #9";
  r.recipient = "s@y.example";
  r.from_address = "cert@csirt.example";
  r.intake_name = "cert";
  r.in_reply_to = "<report@y.example>";
  return r;
}

}  // namespace

TEST_CASE("AckComposer with real keys") {
  OpenPgpWorld& w = world();
  Config config = default_config();
  auto templates = load_ack_templates(config);
  REQUIRE(templates);
  const auto home = own_team_home(w);
  AgentShards shards(home, w.root / "ack-shards", 1);
  REQUIRE(shards.prepare());
  AckComposer composer(config, templates.value(), shards, 0, w.team_fpr);

  SUBCASE("signed: the detached signature verifies over the exact signed part") {
    auto ack = composer.compose(request("20260101T000000-sig"));
    REQUIRE_MESSAGE(ack, ack.error().message);
    CHECK(!ack->encrypted);
    CHECK(ack->message_id == "<ack.20260101T000000-sig@csirtgw.localhost>");
    CHECK(ack->message.find("Subject: [XYZ-CERT #9] Your report has been received\r\n") != std::string::npos);
    CHECK(ack->message.find("To: <s@y.example>\r\n") != std::string::npos);
    CHECK(ack->message.find("In-Reply-To: <report@y.example>\r\n") != std::string::npos);
    const std::string boundary = "=_csirtgw_20260101T000000-sig_s";
    const std::string signed_part = part_between(ack->message, boundary, 0);
    const std::string signature = body_of(part_between(ack->message, boundary, 1));
    CHECK(signed_part.find("XYZ-CERT =239") != std::string::npos);  // quoted-printable '#'
    CHECK(w.gpg(w.reporter_home, "--verify " + w.write(signature).string() + " " + w.write(signed_part).string()));
    // One changed byte and it no longer verifies.
    std::string tampered = signed_part;
    tampered[tampered.size() - 3] ^= 1;
    CHECK(!w.gpg(w.reporter_home, "--verify " + w.write(signature).string() + " " + w.write(tampered).string()));
  }

  SUBCASE("signed and encrypted to a usable registered key") {
    AckRequest r = request("20260101T000000-enc");
    r.report_encrypted = true;
    r.registered_keys = {w.reporter_fpr, w.stranger_fpr};  // the first cannot encrypt (signing key only)
    auto ack = composer.compose(r);
    REQUIRE_MESSAGE(ack, ack.error().message);
    CHECK(ack->encrypted);
    CHECK(ack->message.find("XYZ-CERT =239") == std::string::npos);  // the text is inside the ciphertext
    const std::string armored = body_of(part_between(ack->message, "=_csirtgw_20260101T000000-enc_e", 1));
    const std::string plaintext = w.gpg_output(w.stranger_home, "--decrypt " + w.write(armored).string());
    CHECK(plaintext.find("Content-Type: text/plain; charset=utf-8") == 0);
    CHECK(plaintext.find("XYZ-CERT =239") != std::string::npos);
    const auto status = w.root / "decrypt-status";
    REQUIRE(w.gpg(w.stranger_home, "--status-fd 1 --decrypt --output /dev/null " + w.write(armored).string(), status));
    const std::string statuses = OpenPgpWorld::read(status);
    CHECK(statuses.find("[GNUPG:] GOODSIG") != std::string::npos);
    CHECK(statuses.find("[GNUPG:] DECRYPTION_OKAY") != std::string::npos);
  }

  SUBCASE("the report came encrypted but no registered key can encrypt: signed, with the reason") {
    AckRequest r = request("20260101T000000-nokey");
    r.report_encrypted = true;
    r.registered_keys = {w.reporter_fpr, "0000000000000000000000000000000000000000"};
    auto ack = composer.compose(r);
    REQUIRE_MESSAGE(ack, ack.error().message);
    CHECK(!ack->encrypted);
    CHECK(ack->key_note.find("no usable encryption subkey") != std::string::npos);
    CHECK(ack->key_note.find("not in the keyring") != std::string::npos);
    CHECK(ack->message.find("multipart/signed") != std::string::npos);
  }
}

}  // namespace csirtgw
