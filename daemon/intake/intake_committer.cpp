// Group commit of received messages before their 250 (intake_committer.h).
#include "intake_committer.h"

#include <map>
#include <tuple>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "audit_log.h"
#include "durable_file.h"
#include "exception_text.h"
#include "json_text.h"

namespace csirtgw {

IntakeCommitter::IntakeCommitter(SpoolDirectory spool, std::filesystem::path state_dir, std::size_t max_batch,
                                 ParallelFsync& fsync, std::mutex& store_write_gate,
                                 std::function<void()> on_committed)
    : spool_(std::move(spool)),
      state_dir_(std::move(state_dir)),
      max_batch_(max_batch),
      fsync_(fsync),
      store_write_gate_(store_write_gate),
      on_committed_(std::move(on_committed)) {}

IntakeCommitter::~IntakeCommitter() { stop(); }

Status IntakeCommitter::start() {
  auto db = open_store(state_dir_, &store_write_gate_);
  if (!db) return db.error();
  db_.emplace(std::move(db.value()));
  thread_ = std::thread([this] { run(); });
  return ok_status();
}

void IntakeCommitter::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void IntakeCommitter::submit(SpoolFile file, ReceivedMessage message, Completion done) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back({std::move(file), std::move(message), std::move(done)});
  }
  wake_.notify_one();
}

void IntakeCommitter::run() {
  std::vector<Request> batch;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    commit_batch(batch);
    batch.clear();
  }
}

// One message of a batch inside the transaction: a resend of a message already
// recorded (in the store or earlier in this batch) is audited and not filed;
// anything else is published into ready/ and recorded as received.
Result<CommitOutcome> IntakeCommitter::record_request(Request& request, SeenInBatch& seen_in_batch) {
  auto& m = request.message;
  const auto key = std::make_tuple(m.message_id, m.sha256, resend_key(m.envelope.recipients));
  std::optional<std::string> original;
  if (auto it = seen_in_batch.find(key); it != seen_in_batch.end()) {
    original = it->second;
  } else {
    auto found = find_same_message(*db_, m);
    if (!found) return found.error();
    original = found.value();
  }
  if (original) {
    // An MTA resending after a lost reply: acknowledge again, file nothing.
    nlohmann::json detail = {{"original", *original}, {"sha256", m.sha256}};
    if (auto st = append_audit_event(*db_, {"duplicate", request.file.id(), "csirtgw", json_text(detail)}); !st)
      return st.error();
    return CommitOutcome{StoreOutcome::duplicate, *original};
  }
  if (auto st = request.file.commit_rename(spool_); !st) return st.error();
  if (auto st = insert_received(*db_, m); !st) return st.error();
  nlohmann::json intakes = nlohmann::json::array();
  for (const auto& r : m.envelope.recipients) intakes.push_back(r.intake);
  nlohmann::json detail = {{"protocol", m.protocol}, {"size", m.size}, {"sha256", m.sha256}, {"intakes", intakes}};
  if (auto st = append_audit_event(*db_, {"received", m.spool_id, "csirtgw", json_text(detail)}); !st)
    return st.error();
  seen_in_batch.emplace(key, m.spool_id);
  return CommitOutcome{StoreOutcome::stored, m.spool_id};
}

// 1. The bytes reach the disk before anything refers to them. 2. One
// transaction: recognise resends, publish the files, record them. Whatever
// fails (an exception too, which leaves the transaction rolled back) answers
// the whole batch 451.
Status IntakeCommitter::record_batch(std::vector<Request>& batch, std::vector<CommitOutcome>& outcomes) {
  std::vector<int> fds;
  for (const auto& request : batch) fds.push_back(request.file.fd());
  if (auto st = fsync_.sync_all(fds); !st) return st.error();

  auto tx = Transaction::begin(*db_);
  if (!tx) return tx.error();
  SeenInBatch seen_in_batch;
  bool renamed_any = false;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto outcome = record_request(batch[i], seen_in_batch);
    if (!outcome) return outcome.error();
    outcomes[i] = outcome.value();
    renamed_any = renamed_any || outcomes[i].outcome == StoreOutcome::stored;
  }
  if (renamed_any)
    if (auto st = sync_directory(spool_.ready_dir()); !st) return st.error();
  return tx->commit();
}

void IntakeCommitter::commit_batch(std::vector<Request>& batch) {
  auto log = spdlog::get("intake");
  std::vector<CommitOutcome> outcomes(batch.size());
  auto fail_all = [&](const Error& error) {
    log->error("commit of {} message(s) failed, answering 451: {}", batch.size(), error.message);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      batch[i].file.discard();  // never acknowledged: gone from tmp/ or ready/
      batch[i].done({StoreOutcome::temporary_failure, batch[i].file.id()});
    }
  };
  Status recorded = Error::internal("not recorded");
  try {
    recorded = record_batch(batch, outcomes);
  } catch (...) {
    recorded = Error::internal("the commit failed with " + exception_class(std::current_exception()));
  }
  if (!recorded) return fail_all(recorded.error());

  // 3. Committed: the files belong to the spool; resends' copies go.
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (outcomes[i].outcome == StoreOutcome::stored)
      batch[i].file.keep();
    else
      batch[i].file.discard();
    log->info("{} {} ({} octets)", outcomes[i].outcome == StoreOutcome::stored ? "received" : "duplicate of",
              outcomes[i].spool_id, batch[i].message.size);
    batch[i].done(outcomes[i]);
  }
  if (on_committed_) on_committed_();
}

}  // namespace csirtgw
