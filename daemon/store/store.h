// The SQLite store: opening it durably (WAL, synchronous=FULL, both checked),
// forward migrations, and the message rows the intake and the worker share.
// Each thread opens its own connection. All SQL uses bound parameters.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "envelope_address.h"
#include "result.h"
#include "sqlite_db.h"
#include "unique_fd.h"

namespace csirtgw {

// Opens <state>/csirtgw.db read-write, checks durability settings and migrates.
// Writers of one process pass the same `write_gate` (see Database::open).
Result<Database> open_store(const std::filesystem::path& state_dir, std::mutex* write_gate = nullptr);
// A write transaction whose commit is not synced on its own (synchronous=NORMAL
// for it, FULL again afterwards): for a step that nothing outside the store
// sees before the batch it belongs to syncs the WAL (open_store_wal). The WAL
// is one file written in order, so any later synced commit, on any
// connection, makes it durable too; a crash before that loses it whole.
Status commit_unsynced(Database& db, const std::function<Status()>& work);
// The store's WAL file, for an fsync together with other files; an invalid fd
// when there is none (no write since the last checkpoint emptied it).
Result<UniqueFd> open_store_wal(const std::filesystem::path& state_dir);
// Opens the store for reading only (audit verify); no migration.
Result<Database> open_store_read_only(const std::filesystem::path& state_dir);

struct ReceivedMessage {
  std::string spool_id;
  std::string received_at;
  std::string protocol;  // "smtp" | "lmtp"
  std::string peer;
  Envelope envelope;
  std::string message_id;
  std::string sha256;
  std::int64_t size = 0;
};

// The spool id of an earlier message with the same Message-ID, content hash and
// recipients: an MTA resending after a lost reply. (The same message for other
// recipients, in a separate transaction, is a new delivery.)
Result<std::optional<std::string>> find_same_message(Database& db, const ReceivedMessage& message);
std::string resend_key(const std::vector<EnvelopeRecipient>& recipients);
Status insert_received(Database& db, const ReceivedMessage& message);

struct SpooledMessage {
  std::string spool_id;
  std::string received_at;
  std::string sender;
  std::string recipients_json;
  std::int64_t size = 0;
  std::string protocol;
  std::string peer;
  std::string helo;
  std::int64_t seq = 0;  // arrival order
  // Attempts on it that ended with the process or its OpenPGP worker dying
  // (schemas/migrations/0005_unfinished_attempts.sql).
  std::int64_t unfinished_attempts = 0;
};
// The oldest messages still waiting for the worker, in arrival order; with
// `after_seq`, only those that arrived after that one.
Result<std::vector<SpooledMessage>> next_spooled(Database& db, std::int64_t limit, std::int64_t after_seq = 0);
// Raises (by +1) or lowers (by -1, not below 0) the unfinished-attempt count of
// each message. Raised before the stages touch a batch, in a transaction of its
// own that is not fsynced: only a process death must be survived, and the WAL
// write reaches the kernel before any stage runs.
Status count_attempts_begun(Database& db, const std::vector<std::string>& spool_ids);
Status count_attempts_ended(Database& db, const std::vector<std::string>& spool_ids);
Status mark_filed(Database& db, const std::string& spool_id, const std::string& queue,
                  const std::string& maildir_name);
// A spooled row whose file is gone (someone removed it): recorded, never retried.
Status mark_lost(Database& db, const std::string& spool_id);
struct MessageRowState {
  std::string state;  // "spooled", "filed" or "lost"
  std::string received_at;
};
// nullopt when no row exists (the message was never acknowledged).
Result<std::optional<MessageRowState>> message_row_state(Database& db, const std::string& spool_id);

std::string recipients_to_json(const std::vector<EnvelopeRecipient>& recipients);

}  // namespace csirtgw
