// Sending from a ticket with a real store and real keys
// (daemon/correspondence/correspondence.cpp): the message decrypts with the
// recipient's key, the team's signature verifies, nothing of the staff key is
// in it, the quoted report is gone; the outbound row, the file in
// outbound/new, the ticket's correspondence row, the queue copy and the audit
// events exist; a refusal queues nothing and is audited with its rule.
#include <doctest/doctest.h>

#include <string>

#include "audit_log.h"
#include "config.h"
#include "correspondence.h"
#include "key_registry.h"
#include "openpgp_test_keys.h"
#include "outbound_store.h"
#include "store.h"
#include "temp_dir.h"

namespace csirtgw {
namespace {

using testing::OpenPgpWorld;
using testing::TempDir;

// A copy of the team home holding the stranger's public key (the recipient
// here: the reporter test key signs only), and the team's key in the stranger's.
std::filesystem::path corr_team_home(OpenPgpWorld& w) {
  const auto home = w.root / "corr-team-home";
  if (!std::filesystem::exists(home)) {
    std::filesystem::create_directories(home);
    for (const auto& entry : std::filesystem::recursive_directory_iterator(w.team_home)) {
      const auto target = home / std::filesystem::relative(entry.path(), w.team_home);
      if (entry.is_directory()) std::filesystem::create_directories(target);
      else if (entry.is_regular_file()) std::filesystem::copy_file(entry.path(), target);
    }
    std::filesystem::permissions(home, std::filesystem::perms::owner_all);
    REQUIRE(w.gpg(home, "--import " + w.write(w.gpg_output(w.stranger_home, "--armor --export " + w.stranger_fpr)).string()));
    REQUIRE(w.gpg(w.stranger_home, "--import " + w.write(w.gpg_output(w.team_home, "--armor --export " + w.team_fpr)).string()));
  }
  return home;
}

void exec(Database& db, const std::string& sql) { REQUIRE_MESSAGE(db.exec(sql), sql); }

// Ticket 1: `tlp`, `encryption`; reported by rep@y.example to cert@csirt.example.
void add_ticket(Database& db, const std::string& tlp, const std::string& encryption) {
  exec(db, "INSERT INTO messages (spool_id, received_at, protocol, peer, helo, sender, recipients, resend_key,"
           " message_id, sha256, size, state, queue) VALUES ('s1', '2026-01-01T00:00:00Z', 'lmtp', '', '',"
           " 'bounce@y.example', '[{\"address\":\"cert@csirt.example\",\"intake\":\"cert\"}]', '', '<r1@y.example>',"
           " '', 1, 'filed', 'incidents')");
  exec(db, "INSERT INTO tickets (created_at, updated_at, queue, state, type, priority, tlp, constituency, categories,"
           " encryption, signature) VALUES ('2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'incidents', 'open',"
           " 'malicious-code', 2, '" + tlp + "', 1, 'vulnerability', '" + encryption + "', 'none')");
  exec(db, "INSERT INTO ticket_messages (spool_id, ticket, message_id, role, added_at, sender) VALUES"
           " ('s1', 1, '<r1@y.example>', 'report', '2026-01-01T00:00:00Z', 'rep@y.example')");
}

std::string body_after(const std::string& text, const std::string& marker) {
  const auto at = text.find(marker);
  REQUIRE(at != std::string::npos);
  return text.substr(at + marker.size());
}

std::int64_t count(Database& db, const std::string& sql) {
  auto stmt = db.prepare(sql);
  REQUIRE(stmt);
  auto row = stmt->step();
  REQUIRE(row);
  return stmt->integer(0);
}

}  // namespace

TEST_CASE("send_correspondence with a real store and real keys") {
  OpenPgpWorld& w = testing::ready_world();
  const auto home = corr_team_home(w);
  TempDir dir("csirtgw-corr");
  auto opened = open_store(dir.path());
  REQUIRE(opened);
  Database& db = opened.value();
  Config config = default_config();
  OpenPgpWorker gpg(OpenPgpWorkerSettings{home, {}, w.team_fpr});
  CorrespondenceContext ctx{db, config, "XYZ-CERT", dir.path(), gpg};

  SUBCASE("a reply to the reporter of an encrypted report: encrypted, signed by the team, recorded") {
    add_ticket(db, "GREEN", "decrypted");
    REQUIRE(register_key(db, {w.stranger_fpr, "rep@y.example", "", "2026-01-01T00:00:00Z", "test"}));
    CorrespondenceRequest r;
    r.ticket = 1;
    r.staff = "ana";
    r.staff_fingerprint = "STAFFFPR";
    r.text = "We blocked the host.\n\nOn Mon, Eve wrote:\n> secret report line\n";
    auto tx = Transaction::begin(db);
    REQUIRE(tx);
    auto out = send_correspondence(ctx, r);
    REQUIRE_MESSAGE(out, out.error().message);
    REQUIRE_MESSAGE(out->sent, out->refusal);
    REQUIRE(tx->commit());
    CHECK(out->encrypted);
    CHECK(out->recipient == "rep@y.example");
    CHECK(out->recipient_fingerprint == w.stranger_fpr);
    CHECK(out->rule == "encrypted-to-registered-key");

    auto rows = queued_outbound(db);
    REQUIRE(rows);
    REQUIRE(rows->size() == 1);
    const OutboundRow& row = rows->front();
    CHECK(row.kind == "correspondence");
    CHECK(row.ticket == "XYZ-CERT #1");
    CHECK(row.message_id == out->message_id);
    const std::string message = OpenPgpWorld::read(dir.path() / "outbound" / "new" / row.spool_id);
    CHECK(message.find("From: \"Example CERT\" <cert@csirt.example>\r\n") != std::string::npos);
    CHECK(message.find("To: <rep@y.example>\r\n") != std::string::npos);
    CHECK(message.find("Subject: [XYZ-CERT #1] Re: your incident report\r\n") != std::string::npos);
    CHECK(message.find("In-Reply-To: <r1@y.example>\r\n") != std::string::npos);
    CHECK(message.find("Auto-Submitted") == std::string::npos);
    CHECK(message.find("multipart/encrypted") != std::string::npos);
    CHECK(message.find("blocked") == std::string::npos);  // inside the ciphertext
    CHECK(message.find("STAFFFPR") == std::string::npos);

    const std::string armored = message.substr(message.find("-----BEGIN PGP MESSAGE-----"));
    const auto status = w.root / "corr-status";
    const auto plain = w.root / "corr-plain";
    REQUIRE(w.gpg(w.stranger_home, "--status-fd 1 --output " + plain.string() + " --decrypt " + w.write(armored).string(),
                  status));
    const std::string statuses = OpenPgpWorld::read(status);
    CHECK(statuses.find("[GNUPG:] VALIDSIG") != std::string::npos);
    CHECK(statuses.find(w.team_fpr) != std::string::npos);
    CHECK(statuses.find("[GNUPG:] DECRYPTION_OKAY") != std::string::npos);
    const std::string text = OpenPgpWorld::read(plain);
    CHECK(text.find("We blocked the host.") != std::string::npos);
    CHECK(text.find("secret report line") == std::string::npos);
    CHECK(text.find("wrote:") == std::string::npos);

    CHECK(count(db, "SELECT count(*) FROM ticket_correspondence WHERE ticket = 1 AND direction = 'out' AND kind = 'reply'"
                    " AND staff = 'ana' AND recipient_fingerprint = '" + w.stranger_fpr + "' AND length(sha256) = 64") == 1);
    auto ticket = ticket_for_outgoing_message_id(db, out->message_id);
    REQUIRE(ticket);
    CHECK(ticket.value() == std::optional<std::int64_t>{1});
    CHECK(count(db, "SELECT count(*) FROM audit WHERE event = 'correspondence-queued' AND actor = 'ana'") == 1);
    // The ack rate limits do not count staff mail.
    CHECK(outbound_count_since(db, "rep@y.example", 0).value() == 0);

    int copies = 0;
    for (const auto& f : std::filesystem::directory_iterator(dir.path() / "queues" / "incidents" / "new")) {
      const std::string copy = OpenPgpWorld::read(f.path());
      CHECK(copy.find("X-Csirtgw-Direction: outgoing\n") == 0);
      CHECK(copy.find("X-Csirtgw-Encrypted-To: " + w.stranger_fpr) != std::string::npos);
      CHECK(body_after(copy, "\n\n").find("We blocked the host.") != std::string::npos);
      ++copies;
    }
    CHECK(copies == 1);
  }

  SUBCASE("refusals queue nothing and are audited with their rule") {
    add_ticket(db, "RED", "none");
    CorrespondenceRequest r;
    r.ticket = 1;
    r.kind = CorrespondenceKind::forward;
    r.recipient = "Other@Cert.example";
    r.staff = "ana";
    r.text = "please look\n";
    auto tx = Transaction::begin(db);
    REQUIRE(tx);
    auto out = send_correspondence(ctx, r);
    REQUIRE(out);
    CHECK(!out->sent);
    CHECK(out->rule == "tlp-red-participants");
    CHECK(out->recipient == "other@cert.example");
    // A reply to a reporter without a key: TLP:RED requires encryption.
    r.kind = CorrespondenceKind::reply;
    out = send_correspondence(ctx, r);
    REQUIRE(out);
    CHECK(!out->sent);
    CHECK(out->rule == "encryption-required");
    CHECK(out->refusal.find("no key registered for rep@y.example") != std::string::npos);
    // No such ticket.
    r.ticket = 99;
    out = send_correspondence(ctx, r);
    REQUIRE(out);
    CHECK(out->rule == "no-ticket");
    REQUIRE(tx->commit());
    CHECK(queued_outbound(db)->empty());
    CHECK(count(db, "SELECT count(*) FROM ticket_correspondence") == 0);
    CHECK(count(db, "SELECT count(*) FROM audit WHERE event = 'correspondence-refused'") == 3);
  }

  SUBCASE("a notice to a staff member is encrypted to their key; an unusable key is refused") {
    auto tx = Transaction::begin(db);
    REQUIRE(tx);
    CHECK(notify_staff(ctx, "Staff@csirt.example", w.stranger_fpr, "[XYZ-CERT] refused", "Your forward was refused.\n"));
    auto bad = notify_staff(ctx, "staff@csirt.example", w.reporter_fpr, "x", "y\n");  // signing-only key
    CHECK(!bad);
    REQUIRE(tx->commit());
    auto rows = queued_outbound(db);
    REQUIRE(rows->size() == 1);
    CHECK(rows->front().kind == "notice");
    CHECK(rows->front().recipient == "staff@csirt.example");
    const std::string message = OpenPgpWorld::read(dir.path() / "outbound" / "new" / rows->front().spool_id);
    CHECK(message.find("multipart/encrypted") != std::string::npos);
    CHECK(message.find("refused.") == std::string::npos);
  }
}

}  // namespace csirtgw
