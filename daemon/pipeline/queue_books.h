// The gateway's books about its queues, kept independent of what an IMAP client
// does to the Maildir files: counts come from the store (messages filed into
// each queue), never from new/ versus cur/ (a client opening a folder moves
// every file to cur/); only the policy's queues are queues (Dovecot's own files
// and folders a client creates are ignored); a filed message is found by the
// spool id in its Maildir file name (Dovecot keeps the base name before ":2,"
// when it flags, and when it moves with maildir_copy_preserve_filename), else
// by the spool id in csirtgw's own first Received field.
//
// A scan moves the store's record (and the ticket) to the queue folder a
// message now sits in, audited; it never changes a ticket's state (an expunge
// closes nothing). `refile` puts a ticket's messages that no queue folder holds
// back from the store's private copy (filed_store.h), once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "result.h"
#include "sqlite_db.h"

namespace csirtgw {

// One filed message as the store knows it.
struct FiledRecord {
  std::string spool_id;
  std::string queue;         // where the store last saw it
  std::string maildir_name;  // base name as filed
  std::int64_t ticket = 0;   // 0: none (the quarantine)
  std::string ticket_queue;
};

// The queues: the policy's routing targets, the quarantine, and any queue the
// store has filed into or a ticket names. Nothing else in queues/ is one.
std::set<std::string> known_queues(Database& db, const std::set<std::string>& policy_queues);

// The spool id a Maildir file name carries ("<epoch>.<spool id>.<host>[:2,…]"), or "".
std::string spool_id_in_maildir_name(const std::string& file_name);

// spool id -> the queues whose new/ or cur/ hold a file of it.
using QueueFolderIndex = std::map<std::string, std::set<std::string>>;
QueueFolderIndex index_queue_folders(const std::filesystem::path& queues_root, const std::set<std::string>& queues);

Result<std::vector<FiledRecord>> filed_records(Database& db, std::optional<std::int64_t> ticket = std::nullopt);

struct QueueCount {
  std::int64_t filed = 0;    // messages the store has in this queue
  std::int64_t missing = 0;  // of those, in no queue folder at all
};
std::map<std::string, QueueCount> count_queues(const std::vector<FiledRecord>& records, const QueueFolderIndex& index);

struct ScanReport {
  struct Move {
    std::string spool_id, from, to;
    std::int64_t ticket = 0;
  };
  std::vector<Move> moved;
  std::vector<FiledRecord> missing;
};
// Records every move found (one transaction, audited as `message-moved` and,
// when the ticket's queue changes, `ticket-moved`, with `who` as the actor).
Result<ScanReport> scan_queues(Database& db, const std::filesystem::path& state_dir,
                               const std::set<std::string>& policy_queues, const std::string& who);

struct RefileReport {
  std::vector<std::string> restored;  // spool ids put back
  std::vector<std::string> present;   // still in a queue folder: left alone
  std::vector<std::string> without_copy;  // missing, but filed before filed/ existed
};
Result<RefileReport> refile_ticket(Database& db, const std::filesystem::path& state_dir, std::int64_t ticket,
                                   const std::set<std::string>& policy_queues, const std::string& who);

}  // namespace csirtgw
