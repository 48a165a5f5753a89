// The SQLite store: opening, migrations, received and filed messages (store.h).
#include "store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "envelope_address.h"
#include "json_text.h"

#include "migrations.h"
#include "store_backup.h"

namespace csirtgw {
namespace {

std::string db_path(const std::filesystem::path& state_dir) { return (state_dir / "csirtgw.db").string(); }

Status migrate(Database& db, const std::filesystem::path& db_file) {
  auto version_text = db.pragma_text("user_version");
  if (!version_text) return version_text.error();
  const auto& migrations = schema_migrations();
  const std::size_t version = std::stoul(version_text.value());
  if (version > migrations.size())
    return Error::internal(db_file.string() + " has schema version " + std::to_string(version) +
                           ", but this csirtgw knows only versions up to " + std::to_string(migrations.size()) +
                           "; refusing to downgrade (install the newer csirtgw again, or put back the"
                           " csirtgw.db.bak-v" + std::to_string(migrations.size()) + "-* copy taken before the upgrade)");
  // An existing store (version 0 is a new, empty file) is copied before it changes.
  if (version > 0 && version < migrations.size()) {
    auto backup = backup_store(db, db_file, version);
    if (!backup)
      return Error::internal("backup of " + db_file.string() + " before migrating it from schema version " +
                             std::to_string(version) + " failed: " + backup.error().message);
    auto log = spdlog::get("main") ? spdlog::get("main") : spdlog::default_logger();
    log->info("store: schema version {} -> {}; copy of the old database in {}", version, migrations.size(),
              backup->string());
  }
  for (std::size_t next = version; next < migrations.size(); ++next) {
    auto tx = Transaction::begin(db);
    if (!tx) return tx.error();
    if (auto st = db.exec(migrations[next]); !st) return st;
    if (auto st = db.exec("PRAGMA user_version = " + std::to_string(next + 1)); !st) return st;
    if (auto st = tx->commit(); !st) return st;
  }
  return ok_status();
}

// SQLite says only "unable to open database file"; a staff member who is not
// in the store's group should learn which file and why.
Status check_store_access(const std::filesystem::path& state_dir) {
  const std::string file = db_path(state_dir);
  if (!std::filesystem::is_directory(state_dir))
    return Error::bad_input("no state directory " + state_dir.string() +
                            " (paths.state_dir or --state-dir; `csirtgw serve` creates it)");
  if (::access(file.c_str(), F_OK) != 0) {
    if (errno == ENOENT && ::access(state_dir.c_str(), W_OK) == 0) return ok_status();  // a new store
    if (errno == ENOENT && std::filesystem::exists(state_dir))
      return Error::bad_input("no store at " + file + " and no permission to create one there");
  }
  for (const std::string& path : {file, file + "-wal", file + "-shm"}) {
    if (::access(path.c_str(), F_OK) != 0 && errno == ENOENT) continue;
    if (::access(path.c_str(), R_OK | W_OK) != 0)
      return Error::bad_input("cannot write " + path + ": " + std::strerror(errno) +
                              " (the store is shared with the group named by paths.staff_group; "
                              "its members may use it, others need to be added to that group)");
  }
  return ok_status();
}

}  // namespace

Result<Database> open_store(const std::filesystem::path& state_dir, std::mutex* write_gate) {
  if (auto st = check_store_access(state_dir); !st) return st.error();
  auto db = Database::open(db_path(state_dir), Database::Mode::read_write, write_gate);
  if (!db) return db.error();
  // The WAL and its index stay when the last connection closes: staff of
  // paths.staff_group write through files the daemon shared with them once
  // (store_sharing.h), and cannot create new ones in the state directory.
  int persist = 1;
  sqlite3_file_control(db->handle(), "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
  // The 250 promise rests on these two: WAL with synchronous=FULL syncs the WAL
  // on every commit; NORMAL could lose a committed transaction on power loss.
  auto mode = db->pragma_text("journal_mode = WAL");
  if (!mode) return mode.error();
  if (mode.value() != "wal") return Error::internal("SQLite refused WAL journal mode (got " + mode.value() + ")");
  if (auto st = db->exec("PRAGMA synchronous = FULL"); !st) return st.error();
  auto sync = db->pragma_text("synchronous");
  if (!sync) return sync.error();
  if (sync.value() != "2") return Error::internal("SQLite synchronous is " + sync.value() + ", not FULL (2)");
  if (auto st = db->exec("PRAGMA foreign_keys = ON"); !st) return st.error();
  if (auto st = migrate(db.value(), db_path(state_dir)); !st) return st.error();
  return db;
}

Status commit_unsynced(Database& db, const std::function<Status()>& work) {
  // SQLite refuses to change the safety level inside a transaction.
  if (auto st = db.exec("PRAGMA synchronous = NORMAL"); !st) return st;
  Status result = [&]() -> Status {
    auto tx = Transaction::begin(db);
    if (!tx) return tx.error();
    try {
      if (auto st = work(); !st) return st;
    } catch (const std::exception& e) {
      // Rolled back by the transaction; synchronous=FULL is restored below.
      return Error::internal(std::string("exception in a store transaction: ") + e.what());
    }
    return tx->commit();
  }();
  if (auto st = db.exec("PRAGMA synchronous = FULL"); !st) {
    // The connection would go on committing without syncs: refuse its use.
    return Error::internal("cannot restore synchronous=FULL: " + st.error().message);
  }
  return result;
}

Result<UniqueFd> open_store_wal(const std::filesystem::path& state_dir) {
  const std::string path = db_path(state_dir) + "-wal";
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid() && errno != ENOENT) return Error::temporary("opening " + path + ": " + std::strerror(errno));
  return fd;
}

Result<Database> open_store_read_only(const std::filesystem::path& state_dir) {
  if (!std::filesystem::exists(db_path(state_dir)))
    return Error::bad_input("no store at " + db_path(state_dir));
  return Database::open(db_path(state_dir), Database::Mode::read_only);
}

std::string recipients_to_json(const std::vector<EnvelopeRecipient>& recipients) {
  auto list = nlohmann::json::array();
  for (const auto& r : recipients) list.push_back({{"address", r.address}, {"intake", r.intake}});
  return json_text(list);
}

std::string resend_key(const std::vector<EnvelopeRecipient>& recipients) {
  std::vector<std::string> addresses;
  for (const auto& r : recipients) addresses.push_back(lowercase_address(r.address));
  std::sort(addresses.begin(), addresses.end());
  addresses.erase(std::unique(addresses.begin(), addresses.end()), addresses.end());
  std::string key;
  for (const auto& a : addresses) key += a + " ";
  return key;
}

Result<std::optional<std::string>> find_same_message(Database& db, const ReceivedMessage& message) {
  auto stmt = db.prepare(
      "SELECT spool_id FROM messages WHERE message_id = ? AND sha256 = ? AND resend_key = ? LIMIT 1");
  if (!stmt) return stmt.error();
  stmt->bind(1, message.message_id).bind(2, message.sha256).bind(3, resend_key(message.envelope.recipients));
  auto row = stmt->step();
  if (!row) return row.error();
  if (!row.value()) return std::optional<std::string>{};
  return std::optional<std::string>{stmt->text(0)};
}

Status insert_received(Database& db, const ReceivedMessage& m) {
  auto stmt = db.prepare(
      "INSERT INTO messages (spool_id, received_at, protocol, peer, helo, sender, recipients, resend_key,"
      " message_id, sha256, size, state) VALUES (?,?,?,?,?,?,?,?,?,?,?,'spooled')");
  if (!stmt) return stmt.error();
  stmt->bind(1, m.spool_id).bind(2, m.received_at).bind(3, m.protocol).bind(4, m.peer).bind(5, m.envelope.helo);
  stmt->bind(6, m.envelope.sender).bind(7, recipients_to_json(m.envelope.recipients));
  stmt->bind(8, resend_key(m.envelope.recipients)).bind(9, m.message_id).bind(10, m.sha256).bind(11, m.size);
  return stmt->run();
}

Result<std::vector<SpooledMessage>> next_spooled(Database& db, std::int64_t limit, std::int64_t after_seq) {
  auto stmt = db.prepare(
      "SELECT spool_id, received_at, sender, recipients, size, protocol, peer, helo, seq, unfinished_attempts"
      " FROM messages"
      " WHERE state = 'spooled' AND seq > ?"
      " ORDER BY seq LIMIT ?");
  if (!stmt) return stmt.error();
  stmt->bind(1, after_seq).bind(2, limit);
  std::vector<SpooledMessage> out;
  while (true) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!row.value()) break;
    out.push_back({stmt->text(0), stmt->text(1), stmt->text(2), stmt->text(3), stmt->integer(4), stmt->text(5),
                   stmt->text(6), stmt->text(7), stmt->integer(8), stmt->integer(9)});
  }
  return out;
}

