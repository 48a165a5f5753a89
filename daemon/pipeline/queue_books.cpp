// Queue counts, scans and refiling from the store's books (queue_books.h).
#include "queue_books.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "audit_log.h"
#include "durable_file.h"
#include "filed_store.h"
#include "json_text.h"
#include "maildir_queue.h"
#include "unique_fd.h"

namespace csirtgw {
namespace {

bool is_spool_id(std::string_view text) {
  return text.size() == 18 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// csirtgw's Received field (filed_copy.cpp) names the spool id: "… with LMTP id
// <id>;". Only the first Received field of the file counts (the message's own
// ones, which a sender writes, come after it). Read for files whose name a
// client chose.
std::string spool_id_in_received(const std::filesystem::path& file) {
  UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return "";
  std::string head(8192, '\0');
  const ssize_t n = ::read(fd.get(), head.data(), head.size());
  head.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  const std::size_t end_of_header = std::min(head.find("\n\n"), head.size());
  const std::size_t received = head.find("\nReceived: ");
  if (received >= end_of_header) return "";
  std::size_t field_end = head.find('\n', received + 1);  // the field with its folded lines
  while (field_end < end_of_header && (head[field_end + 1] == ' ' || head[field_end + 1] == '\t'))
    field_end = head.find('\n', field_end + 1);
  const std::size_t by = head.find("(csirtgw) with ", received);
  if (by >= std::min(field_end, end_of_header)) return "";
  const std::size_t id = head.find(" id ", by);
  if (id == std::string::npos || id > by + 24 || id + 22 >= head.size() || head[id + 22] != ';') return "";
  const std::string candidate = head.substr(id + 4, 18);
  return is_spool_id(candidate) ? candidate : "";
}

// Records one move; false when another scan recorded it since `record` was read.
Result<bool> record_move(Database& db, const ScanReport::Move& move, const FiledRecord& record, const std::string& who) {
  auto update = db.prepare("UPDATE messages SET queue = ? WHERE spool_id = ? AND queue = ?");
  if (!update) return update.error();
  if (auto st = update->bind(1, move.to).bind(2, move.spool_id).bind(3, move.from).run(); !st) return st.error();
  if (sqlite3_changes_count(db) == 0) return false;
  nlohmann::json detail = {{"from", move.from}, {"to", move.to}};
  if (move.ticket) detail["ticket"] = move.ticket;
  if (auto st = append_audit_event(db, {"message-moved", move.spool_id, who, json_text(detail)}); !st) return st.error();
  if (!move.ticket || record.ticket_queue == move.to) return true;
  auto ticket = db.prepare("UPDATE tickets SET queue = ?, updated_at = ? WHERE number = ?");
  if (!ticket) return ticket.error();
  if (auto st = ticket->bind(1, move.to).bind(2, utc_timestamp_now()).bind(3, move.ticket).run(); !st) return st.error();
  nlohmann::json moved = {{"ticket", move.ticket}, {"from", record.ticket_queue}, {"to", move.to}, {"found", "scan"}};
  if (auto st = append_audit_event(db, {"ticket-moved", move.spool_id, who, json_text(moved)}); !st) return st.error();
  return true;
}

// Writes the store's copy of one message into a queue: tmp, fsync, new/, fsync.
Status restore_into(const std::filesystem::path& state_dir, const FiledRecord& record, const std::string& queue) {
  auto content = read_whole_file(filed_store_path(state_dir, record.maildir_name));
  if (!content) return Error::bad_input("no stored copy of " + record.spool_id + ": " + content.error().message);
  auto target = MaildirQueue::open(state_dir / "queues", queue);
  if (!target) return target.error();
  auto written = target->write_tmp(record.maildir_name, content.value());
  if (!written) return written.error();
  if (auto st = sync_file(written->fd.get()); !st) return st;
  if (auto st = MaildirQueue::publish(written.value()); !st) return st;
  return target->sync_new();
}

}  // namespace

std::set<std::string> known_queues(Database& db, const std::set<std::string>& policy_queues) {
  std::set<std::string> queues = policy_queues;
  queues.insert("quarantine");
  for (const char* sql : {"SELECT DISTINCT queue FROM messages WHERE state = 'filed' AND queue IS NOT NULL",
                          "SELECT DISTINCT queue FROM tickets"}) {
    auto stmt = db.prepare(sql);
    if (!stmt) continue;
    while (true) {
      auto row = stmt->step();
      if (!row || !row.value()) break;
      queues.insert(stmt->text(0));
    }
  }
  return queues;
}

std::string spool_id_in_maildir_name(const std::string& file_name) {
  const std::string base = file_name.substr(0, file_name.find(':'));
  const std::size_t first = base.find('.');
  if (first == std::string::npos) return "";
  const std::string candidate = base.substr(first + 1, base.find('.', first + 1) - first - 1);
  return is_spool_id(candidate) ? candidate : "";
}

QueueFolderIndex index_queue_folders(const std::filesystem::path& queues_root, const std::set<std::string>& queues) {
  QueueFolderIndex index;
  for (const auto& queue : queues) {
    for (const char* sub : {"new", "cur"}) {
      std::error_code ec;
      for (auto it = std::filesystem::directory_iterator(queues_root / queue / sub, ec);
           !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.empty() || name.front() == '.') continue;
        std::string id = spool_id_in_maildir_name(name);
        if (id.empty()) id = spool_id_in_received(it->path());
        if (!id.empty()) index[id].insert(queue);
      }
    }
  }
  return index;
}

Result<std::vector<FiledRecord>> filed_records(Database& db, std::optional<std::int64_t> ticket) {
  auto stmt = db.prepare(
      "SELECT m.spool_id, m.queue, m.maildir_name, COALESCE(t.number, 0), COALESCE(t.queue, '') FROM messages m "
      "LEFT JOIN ticket_messages tm ON tm.spool_id = m.spool_id LEFT JOIN tickets t ON t.number = tm.ticket "
      "WHERE m.state = 'filed' AND m.maildir_name IS NOT NULL AND (? = 0 OR t.number = ?) ORDER BY m.seq");
  if (!stmt) return stmt.error();
  stmt->bind(1, ticket.value_or(0)).bind(2, ticket.value_or(0));
  std::vector<FiledRecord> out;
  while (true) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!row.value()) break;
    out.push_back({stmt->text(0), stmt->text(1), stmt->text(2), stmt->integer(3), stmt->text(4)});
  }
  return out;
}

