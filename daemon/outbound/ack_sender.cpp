// The sender thread: hands queued acknowledgements to the smarthost (ack_sender.h).
#include "ack_sender.h"

#include <cstdio>
#include <ctime>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "audit_log.h"
#include "durable_file.h"
#include "json_text.h"
#include "outbound_store.h"
#include "smtp_client.h"
#include "store.h"

namespace csirtgw {
namespace {

constexpr std::int64_t kMailsPerConnection = 50;

}  // namespace

std::optional<std::pair<std::string, std::string>> split_host_port(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return std::nullopt;
  std::string host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() < 3) return std::nullopt;
    host = host.substr(1, host.size() - 2);
  }
  return std::make_pair(host, text.substr(colon + 1));
}

std::int64_t retry_delay(std::int64_t attempts, std::int64_t retry_min, std::int64_t retry_max) {
  std::int64_t delay = retry_min;
  for (std::int64_t i = 1; i < attempts && delay < retry_max; ++i) delay *= 2;
  return std::min(delay, retry_max);
}

AckSender::AckSender(const Config& config, std::filesystem::path state_dir, std::mutex& store_write_gate)
    : config_(config), state_dir_(std::move(state_dir)), store_write_gate_(store_write_gate) {
  if (auto host_port = split_host_port(config_.smarthost))
    target_ = std::make_unique<SmtpTarget>(SmtpTarget{host_port->first, host_port->second, config_.hostname,
                                                      std::chrono::seconds(config_.outbound_timeout)});
}

AckSender::~AckSender() { stop(); }

Status AckSender::audit(const std::string& event, const std::string& spool_id, const std::string& detail_json) {
  return append_audit_event(*db_, {event, spool_id, "csirtgw", detail_json});
}

Status AckSender::recover() {
  auto log = spdlog::get("outbound");
  auto db = open_store(state_dir_, &store_write_gate_);
  if (!db) return db.error();
  db_.emplace(std::move(db.value()));
  auto opened = MaildirQueue::open(state_dir_, "outbound");
  if (!opened) return opened.error();
  outbound_.emplace(std::move(opened.value()));

  const auto dir = state_dir_ / "outbound";
  std::error_code ec;
  std::filesystem::remove_all(dir / "tmp", ec);
  std::filesystem::create_directories(dir / "tmp", ec);
  // new/ files without a row belong to filings that never committed: the
  // report is filed again and its acknowledgement written again.
  std::size_t orphans = 0;
  for (const auto& file : std::filesystem::directory_iterator(dir / "new", ec)) {
    auto exists = outbound_row_exists(*db_, file.path().filename().string());
    if (!exists) return exists.error();
    if (!exists.value()) {
      std::filesystem::remove(file.path(), ec);
      ++orphans;
    }
  }
  // A queued row whose file is already in cur/: the smarthost took it and the
  // process died before the row was marked.
  auto queued = queued_outbound(*db_);
  if (!queued) return queued.error();
  std::size_t repaired = 0;
  for (const auto& row : queued.value()) {
    const std::string& id = row.spool_id;
    if (std::filesystem::exists(dir / "new" / id) || !std::filesystem::exists(dir / "cur" / id)) continue;
    auto tx = Transaction::begin(*db_);
    if (!tx) return tx.error();
    const std::string note = "accepted by the smarthost before a restart";
    const nlohmann::json detail = {{"ticket", row.ticket}, {"reply", note}, {"attempts", row.attempts + 1}};
    if (auto st = mark_outbound_sent(*db_, id, note); !st) return st;
    if (auto st = audit(row.kind + "-sent", id, json_text(detail)); !st) return st;
    if (auto st = tx->commit(); !st) return st;
    ++repaired;
  }
  if (orphans || repaired)
    log->info("recovery: removed {} uncommitted and recorded {} already sent acknowledgement(s)", orphans, repaired);
  return ok_status();
}

void AckSender::start() {
  if (!target_) spdlog::get("outbound")->warn("outbound.smarthost is empty: acknowledgements are queued but not sent");
  thread_.start([this]() -> NextRound {
    const std::int64_t next_due = target_ ? send_due() : -1;
    // Idle: the worker wakes us when it queues one; otherwise the next retry is
    // due. Rows another process queues (`csirtgw ticket reply`, issue 17) are
    // found within outbound.poll_interval.
    const std::int64_t poll = config_.outbound_poll_interval;
    return {std::chrono::seconds(next_due < 0 ? poll : std::min(next_due, poll))};
  });
}