namespace {
Status change_attempts(Database& db, const std::vector<std::string>& spool_ids, const char* sql) {
  if (spool_ids.empty()) return ok_status();
  return commit_unsynced(db, [&]() -> Status {
    for (const auto& id : spool_ids) {
      auto stmt = db.prepare(sql);  // cached: prepared once per connection
      if (!stmt) return stmt.error();
      stmt->bind(1, id);
      if (auto st = stmt->run(); !st) return st;
    }
    return ok_status();
  });
}
}  // namespace

Status count_attempts_begun(Database& db, const std::vector<std::string>& spool_ids) {
  return change_attempts(db, spool_ids,
                         "UPDATE messages SET unfinished_attempts = unfinished_attempts + 1 WHERE spool_id = ?");
}

Status count_attempts_ended(Database& db, const std::vector<std::string>& spool_ids) {
  return change_attempts(
      db, spool_ids,
      "UPDATE messages SET unfinished_attempts = max(unfinished_attempts - 1, 0) WHERE spool_id = ?");
}

Status mark_filed(Database& db, const std::string& spool_id, const std::string& queue,
                  const std::string& maildir_name) {
  auto stmt = db.prepare("UPDATE messages SET state = 'filed', queue = ?, maildir_name = ? WHERE spool_id = ?");
  if (!stmt) return stmt.error();
  stmt->bind(1, queue).bind(2, maildir_name).bind(3, spool_id);
  return stmt->run();
}

Status mark_lost(Database& db, const std::string& spool_id) {
  auto stmt = db.prepare("UPDATE messages SET state = 'lost' WHERE spool_id = ?");
  if (!stmt) return stmt.error();
  stmt->bind(1, spool_id);
  return stmt->run();
}

Result<std::optional<MessageRowState>> message_row_state(Database& db, const std::string& spool_id) {
  auto stmt = db.prepare("SELECT state, received_at FROM messages WHERE spool_id = ?");
  if (!stmt) return stmt.error();
  stmt->bind(1, spool_id);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!row.value()) return std::optional<MessageRowState>{};
  return std::optional<MessageRowState>{MessageRowState{stmt->text(0), stmt->text(1)}};
}

}  // namespace csirtgw