std::map<std::string, QueueCount> count_queues(const std::vector<FiledRecord>& records, const QueueFolderIndex& index) {
  std::map<std::string, QueueCount> counts;
  for (const auto& r : records) {
    QueueCount& c = counts[r.queue];
    ++c.filed;
    if (!index.count(r.spool_id)) ++c.missing;
  }
  return counts;
}

Result<ScanReport> scan_queues(Database& db, const std::filesystem::path& state_dir,
                               const std::set<std::string>& policy_queues, const std::string& who) {
  // The folders are listed outside the transaction, so the daemon's filing
  // never waits for a scan; a message filed meanwhile is not in `records`.
  auto records = filed_records(db);
  if (!records) return records.error();
  const auto index = index_queue_folders(state_dir / "queues", known_queues(db, policy_queues));
  auto tx = Transaction::begin(db);
  if (!tx) return tx.error();
  ScanReport report;
  std::map<std::int64_t, std::string> ticket_queue_now;  // a ticket moved earlier in this scan
  for (auto& record : records.value()) {
    auto found = index.find(record.spool_id);
    if (found == index.end()) {
      report.missing.push_back(record);
      continue;
    }
    if (found->second.count(record.queue)) continue;  // still there (a copy elsewhere changes nothing)
    ScanReport::Move move{record.spool_id, record.queue, *found->second.begin(), record.ticket};
    if (record.ticket && ticket_queue_now.count(record.ticket)) record.ticket_queue = ticket_queue_now[record.ticket];
    auto recorded = record_move(db, move, record, who);
    if (!recorded) return recorded.error();
    if (!recorded.value()) continue;
    if (record.ticket) ticket_queue_now[record.ticket] = move.to;
    report.moved.push_back(std::move(move));
  }
  if (auto st = tx->commit(); !st) return st.error();
  return report;
}

Result<RefileReport> refile_ticket(Database& db, const std::filesystem::path& state_dir, std::int64_t ticket,
                                   const std::set<std::string>& policy_queues, const std::string& who) {
  auto tx = Transaction::begin(db);
  if (!tx) return tx.error();
  auto records = filed_records(db, ticket);
  if (!records) return records.error();
  if (records->empty()) return Error::bad_input("ticket #" + std::to_string(ticket) + " has no filed message");
  const auto index = index_queue_folders(state_dir / "queues", known_queues(db, policy_queues));
  RefileReport report;
  for (const auto& record : records.value()) {
    if (index.count(record.spool_id)) {
      report.present.push_back(record.spool_id);
      continue;
    }
    // Back where the ticket is now, which is where staff look for it.
    if (auto st = restore_into(state_dir, record, record.ticket_queue); !st) {
      // Filed before csirtgw kept its own copies: only originals/ has it.
      if (st.error().kind != ErrorClass::bad_input) return st.error();
      report.without_copy.push_back(record.spool_id);
      continue;
    }
    auto update = db.prepare("UPDATE messages SET queue = ? WHERE spool_id = ?");
    if (!update) return update.error();
    if (auto st = update->bind(1, record.ticket_queue).bind(2, record.spool_id).run(); !st) return st.error();
    report.restored.push_back(record.spool_id);
  }
  nlohmann::json detail = {{"ticket", ticket}, {"restored", report.restored}, {"present", report.present.size()}};
  if (!report.without_copy.empty()) detail["without_copy"] = report.without_copy;
  if (auto st = append_audit_event(db, {"ticket-refile", "", who, json_text(detail)}); !st) return st.error();
  if (auto st = tx->commit(); !st) return st.error();
  return report;
}

}  // namespace csirtgw