void AckSender::wake() { thread_.wake(); }

// Abandons an attempt in progress: it is retried after the restart.
void AckSender::stop() { thread_.stop([this] { io_.stop(); }); }

std::int64_t AckSender::send_due() {
  auto log = spdlog::get("outbound");
  const std::int64_t now = std::time(nullptr);
  auto due = due_outbound(*db_, now, kMailsPerConnection);
  if (!due) {
    log->warn("cannot read the outbound queue: {}", due.error().message);
    return 5;
  }
  std::vector<OutboundRow> rows;
  std::vector<OutgoingMail> mails;
  for (auto& row : due.value()) {
    auto data = read_whole_file(state_dir_ / "outbound" / "new" / row.spool_id);
    if (!data) {
      // In cur/: sent, but recording it failed last time. Anywhere else:
      // someone removed it; record that rather than retry forever.
      const bool sent = std::filesystem::exists(state_dir_ / "outbound" / "cur" / row.spool_id);
      record_result(row.spool_id, row.ticket, row.kind, row.attempts, row.queued_at,
                    static_cast<int>(sent ? DeliveryOutcome::accepted : DeliveryOutcome::permanent),
                    sent ? "accepted by the smarthost earlier" : "the message file outbound/new/" + row.spool_id +
                                                                     " is missing");
      continue;
    }
    mails.push_back({row.recipient, std::move(*data)});
    rows.push_back(std::move(row));
  }
  if (!mails.empty()) {
    // A stop either comes before (and we do not start) or after the restart
    // (and its io_.stop() ends the attempt).
    if (!thread_.unless_stopping([this] { io_.restart(); })) return -1;
    boost::asio::co_spawn(
        io_, deliver_via_smtp(*target_, std::move(mails),
                              [&](std::size_t i, DeliveryResult result) {
                                const OutboundRow& row = rows[i];
                                record_result(row.spool_id, row.ticket, row.kind, row.attempts, row.queued_at,
                                              static_cast<int>(result.outcome), result.reply);
                              }),
        boost::asio::detached);
    io_.run();
  }
  auto next = seconds_until_next_outbound(*db_, std::time(nullptr));
  return next ? next.value() : 5;
}

void AckSender::record_result(const std::string& spool_id, const std::string& ticket, const std::string& kind,
                              std::int64_t attempts, std::int64_t queued_at, int outcome_code,
                              const std::string& reply) {
  auto log = spdlog::get("outbound");
  const auto outcome = static_cast<DeliveryOutcome>(outcome_code);
  const auto dir = state_dir_ / "outbound";
  const std::int64_t now = std::time(nullptr);
  const std::int64_t tried = attempts + 1;
  nlohmann::json detail = {{"ticket", ticket}, {"reply", reply}, {"attempts", tried}};
  std::string event;
  const bool settled = outcome == DeliveryOutcome::accepted || outcome == DeliveryOutcome::permanent ||
                       now - queued_at >= config_.outbound_give_up;
  if (settled) {
    // First the rename, before anything that may wait (the store's write lock):
    // it survives a kill -9 by itself, and from then on a restart knows the ack
    // is done and never sends it again.
    std::error_code ec;
    std::filesystem::rename(dir / "new" / spool_id, dir / "cur" / spool_id, ec);
  }
  auto tx = Transaction::begin(*db_);
  Status st = tx ? ok_status() : Status(tx.error());
  if (settled) {
    if (outcome == DeliveryOutcome::accepted) {
      event = kind + "-sent";
      if (st) st = mark_outbound_sent(*db_, spool_id, reply);
    } else {
      event = kind + "-failed";
      if (outcome != DeliveryOutcome::permanent) detail["reason"] = "not accepted within outbound.give_up";
      if (st) st = mark_outbound_failed(*db_, spool_id, reply);
    }
  } else {
    event = kind + "-deferred";
    const std::int64_t delay = retry_delay(tried, config_.outbound_retry_min, config_.outbound_retry_max);
    detail["retry_in"] = delay;
    if (st) st = mark_outbound_deferred(*db_, spool_id, tried, now + delay, reply);
  }
  if (st) st = audit(event, spool_id, json_text(detail));
  if (st) st = tx->commit();
  if (!st) {
    // Retried from the row's state; a sent ack is repaired by recover().
    log->warn("{}: recording {} failed: {}", spool_id, event, st.error().message);
    return;
  }
  log->info("{}: {} ({})", spool_id, event, reply);
}

}  // namespace csirtgw
