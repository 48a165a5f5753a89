// The daemon's anchoring thread (`csirtgw serve`): once at start-up, every
// audit.anchor_interval seconds and once more at a clean shutdown it signs
// the audit chain's head with the team key and appends the record
// (audit_anchor.h) to <state>/audit-anchors.asc, write + fsync — but only when
// the head moved since the last anchor. It runs beside the mail path, never
// on it: its own thread, its own read-only store connection, an OpenPGP
// worker process of its own for each signature. A failure is logged and
// tried again at the next interval; it never stops the daemon. It never
// writes the store.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "audit_log.h"
#include "result.h"
#include "sqlite_db.h"

namespace csirtgw {

struct AnchorWriterSettings {
  std::filesystem::path state_dir;   // holds csirtgw.db and the anchors file
  std::filesystem::path gnupg_home;  // holds the team's secret key
  std::string team_fingerprint;
  std::chrono::seconds interval{300};
};

class AuditAnchorWriter {
 public:
  explicit AuditAnchorWriter(AnchorWriterSettings settings);
  ~AuditAnchorWriter();
  AuditAnchorWriter(const AuditAnchorWriter&) = delete;
  AuditAnchorWriter& operator=(const AuditAnchorWriter&) = delete;

  // Reads the anchors file (a record cut short by a crash is dropped), then
  // starts the thread, which anchors at once and then every interval.
  void start();
  // Anchors once more — call it after everything that writes audit events has
  // stopped, so the last anchor covers them — and joins the thread.
  void stop();

  // For start() and tests: reads the anchors file and remembers its last
  // anchor; drops a torn last record.
  void recover_file();
  // One attempt on the caller's thread: true when a record was appended,
  // false when the head had not moved (or the log is empty).
  Result<bool> anchor_now();

  std::filesystem::path file() const;

 private:
  void run();
  Result<AuditHead> current_head();
  // Logs an error when the store no longer agrees with the file's last anchor.
  void check_last_anchor(const AuditHead& head);

  AnchorWriterSettings settings_;
  std::optional<Database> db_;              // opened on first use, again after an error
  std::optional<AuditHead> last_anchored_;  // from the file, then from our own appends
  bool checked_last_anchor_ = false;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace csirtgw
