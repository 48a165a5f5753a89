// The queue books (daemon/pipeline/queue_books.cpp) against a real store and
// real Maildir folders: what a mail client does to the files (read: new/ to
// cur/ with flags; move: another queue folder; expunge: gone) and what the
// store makes of it: counts, a scan moving the ticket, refile restoring once.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "audit_log.h"
#include "durable_file.h"
#include "filed_store.h"
#include "maildir_queue.h"
#include "queue_books.h"
#include "store.h"
#include "temp_dir.h"

namespace csirtgw {
namespace {

namespace fs = std::filesystem;

const std::string kReport = "1733360000.0005f1a2b3c4d5e6f7.gw.example";  // spool id 0005f1a2b3c4d5e6f7
const std::string kReportId = "0005f1a2b3c4d5e6f7";
const std::string kFollowUp = "1733360001.0005f1a2b3c4d5e6f8.gw.example";

struct Books {
  testing::TempDir dir;
  Database db;
  std::set<std::string> policy{"incident-reports", "coordination"};

  Books() : db(opened(dir)) {
    REQUIRE(db.exec("INSERT INTO tickets (number, created_at, updated_at, queue, state, type, priority, tlp, "
                    "constituency, categories, encryption, signature) VALUES (7, 'x', 'x', 'incident-reports', "
                    "'open', 'other/other', 3, 'amber', 1, '', 'none', 'none')")
                .ok());
    file("0005f1a2b3c4d5e6f7", kReport, "incident-reports", "report");
    file("0005f1a2b3c4d5e6f8", kFollowUp, "incident-reports", "follow-up");
  }
  static Database opened(const testing::TempDir& dir) {
    auto store = open_store(dir.path());
    REQUIRE_MESSAGE(store.ok(), store.error().message);
    return std::move(store.value());
  }
  // A filed message as the worker leaves it: row, queue copy, store copy.
  void file(const std::string& id, const std::string& name, const std::string& queue, const std::string& role) {
    auto stmt = db.prepare(
        "INSERT INTO messages (spool_id, received_at, protocol, peer, helo, sender, recipients, resend_key, message_id, "
        "sha256, size, state, queue, maildir_name) VALUES (?, 'x', 'lmtp', 'p', 'h', 's', '[]', '', '', '', 1, "
        "'filed', ?, ?)");
    REQUIRE(stmt.ok());
    REQUIRE(stmt->bind(1, id).bind(2, queue).bind(3, name).run().ok());
    auto link = db.prepare("INSERT INTO ticket_messages (spool_id, ticket, message_id, role, added_at) VALUES (?, 7, '', ?, 'x')");
    REQUIRE(link.ok());
    REQUIRE(link->bind(1, id).bind(2, role).run().ok());
    const std::string content = "Subject: report " + id + "\n\n198.51.100.7 scanned us\n";
    for (auto copy : {MaildirQueue::open(dir.path() / "queues", queue), open_filed_store(dir.path())}) {
      REQUIRE(copy.ok());
      auto pending = copy->write_tmp(name, content);
      REQUIRE(pending.ok());
      REQUIRE(MaildirQueue::publish(pending.value()).ok());
    }
  }
  fs::path queues() const { return dir.path() / "queues"; }
  std::string ticket_queue() {
    auto stmt = db.prepare("SELECT queue FROM tickets WHERE number = 7");
    REQUIRE(stmt.ok());
    REQUIRE(stmt->step().value());
    return stmt->text(0);
  }
  std::map<std::string, QueueCount> counts() {
    auto records = filed_records(db);
    REQUIRE(records.ok());
    return count_queues(records.value(), index_queue_folders(queues(), known_queues(db, policy)));
  }
  std::int64_t events(const std::string& event) {
    auto stmt = db.prepare("SELECT COUNT(*) FROM audit WHERE event = ?");
    REQUIRE(stmt.ok());
    stmt->bind(1, event);
    REQUIRE(stmt->step().value());
    return stmt->integer(0);
  }
};

}  // namespace

TEST_CASE("queue books: the spool id in a Maildir file name") {
  CHECK(spool_id_in_maildir_name(kReport) == kReportId);
  CHECK(spool_id_in_maildir_name(kReport + ":2,FS") == kReportId);  // read and flagged by a client
  CHECK(spool_id_in_maildir_name("1733360000.M12P34.host:2,") == "");  // a client's own name
  CHECK(spool_id_in_maildir_name("dovecot-uidlist") == "");
  CHECK(spool_id_in_maildir_name("1.0005F1A2B3C4D5E6F7.h") == "");  // ours are lower case
}

TEST_CASE("queue books: counts come from the store, whatever a client does to new/ and cur/") {
  Books books;
  auto before = books.counts();
  CHECK(before["incident-reports"].filed == 2);
  CHECK(before["incident-reports"].missing == 0);
  // A client opens the folder (new/ -> cur/ with flags) and creates its own folders and files.
  fs::rename(books.queues() / "incident-reports" / "new" / kReport,
             books.queues() / "incident-reports" / "cur" / (kReport + ":2,S"));
  fs::create_directories(books.queues() / "Trash" / "cur");
  std::ofstream(books.queues() / "dovecot-uidvalidity") << "x";
  auto after = books.counts();
  CHECK(after["incident-reports"].filed == 2);
  CHECK(after["incident-reports"].missing == 0);
  CHECK(after.count("Trash") == 0);
  CHECK(known_queues(books.db, books.policy).count("Trash") == 0);
  CHECK(known_queues(books.db, books.policy).count("quarantine") == 1);
}

TEST_CASE("queue books: a message moved to another queue folder moves its ticket, audited; a copy does not") {
  Books books;
  fs::create_directories(books.queues() / "coordination" / "cur");
  fs::copy_file(books.queues() / "incident-reports" / "new" / kFollowUp,
                books.queues() / "coordination" / "cur" / (kFollowUp + ":2,"));
  auto copied = scan_queues(books.db, books.dir.path(), books.policy, "alice");
  REQUIRE(copied.ok());
  CHECK(copied->moved.empty());
  CHECK(books.ticket_queue() == "incident-reports");

  fs::rename(books.queues() / "incident-reports" / "new" / kReport,
             books.queues() / "coordination" / "cur" / (kReport + ":2,F"));
  auto scanned = scan_queues(books.db, books.dir.path(), books.policy, "alice");
  REQUIRE_MESSAGE(scanned.ok(), scanned.error().message);
  REQUIRE(scanned->moved.size() == 1);
  CHECK(scanned->moved[0].spool_id == kReportId);
  CHECK(scanned->moved[0].to == "coordination");
  CHECK(books.ticket_queue() == "coordination");
  CHECK(books.events("ticket-moved") == 1);
  CHECK(books.events("message-moved") == 1);
  // Scanning again finds nothing new.
  auto again = scan_queues(books.db, books.dir.path(), books.policy, "alice");
  REQUIRE(again.ok());
  CHECK(again->moved.empty());
  CHECK(books.events("ticket-moved") == 1);
  CHECK(books.counts()["coordination"].filed == 1);
}

TEST_CASE("queue books: a file a client renamed is still found by csirtgw's Received field") {
  Books books;
  const fs::path file = books.queues() / "coordination" / "cur" / "1733369999.M1P2.imap:2,S";
  fs::create_directories(file.parent_path());
  std::ofstream(file) << "Return-Path: <a@b>\nDelivered-To: cert@x\nReceived: from h (p)\n\tby gw (csirtgw) with LMTP id "
                      << kReportId << ";\n\tThu, 1 Jan 2026\nSubject: s\n\nbody\n";
  fs::remove(books.queues() / "incident-reports" / "new" / kReport);
  auto scanned = scan_queues(books.db, books.dir.path(), books.policy, "bob");
  REQUIRE(scanned.ok());
  REQUIRE(scanned->moved.size() == 1);
  CHECK(scanned->moved[0].to == "coordination");
}

TEST_CASE("queue books: an expunged report is missing, the ticket stays open, refile restores it once") {
  Books books;
  fs::remove(books.queues() / "incident-reports" / "new" / kReport);
  auto scanned = scan_queues(books.db, books.dir.path(), books.policy, "alice");
  REQUIRE(scanned.ok());
  REQUIRE(scanned->missing.size() == 1);
  CHECK(scanned->missing[0].spool_id == kReportId);
  CHECK(books.counts()["incident-reports"].missing == 1);
  auto state = books.db.prepare("SELECT state FROM tickets WHERE number = 7");
  REQUIRE(state.ok());
  REQUIRE(state->step().value());
  CHECK(state->text(0) == "open");

  auto refiled = refile_ticket(books.db, books.dir.path(), 7, books.policy, "alice");
  REQUIRE_MESSAGE(refiled.ok(), refiled.error().message);
  CHECK(refiled->restored == std::vector<std::string>{kReportId});
  CHECK(refiled->present.size() == 1);
  const fs::path back = books.queues() / "incident-reports" / "new" / kReport;
  REQUIRE(fs::exists(back));
  auto text = read_whole_file(back);
  REQUIRE(text.ok());
  CHECK(text->find("198.51.100.7") != std::string::npos);
  CHECK(books.counts()["incident-reports"].missing == 0);
  auto twice = refile_ticket(books.db, books.dir.path(), 7, books.policy, "alice");
  REQUIRE(twice.ok());
  CHECK(twice->restored.empty());
  CHECK(twice->present.size() == 2);
  CHECK(books.events("ticket-refile") == 2);
  CHECK_FALSE(refile_ticket(books.db, books.dir.path(), 99, books.policy, "alice").ok());

  // A message filed before the store kept copies: reported, the others still restored.
  fs::remove(books.queues() / "incident-reports" / "new" / kReport);
  fs::remove(books.queues() / "incident-reports" / "new" / kFollowUp);
  fs::remove(filed_store_path(books.dir.path(), kFollowUp));
  auto partial = refile_ticket(books.db, books.dir.path(), 7, books.policy, "alice");
  REQUIRE_MESSAGE(partial.ok(), partial.error().message);
  CHECK(partial->restored == std::vector<std::string>{kReportId});
  CHECK(partial->without_copy == std::vector<std::string>{"0005f1a2b3c4d5e6f8"});
}

TEST_CASE("queue books: the store's copy is private, shared queues are group rw") {
  Books books;
  struct stat st {};
  REQUIRE(::stat((books.dir.path() / "filed").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0700);
  REQUIRE(::stat(filed_store_path(books.dir.path(), kReport).c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  // Not shared: the queues root is no setgid directory.
  REQUIRE(::stat((books.queues() / "incident-reports" / "new" / kReport).c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0640);
  // Shared: a setgid root makes setgid queues, group-rw tmp/new/cur, files 0640.
  REQUIRE(::chmod(books.queues().c_str(), 02750) == 0);
  auto shared = MaildirQueue::open(books.queues(), "vulnerabilities");
  REQUIRE(shared.ok());
  REQUIRE(::stat((books.queues() / "vulnerabilities" / "cur").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 02770);
  REQUIRE(::stat((books.queues() / "vulnerabilities").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 02750);
  auto pending = shared->write_tmp(kReport, "x");
  REQUIRE(pending.ok());
  REQUIRE(::fstat(pending->fd.get(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0640);
}

}  // namespace csirtgw
