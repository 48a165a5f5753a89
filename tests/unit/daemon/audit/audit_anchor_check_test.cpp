// Anchoring the audit chain with a real team key (tests/unit/openpgp_test_keys.h)
// and a real store in a temp directory: the writer (daemon/audit/audit_anchor_writer.h)
// signs through a real csirtgw-openpgp-worker, appends only when the head
// moved, drops a torn last record and writes a last anchor when stopped; the
// check (daemon/audit/audit_anchor_check.h) finds every tampering the plain chain
// check misses — the chain rewritten and hashed again, rows cut from the end —
// and every anchor that is not the team's.
#include <doctest/doctest.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "audit_anchor.h"
#include "audit_anchor_check.h"
#include "audit_anchor_writer.h"
#include "audit_log.h"
#include "gnupg_home.h"
#include "openpgp_test_keys.h"
#include "store.h"
#include "temp_dir.h"

namespace csirtgw {
namespace {

using testing::OpenPgpWorld;
using testing::ready_world;
using testing::TempDir;

void exec(Database& db, const std::string& sql) {
  auto st = db.exec(sql);
  REQUIRE_MESSAGE(st.ok(), sql << ": " << st.error().message);
}

void append_events(Database& db, int first, int last) {
  auto tx = Transaction::begin(db);
  REQUIRE(tx.ok());
  for (int n = first; n <= last; ++n) {
    auto st = append_audit_event(db, {"filed", "spool-" + std::to_string(n), "csirtgw", "{\"n\":" + std::to_string(n) + "}"});
    REQUIRE_MESSAGE(st.ok(), st.error().message);
  }
  REQUIRE(tx->commit().ok());
}

// What an attacker with write access to csirtgw.db does: edits event `from`,
// then hashes it and every later event again with the real recipe and moves
// the head, so that the chain verifies on its own.
void rewrite_and_rechain(Database& db, std::int64_t from) {
  exec(db, "UPDATE audit SET detail = '{\"n\":\"forged\"}' WHERE seq = " + std::to_string(from));
  auto rows = db.prepare("SELECT seq, at, event, spool_id, actor, detail, prev_hash FROM audit WHERE seq >= ? ORDER BY seq");
  REQUIRE(rows.ok());
  rows->bind(1, from);
  struct Row {
    std::int64_t seq;
    std::string at;
    AuditEvent event;
    std::string prev;
  };
  std::vector<Row> later;
  while (true) {
    auto row = rows->step();
    REQUIRE(row.ok());
    if (!row.value()) break;
    later.push_back({rows->integer(0), rows->text(1), {rows->text(2), rows->text(3), rows->text(4), rows->text(5)}, rows->text(6)});
  }
  std::string prev = later.front().prev;
  for (const auto& row : later) {
    const std::string hash = audit_row_hash(prev, row.seq, row.at, row.event);
    auto update = db.prepare("UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?");
    REQUIRE(update.ok());
    update->bind(1, prev).bind(2, hash).bind(3, row.seq);
    REQUIRE(update->run().ok());
    prev = hash;
  }
  auto head = db.prepare("UPDATE audit_head SET hash = ? WHERE id = 1");
  REQUIRE(head.ok());
  head->bind(1, prev);
  REQUIRE(head->run().ok());
}

std::string read_file(const std::filesystem::path& file) { return OpenPgpWorld::read(file); }

void write_file(const std::filesystem::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
}

AnchorWriterSettings writer_settings(const std::filesystem::path& state_dir, std::chrono::seconds interval = std::chrono::seconds(300)) {
  OpenPgpWorld& world = ready_world();
  return {state_dir, world.team_home, world.team_fpr, interval};
}

bool anchor(AuditAnchorWriter& writer) {
  auto wrote = writer.anchor_now();
  REQUIRE_MESSAGE(wrote.ok(), wrote.error().message);
  return wrote.value();
}

AnchoredVerdict check(Database& db, const std::string& anchors_text) {
  OpenPgpWorld& world = ready_world();
  auto verdict = verify_chain_against_anchors(db, anchors_text, world.team_home, world.team_fpr);
  REQUIRE_MESSAGE(verdict.ok(), verdict.error().message);
  return verdict.value();
}

// An anchor for `seq` of `db`'s chain, signed in `home`, naming `key`.
std::string foreign_record(Database& db, std::int64_t seq, const std::filesystem::path& home, const std::string& key) {
  auto hash = audit_hash_at(db, seq);
  REQUIRE(hash.ok());
  REQUIRE(hash.value());
  const AuditAnchor forged{seq, *hash.value(), "2026-01-01T00:00:00.000000Z", key};
  const std::string signature = ready_world().detached_signature(anchor_statement(forged), home);
  REQUIRE_FALSE(signature.empty());
  auto record = anchor_record(forged, signature);
  REQUIRE_MESSAGE(record.ok(), record.error().message);
  return record.value();
}

}  // namespace

TEST_CASE("audit anchors: the writer anchors each new head once") {
  OpenPgpWorld& world = ready_world();
  TempDir dir;
  auto db = open_store(dir.path());
  REQUIRE(db.ok());
  AuditAnchorWriter writer(writer_settings(dir.path()));
  writer.recover_file();
  CHECK_FALSE(anchor(writer));  // an empty log: nothing to sign
  CHECK_FALSE(std::filesystem::exists(writer.file()));

  append_events(db.value(), 1, 3);
  CHECK(anchor(writer));
  CHECK_FALSE(anchor(writer));  // the head did not move
  append_events(db.value(), 4, 5);
  CHECK(anchor(writer));

  const std::string text = read_file(writer.file());
  const ParsedAnchors parsed = parse_anchor_file(text);
  CHECK_FALSE(parsed.problem);
  REQUIRE(parsed.records.size() == 2);
  CHECK(parsed.records[0].anchor.seq == 3);
  CHECK(parsed.records[1].anchor.seq == 5);
  CHECK(parsed.records[1].anchor.head_hash == read_audit_head(db.value())->hash);
  CHECK(parsed.records[1].anchor.key_fingerprint == world.team_fpr);
  CHECK((std::filesystem::status(writer.file()).permissions() & std::filesystem::perms::others_all) ==
        std::filesystem::perms::none);

  const AnchoredVerdict verdict = check(db.value(), text);
  CHECK_MESSAGE(verdict.intact, verdict.broken);
  CHECK(verdict.events == 5);
  CHECK(verdict.anchors == 2);
  CHECK(verdict.head_hash == read_audit_head(db.value())->hash);

  SUBCASE("a new writer on the same file goes on from its last anchor") {
    AuditAnchorWriter again(writer_settings(dir.path()));
    again.recover_file();
    CHECK_FALSE(anchor(again));
    append_events(db.value(), 6, 6);
    CHECK(anchor(again));
    CHECK(parse_anchor_file(read_file(writer.file())).records.size() == 3);
  }
  SUBCASE("a torn last record is dropped at start-up, and the file reads whole again") {
    const std::string torn = text + "csirtgw-audit-anchor: 1\nseq: 6\nhead: 12";
    write_file(writer.file(), torn);
    CHECK(parse_anchor_file(torn).torn_tail);
    const std::string broken = check(db.value(), torn).broken;
    CHECK_MESSAGE(broken.rfind("anchor 3 (line ", 0) == 0, broken);
    CHECK_MESSAGE(broken.find("): incomplete: the file ends inside it") != std::string::npos, broken);
    AuditAnchorWriter again(writer_settings(dir.path()));
    again.recover_file();
    CHECK(read_file(writer.file()) == text);
    append_events(db.value(), 6, 6);
    CHECK(anchor(again));
    const AnchoredVerdict after = check(db.value(), read_file(writer.file()));
    CHECK_MESSAGE(after.intact, after.broken);
    CHECK(after.anchors == 3);
  }
  SUBCASE("a last record without its final LF is kept, and the next starts on a line of its own") {
    write_file(writer.file(), text.substr(0, text.size() - 2));  // the empty line and the END line's LF
    AuditAnchorWriter again(writer_settings(dir.path()));
    again.recover_file();
    append_events(db.value(), 6, 6);
    CHECK(anchor(again));
    const AnchoredVerdict after = check(db.value(), read_file(writer.file()));
    CHECK_MESSAGE(after.intact, after.broken);
    CHECK(after.anchors == 3);
  }
}

TEST_CASE("audit anchors: the thread anchors at start-up and once more when stopped") {
  ready_world();
  TempDir dir;
  auto db = open_store(dir.path());
  REQUIRE(db.ok());
  append_events(db.value(), 1, 2);
  AuditAnchorWriter writer(writer_settings(dir.path(), std::chrono::seconds(3600)));
  writer.start();
  // The start-up anchor comes from the thread; wait for it (the worker starts gpg).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (parse_anchor_file(std::filesystem::exists(writer.file()) ? read_file(writer.file()) : "").records.empty() &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  append_events(db.value(), 3, 4);
  writer.stop();
  const ParsedAnchors parsed = parse_anchor_file(read_file(writer.file()));
  CHECK_FALSE(parsed.problem);
  REQUIRE(parsed.records.size() == 2);
  CHECK(parsed.records[0].anchor.seq == 2);
  CHECK(parsed.records[1].anchor.seq == 4);  // the last anchor covers what came after the interval's
}

TEST_CASE("audit anchors: verification finds what the chain alone cannot") {
  OpenPgpWorld& world = ready_world();
  struct Row {
    const char* name;
    // Tampers with the store and/or the anchors text (anchors at seq 5 and 8 of 8 events).
    std::function<void(Database&, std::string&)> tamper;
    bool chain_alone_intact;  // what plain `audit verify` says afterwards
    std::string broken;       // the start of the verdict's line; "" for intact
  };
  const auto replace = [](std::string& text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
  };
  const std::vector<Row> rows = {
      {"untouched", [](Database&, std::string&) {}, true, ""},
      {"event 3 rewritten, the chain hashed again", [](Database& db, std::string&) { rewrite_and_rechain(db, 3); },
       true, "anchor 1 (seq 5, signed "},
      {"event 7 rewritten, the chain hashed again", [](Database& db, std::string&) { rewrite_and_rechain(db, 7); },
       true, "anchor 2 (seq 8, signed "},
      {"the last two events deleted, the head moved back",
       [](Database& db, std::string&) {
         exec(db, "DELETE FROM audit WHERE seq > 6");
         exec(db, "UPDATE audit_head SET seq = 6, hash = (SELECT hash FROM audit WHERE seq = 6)");
       },
       true, "anchor 2 (seq 8, signed "},
      {"event 3 edited, not hashed again: the chain's own break",
       [](Database& db, std::string&) { exec(db, "UPDATE audit SET actor = 'mallory' WHERE seq = 3"); }, false,
       "event 3: contents do not match"},
      {"an anchor's head edited in the file",
       [&replace](Database& db, std::string& text) {
         replace(text, "head: " + *audit_hash_at(db, 5).value(), "head: " + std::string(64, 'e'));
       },
       true, "anchor 1: bad signature (it does not match the record"},
      {"an anchor's seq edited in the file", [&replace](Database&, std::string& text) { replace(text, "seq: 8", "seq: 7"); },
       true, "anchor 2: bad signature (it does not match the record"},
      {"an anchor signed by another key in the keyring",
       [&world](Database& db, std::string& text) { text += foreign_record(db, 8, world.reporter_home, world.reporter_fpr); },
       true, "anchor 3: bad signature (made by key " + world.reporter_fpr + ", not the team key " + world.team_fpr},
      {"an anchor signed by a key the team does not know",
       [&world](Database& db, std::string& text) { text += foreign_record(db, 8, world.stranger_home, world.stranger_fpr); },
       true, "anchor 3: bad signature (made by a key not in the keyring"},
      {"an anchor by the team key naming another key",
       [&world](Database& db, std::string& text) { text += foreign_record(db, 8, world.team_home, world.stranger_fpr); },
       true, "anchor 3: bad signature (the record names key " + world.stranger_fpr},
      {"a signature over other text",
       [&world](Database&, std::string& text) {
         const auto begin = text.find("-----BEGIN PGP SIGNATURE-----");
         const auto end = text.find("-----END PGP SIGNATURE-----\n") + 28;
         text.replace(begin, end - begin, world.detached_signature("other text\n", world.team_home));
       },
       true, "anchor 1: bad signature (it does not match the record"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name) {
      TempDir dir;
      auto db = open_store(dir.path());
      REQUIRE(db.ok());
      AuditAnchorWriter writer(writer_settings(dir.path()));
      writer.recover_file();
      append_events(db.value(), 1, 5);
      REQUIRE(anchor(writer));
      append_events(db.value(), 6, 8);
      REQUIRE(anchor(writer));
      std::string text = read_file(writer.file());
      row.tamper(db.value(), text);

      auto alone = verify_audit_chain(db.value());
      REQUIRE(alone.ok());
      CHECK(alone->intact == row.chain_alone_intact);
      const AnchoredVerdict verdict = check(db.value(), text);
      if (row.broken.empty()) {
        CHECK_MESSAGE(verdict.intact, verdict.broken);
        CHECK(verdict.anchors == 2);
        continue;
      }
      CHECK_FALSE(verdict.intact);
      CHECK_MESSAGE(verdict.broken.rfind(row.broken, 0) == 0, verdict.broken);
    }
  }
}

TEST_CASE("audit anchors: the verifier finds the team key without generating one") {
  OpenPgpWorld& world = ready_world();
  struct Row {
    const char* name;
    std::filesystem::path home;
    std::string configured;
    std::string found;  // "" for an error
  };
  TempDir empty;
  std::string lower = world.team_fpr;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const Row rows[] = {
      {"the only secret key (the reporter's is public only)", world.team_home, "", world.team_fpr},
      {"the configured key, upper-cased", world.team_home, lower, world.team_fpr},
      {"a home without keys", empty.path(), "", ""},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    auto found = find_team_key(row.home, row.configured);
    CHECK(found.ok() == !row.found.empty());
    if (found.ok()) CHECK(found.value() == row.found);
  }
  // Nothing generated (gpg may create an empty keyring), and no agent started.
  CHECK_FALSE(std::filesystem::exists(empty.path() / "private-keys-v1.d"));
  CHECK_FALSE(std::filesystem::exists(empty.path() / "S.gpg-agent"));
}

TEST_CASE("audit anchors: the verdict's lines say which event and which hashes") {
  ready_world();
  TempDir dir;
  auto db = open_store(dir.path());
  REQUIRE(db.ok());
  AuditAnchorWriter writer(writer_settings(dir.path()));
  append_events(db.value(), 1, 5);
  REQUIRE(anchor(writer));
  const std::string text = read_file(writer.file());
  const AuditAnchor anchored = parse_anchor_file(text).records.at(0).anchor;

  SUBCASE("rewritten") {
    rewrite_and_rechain(db.value(), 2);
    const std::string now = *audit_hash_at(db.value(), 5).value();
    CHECK(check(db.value(), text).broken == "anchor 1 (seq 5, signed " + anchored.signed_at + "): event 5 has hash " +
                                                now + ", anchored " + anchored.head_hash +
                                                " — rows rewritten after the anchor");
  }
  SUBCASE("cut from the end") {
    exec(db.value(), "DELETE FROM audit WHERE seq > 3");
    exec(db.value(), "UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit WHERE seq = 3)");
    CHECK(check(db.value(), text).broken == "anchor 1 (seq 5, signed " + anchored.signed_at +
                                                "): the chain ends at seq 3, anchor 1 names seq 5 — rows deleted from "
                                                "the end");
  }
  SUBCASE("no anchors at all: the chain alone") {
    const AnchoredVerdict verdict = check(db.value(), "");
    CHECK(verdict.intact);
    CHECK(verdict.anchors == 0);
    CHECK(verdict.events == 5);
  }
}

}  // namespace csirtgw
