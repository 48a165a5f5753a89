// The outbound side of acknowledgements: sends what the filing worker queued
// in <state>/outbound to the smarthost, on its own thread (and its own Asio
// io_context, so a slow smarthost never delays the intake).
//
// A queued ack is a row in the `outbound` table plus the file outbound/new/<id>.
// When the smarthost answers 250 the file is renamed into cur/ at once, then
// the row is marked sent and `ack-sent` audited; a kill -9 between the two is
// repaired at start-up (a queued row whose file is in cur/ was sent). Only a
// crash after the final "." of DATA and before that rename can send an ack
// twice: the window is the smarthost's own commit (milliseconds, measured by
// tests/integration/test_acks.py), inherent to SMTP (RFC 1047); the duplicate
// has the same Message-ID, so mail clients show it once. 4xx, timeouts and connection failures are retried with
// exponential backoff (outbound.retry_min … retry_max) until outbound.give_up;
// 5xx fails at once. Every outcome is audited.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>

#include <boost/asio/io_context.hpp>

#include "config.h"
#include "maildir_queue.h"
#include "result.h"
#include "round_thread.h"
#include "sqlite_db.h"

namespace csirtgw {

struct SmtpTarget;

class AckSender {
 public:
  AckSender(const Config& config, std::filesystem::path state_dir, std::mutex& store_write_gate);
  ~AckSender();
  AckSender(const AckSender&) = delete;
  AckSender& operator=(const AckSender&) = delete;

  // After a crash: drops files of filings that never committed and records
  // acks that were sent but not yet marked. Call before the worker starts.
  Status recover();
  void start();
  void wake();
  void stop();  // abandons an attempt in progress (it is retried after the restart)

 private:
  // One round: every due ack over one connection. Returns seconds until the next is due (-1: none queued).
  std::int64_t send_due();
  // `kind`: the row's ("ack" or "correspondence"), which names the audited event.
  void record_result(const std::string& spool_id, const std::string& ticket, const std::string& kind,
                     std::int64_t attempts, std::int64_t queued_at, int outcome, const std::string& reply);
  Status audit(const std::string& event, const std::string& spool_id, const std::string& detail_json);

  const Config& config_;
  std::filesystem::path state_dir_;
  std::mutex& store_write_gate_;
  std::optional<Database> db_;
  std::optional<MaildirQueue> outbound_;
  std::unique_ptr<SmtpTarget> target_;  // nullopt: outbound.smarthost is empty

  boost::asio::io_context io_;
  RoundThread thread_;  // last: stopped before the members its rounds use go
};

// "host:port", "[v6]:port" -> host, port; nullopt when malformed.
std::optional<std::pair<std::string, std::string>> split_host_port(const std::string& text);

// Seconds before attempt number `attempts` + 1: retry_min · 2^(attempts-1), at most retry_max.
std::int64_t retry_delay(std::int64_t attempts, std::int64_t retry_min, std::int64_t retry_max);

}  // namespace csirtgw
