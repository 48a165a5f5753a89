// The filing worker: orchestrates each batch's steps (filing_worker.h).
#include "filing_worker.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>

#include <unistd.h>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "audit_log.h"
#include "durable_file.h"
#include "exception_text.h"
#include "filed_copy.h"
#include "filed_store.h"
#include "json_text.h"
#include "message_header.h"
#include "ordered_pipeline.h"
#include "outbound_store.h"
#include "staff_mail.h"
#include "step_fault.h"
#include "ticket_store.h"
#include "untrusted_text.h"

namespace csirtgw {
namespace {

std::time_t parse_utc(const std::string& iso) {
  std::tm tm{};
  if (!strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return std::time(nullptr);
  return timegm(&tm);
}

std::vector<EnvelopeRecipient> recipients_from_json(const std::string& text) {
  std::vector<EnvelopeRecipient> out;
  auto list = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!list.is_array()) return out;
  for (const auto& r : list)
    if (r.is_object()) out.push_back({r.value("address", ""), r.value("intake", "")});
  return out;
}

// A faulted message is filed as received, without the X-Csirtgw-* fields a
// sender may have forged (the strip stage may not have run). If even that
// fails, a note naming the original in originals/ stands in for it.
std::string faulted_copy(const Report& report) {
  try {
    if (!has_header_fields(report.raw_message, "X-Csirtgw-")) return report.raw_message;
    return remove_header_fields(report.raw_message, "X-Csirtgw-");
  } catch (...) {
    return "Subject: quarantined message " + report.spool_id +
           "\r\n\r\ncsirtgw could not copy this message; the original is in originals/ under its spool id.\r\n";
  }
}

// A message in flight when the process died is tried in a batch of its own:
// if it is what killed the process, the others' counts do not rise with it.
void isolate_suspects(std::vector<SpooledMessage>& batch, bool& alone) {
  alone = !batch.empty() && batch.front().unfinished_attempts > 0;
  if (alone) {
    batch.resize(1);
    return;
  }
  auto suspect = std::find_if(batch.begin(), batch.end(),
                              [](const SpooledMessage& m) { return m.unfinished_attempts > 0; });
  batch.erase(suspect, batch.end());
}

}  // namespace

FilingWorker::FilingWorker(const RulesInForce& rules, std::filesystem::path state_dir, SpoolDirectory spool,
                           std::size_t stage_threads, ChainFactory build_chain, ParallelFsync& fsync,
                           std::mutex& store_write_gate)
    : rules_in_force_(rules),
      build_chain_(std::move(build_chain)),
      stage_threads_(std::max<std::size_t>(1, stage_threads)),
      state_dir_(std::move(state_dir)),
      spool_(std::move(spool)),
      fsync_(fsync),
      store_write_gate_(store_write_gate) {
}

FilingWorker::~FilingWorker() { stop(); }

Status FilingWorker::recover() {
  auto log = spdlog::get("worker");
  auto db = open_store(state_dir_, &store_write_gate_);
  if (!db) return db.error();
  db_.emplace(std::move(db.value()));
  if (auto st = spool_.clear_tmp(); !st) return st;
  // ready/ files: without a row they were never acknowledged; with a `filed` row
  // the crash came between the commit and the move to originals/.
  std::size_t removed = 0, archived = 0;
  for (const auto& id : spool_.ready_ids()) {
    auto row = message_row_state(*db_, id);
    if (!row) return row.error();
    if (!row.value()) {
      std::filesystem::remove(spool_.ready_path(id));
      ++removed;
    } else if (row.value()->state == "filed") {
      if (auto st = spool_.archive(id, row.value()->received_at); !st) return st;
      ++archived;
    }
  }
  if (removed || archived)
    log->info("recovery: removed {} unacknowledged and archived {} already filed spool file(s)", removed, archived);
  return ok_status();
}

void FilingWorker::start() {
  thread_.start([this, backoff = std::chrono::milliseconds(0)]() mutable -> NextRound {
    switch (file_batch()) {
      case BatchResult::progressed:
        backoff = std::chrono::milliseconds(0);
        return {};
      case BatchResult::deferred:
        // The environment failed (disk, store, gpg): new mail does not change that.
        backoff = std::min(std::chrono::milliseconds(60000), std::max(std::chrono::milliseconds(500), backoff * 2));
        return {backoff, false};
      case BatchResult::idle:
        break;
    }
    // Idle: the committer wakes us; the timeout is only a safety net.
    return {std::chrono::seconds(1)};
  });
}

void FilingWorker::wake() { thread_.wake(); }

void FilingWorker::stop() { thread_.stop(); }

Result<MaildirQueue*> FilingWorker::queue(const std::string& name) {
  auto it = queues_.find(name);
  if (it == queues_.end()) {
    auto opened = MaildirQueue::open(state_dir_ / "queues", name);
    if (!opened) return opened.error();
    it = queues_.emplace(name, std::move(opened.value())).first;
  }
  return &it->second;
}

Result<MaildirQueue*> FilingWorker::outbound_queue() {
  if (!outbound_) {
    auto opened = MaildirQueue::open(state_dir_, "outbound");
    if (!opened) return opened.error();
    outbound_.emplace(std::move(opened.value()));
  }
  return &*outbound_;
}

Result<MaildirQueue*> FilingWorker::filed_store() {
  if (!filed_store_) {
    auto opened = open_filed_store(state_dir_);
    if (!opened) return opened.error();
    filed_store_.emplace(std::move(opened.value()));
  }
  return &*filed_store_;
}

Status FilingWorker::record_ack(const AckOutcome& ack, const std::string& spool_id) {
  if (ack.suppressed) {
    nlohmann::json detail = {{"ticket", ack.request.ticket}, {"reason", *ack.suppressed}};
    return append_audit_event(*db_, {"ack-suppressed", spool_id, "csirtgw", json_text(detail)});
  }
  if (!ack.composed) {
    nlohmann::json detail = {{"ticket", ack.request.ticket}, {"reason", ack.failure}};
    return append_audit_event(*db_, {"ack-failed", spool_id, "csirtgw", json_text(detail)});
  }
  const ComposedAck& composed = *ack.composed;
  OutboundRow row{spool_id, ack.request.ticket, ack.request.recipient, composed.message_id, composed.encrypted, 0, 0};
  if (auto st = insert_outbound(*db_, row, std::time(nullptr)); !st) return st;
  nlohmann::json detail = {{"ticket", ack.request.ticket}, {"message_id", composed.message_id},
                           {"encrypted", composed.encrypted}};
  if (!composed.key_note.empty()) detail["key_note"] = composed.key_note;
  return append_audit_event(*db_, {"ack-queued", spool_id, "csirtgw", json_text(detail)});
}

void FilingWorker::audit_deferral(const std::string& spool_id, const std::string& reason) {
  // Once per message and run, not once per retry.
  if (!deferral_audited_.insert(spool_id).second) return;
  auto tx = Transaction::begin(*db_);
  if (!tx) return;
  nlohmann::json detail = {{"reason", reason}};
  if (append_audit_event(*db_, {"deferred", spool_id, "csirtgw", json_text(detail)})) (void)tx->commit();
}

// Between batches, on the worker thread: no stage is running, so the chains can
// be replaced. A reload is audited here, where the worker writes anyway (the io
// thread that reloads must not wait for the store).
void FilingWorker::take_current_rules() {
  auto current = rules_in_force_.current();
  if (current != rules_) {
    std::vector<FilterChain> chains;
    for (std::size_t i = 0; i < stage_threads_; ++i) chains.push_back(build_chain_(*current, i));
    chains_ = std::move(chains);
    if (rules_) reload_to_audit_ = rules_audit_detail(*current);
    rules_ = std::move(current);
    build_composers();
  }
  if (!reload_to_audit_) return;
  auto tx = Transaction::begin(*db_);
  Status st = tx ? append_audit_event(*db_, {"config-reloaded", "", "csirtgw", *reload_to_audit_}) : Status(tx.error());
  if (st) st = tx->commit();
  if (st)
    reload_to_audit_.reset();
  else
    spdlog::get("worker")->warn("cannot record the reload in the audit log yet: {}", st.error().message);
}

// The first step, on a stage thread: read the spooled message, run the chain.
void FilingWorker::load_and_stage(StagedReport& item, std::size_t slot) {
  const SpooledMessage& entry = item.entry;
  auto raw = read_whole_file(spool_.ready_path(entry.spool_id));
  if (!raw) {
    // A missing file is recorded as lost when filing; anything else is retried.
    if (raw.error().kind == ErrorClass::temporary) item.deferred_by = raw.error().message;
    return;
  }
  Report& report = item.report.emplace();
  report.spool_id = entry.spool_id;
  report.received_at = entry.received_at;
  report.protocol = entry.protocol;
  report.peer = entry.peer;
  report.helo = entry.helo;
  report.sender = entry.sender;
  report.recipients = recipients_from_json(entry.recipients_json);
  report.raw_message = std::move(raw.value());  // report.message() is this until a stage rewrites it
  report.unfinished_attempts = entry.unfinished_attempts;
  const std::int64_t limit = rules_->config.openpgp_worker_failures;
  if (entry.unfinished_attempts >= limit) {
    quarantine_for_fault(report, "start-up", "",
                         "the process or its OpenPGP worker died " + std::to_string(entry.unfinished_attempts) +
                             " times while this message was being filed (openpgp.worker_failures = " +
                             std::to_string(limit) + "): not processed again");
    return;
  }
  for (const auto& filter : chains_[slot]) {
    FilterOutcome outcome;
    try {
      test_faults_.inject("stages", report);
      outcome = filter->process(report);
    } catch (...) {
      quarantine_for_fault(report, std::string(filter->name()), exception_class(std::current_exception()),
                           fault_in(std::string(filter->name())));
      return;
    }
    report.stages_done.emplace_back(filter->name());
    if (outcome.verdict == FilterVerdict::defer) {
      item.deferred_by = std::string(filter->name()) + ": " + outcome.reason;
      item.attempt_failed = outcome.worker_died;
      return;
    }
    if (outcome.verdict == FilterVerdict::stop) return;
  }
}

// The in-order step, for a run of messages whose stages are done: their
// tickets, in one transaction (a follow-up finds a ticket opened earlier in
// the batch), then their acknowledgement plans (the rate limit counts this
// batch too). Stops at a deferral: later messages wait, in order. Returns how
// many went through.
std::size_t FilingWorker::tickets_and_plans(StagedReport* run, std::size_t count, AckPlanner& planner) {
  std::size_t usable = 0;
  while (usable < count && !run[usable].deferred_by) ++usable;
  if (usable == 0) return 0;
  for (std::size_t i = 0; i < usable; ++i)
    run[i].staff = run[i].report && is_staff_mail(*run[i].report, rules_->config);
  std::vector<TicketAssignment> assigned(usable);
  if (Status committed = assign_tickets(run, usable, assigned); !committed) {
    run[0].deferred_by = "ticket assignment: " + committed.error().message;
    return 0;
  }
  for (std::size_t i = 0; i < usable; ++i) {
    StagedReport& item = run[i];
    if (item.staff && !item.report->fault) {
      if (Status acted = act_on_staff_mail(*item.report); !acted) {
        item.deferred_by = "staff step: " + acted.error().message;
        return i;
      }
    } else if (takes_ticket(item)) {
      Report& report = *item.report;
      report.ticket = format_ticket(rules_->policy.ticket_prefix, assigned[i].number);
      item.opened_ticket = assigned[i].created;
      if (!assigned[i].created) follow_ticket(report, assigned[i]);
      if (!composers_.empty()) {
        auto planned = plan_ack(report, planner, item.opened_ticket, test_faults_);
        item.ack = std::move(planned.ack);
        if (planned.deferred_by) {
          item.deferred_by = std::move(planned.deferred_by);
          return i;
        }
      }
    }
    item.ordered = true;
  }
  return usable;
}

// Mail that arrived while the batch ran joins it, up to worker.batch messages:
// a batch started by the first of a burst does not leave the other threads idle.
// Reads only rows newer than the batch's last (cheap: asked whenever a
// thread runs out of messages).
std::size_t FilingWorker::add_arrivals(std::vector<StagedReport>& staged) {
  const auto cap = static_cast<std::size_t>(rules_->config.worker_batch);
  if (alone_ || staged.empty() || staged.size() >= cap) return 0;
  auto arrived = next_spooled(*db_, static_cast<std::int64_t>(cap - staged.size()), staged.back().entry.seq);
  if (!arrived) return 0;  // the batch goes on; the next one reads the index again
  bool alone = false;
  isolate_suspects(arrived.value(), alone);
  if (alone) return 0;  // a suspect waits for a batch of its own
  std::vector<std::string> ids;
  for (const auto& entry : arrived.value()) ids.push_back(entry.spool_id);
  if (!count_attempts_begun(*db_, ids)) return 0;  // not counted: not touched
  for (auto& entry : arrived.value())
    staged.push_back(StagedReport{std::move(entry), std::nullopt, std::nullopt, false, std::nullopt});
  return arrived->size();
}

void FilingWorker::enable_acks(AgentShards& shards, const std::string& team_fingerprint, std::function<void()> queued) {
  ack_shards_ = &shards;
  team_fingerprint_ = team_fingerprint;
  ack_queued_ = std::move(queued);
}

// One composer per stage thread, on the rules in force (its templates and
// promises); none when acknowledgements are off.
void FilingWorker::build_composers() {
  composers_.clear();
  if (!ack_shards_ || !rules_->config.ack_enabled) return;
  for (std::size_t i = 0; i < stage_threads_; ++i)
    composers_.emplace_back(rules_->config, rules_->acks, *ack_shards_, i, team_fingerprint_);
}

// Writes the filed copy of one ordered message (and its acknowledgement) to
// tmp files; false when the message must wait (deferral recorded).
bool FilingWorker::write_filed_copy(StagedReport& item, BatchFiling& batch) {
  auto log = spdlog::get("worker");
  const SpooledMessage& entry = item.entry;
  if (!item.report) {
    log->critical("{}: spool file is missing; recorded as lost", entry.spool_id);
    batch.filed.push_back({entry.spool_id, "", "", "", true, entry.received_at, {}, std::nullopt});
    return true;
  }
  Report& report = *item.report;
  if (!report.fault) test_faults_.inject("filing", report);
  auto target = queue(report.queue);
  if (!target) {
    batch.deferral.emplace(entry.spool_id, target.error().message);
    return false;
  }
  const std::time_t received = parse_utc(entry.received_at);
  const std::string name = maildir_base_name(received, entry.spool_id, rules_->config.hostname);
  // The queue copy is the staff's (a mail client may delete it); the store's
  // private copy is what `ticket refile` restores from. Both in the batch's fsync.
  auto store_copy = filed_store();
  if (!store_copy) {
    batch.deferral.emplace(entry.spool_id, store_copy.error().message);
    return false;
  }
  std::string head = filed_head(report, rules_->config.hostname, received);
  const std::string faulted = report.fault ? faulted_copy(report) : std::string();
  std::string_view message = report.fault ? std::string_view(faulted) : report.message();
  if (auto tagged = report.fault ? std::nullopt : tagged_subject(message, report.ticket)) {
    head += tagged->header;  // the ticket's tag in the Subject (filed_copy.h)
    message.remove_prefix(tagged->rest_at);
  }
  for (MaildirQueue* copy : {target.value(), store_copy.value()}) {
    if (copy->contains(name)) {
      log->info("{}: already in {} (filed before a restart)", entry.spool_id, copy->name());
    } else {
      // The message is converted to LF while it is written: no second copy of it in memory.
      auto written = copy->write_tmp_with_lf(name, head, message);
      if (!written) {
        batch.deferral.emplace(entry.spool_id, written.error().message);
        return false;
      }
      batch.pending.push_back(std::move(written.value()));
    }
    batch.touched.insert(copy);
  }
  if (item.ack && item.ack->composed) {
    // The acknowledgement is on disk with the filing, before the commit that queues it.
    auto outbound = outbound_queue();
    auto written = outbound ? outbound.value()->write_tmp(entry.spool_id, item.ack->composed->message)
                            : Result<MaildirQueue::PendingDelivery>(outbound.error());
    if (!written) {
      batch.deferral.emplace(entry.spool_id, "acknowledgement: " + written.error().message);
      return false;
    }
    batch.pending.push_back(std::move(written.value()));
    batch.touched.insert(outbound.value());
  }
  std::string stages;
  for (const auto& stage : report.stages_done) stages += (stages.empty() ? "" : ",") + stage;
  batch.filed.push_back({entry.spool_id, report.queue, name, stages, false, entry.received_at,
                         std::move(report.audit_notes), std::move(item.ack)});
  return true;
}

// The filing step's boundary: a copy that cannot be written for an exception
// is written again as a fault, into the quarantine; the tmp files of the
// failed try are removed first. A second exception defers the message.
bool FilingWorker::file_guarded(StagedReport& item, BatchFiling& batch) {
  for (int tries = 0;; ++tries) {
    const std::size_t pending_before = batch.pending.size();
    try {
      return write_filed_copy(item, batch);
    } catch (...) {
      const std::string exception = exception_class(std::current_exception());
      for (std::size_t i = pending_before; i < batch.pending.size(); ++i)
        ::unlink(batch.pending[i].tmp_path.c_str());
      batch.pending.resize(pending_before);
      if (tries > 0 || !item.report || item.report->fault) {
        // Even the quarantine copy failed: counted like a death, so that the
        // message is set aside after openpgp.worker_failures tries.
        batch.deferral.emplace(item.entry.spool_id, "filing failed with " + exception);
        item.attempt_failed = true;
        return false;
      }
      item.ack.reset();
      quarantine_for_fault(*item.report, "filing", exception, fault_in("filing"));
    }
  }
}

// The attempt on every message of the batch is over, except where the
// OpenPGP worker died on it (or even its quarantine copy failed): lower the counts raised when the batch began
// (filed messages are done with; their count no longer matters).
void FilingWorker::finish_attempts(const std::vector<StagedReport>& staged, const std::set<std::string>& filed) {
  std::vector<std::string> ended;
  for (const auto& item : staged)
    if (!item.attempt_failed && !filed.count(item.entry.spool_id)) ended.push_back(item.entry.spool_id);
  if (auto st = count_attempts_ended(*db_, ended); !st)
    spdlog::get("worker")->warn("cannot record the end of {} attempt(s): {}", ended.size(), st.error().message);
}

// Steps 1-3 over the batch (ordered_pipeline.h): stages and composing on the
// stage threads, tickets and plans in arrival order; `staged` grows with
// add_arrivals while they run.
void FilingWorker::run_steps(std::vector<StagedReport>& staged) {
  AckPlanner planner(rules_->config, *db_);
  OrderedSteps steps;
  StagedReport* const at = staged.data();  // not staged[i]: that reads the size add_arrivals changes
  steps.first = [&](std::size_t i, std::size_t slot) { load_and_stage(at[i], slot); };
  steps.in_order = [&](std::size_t first, std::size_t count) { return tickets_and_plans(at + first, count, planner); };
  steps.second = [&](std::size_t i, std::size_t slot) {
    if (auto deferred = compose_ack(*at[i].report, at[i].ack, composers_[slot])) at[i].deferred_by = std::move(deferred);
  };
  steps.more = [&] { return add_arrivals(staged); };
  run_ordered_pipeline(staged.size(), chains_.size(), steps);
}

// Writes the Maildir copies in arrival order, up to the first deferral.
FilingWorker::BatchFiling FilingWorker::file_in_order(std::vector<StagedReport>& staged) {
  BatchFiling filing;
  for (auto& item : staged) {
    if (item.deferred_by) {
      filing.deferral.emplace(item.entry.spool_id, *item.deferred_by);
      break;  // keep arrival order: later messages wait too
    }
    if (!item.ordered) break;  // behind a deferral: not staged, or not in order
    if (!file_guarded(item, filing)) break;
  }
  return filing;
}

// Maildir delivery for the whole batch: fsync every file together (and the
// WAL, for the tickets they name), publish them into new/, fsync new/ once
// per queue. Only then is the filing recorded.
Status FilingWorker::deliver_batch(const BatchFiling& filing) {
  std::vector<int> fds;
  for (const auto& p : filing.pending) fds.push_back(p.fd.get());
  auto wal = open_store_wal(state_dir_);
  Status delivered = wal ? ok_status() : Status(wal.error());
  if (delivered && wal->valid()) fds.push_back(wal->get());
  if (delivered) delivered = fsync_.sync_all(fds);
  for (std::size_t i = 0; delivered && i < filing.pending.size(); ++i)
    delivered = MaildirQueue::publish(filing.pending[i]);
  for (auto it = filing.touched.begin(); delivered && it != filing.touched.end(); ++it) delivered = (*it)->sync_new();
  return delivered;
}

// One transaction for the batch: each message's stage notes, its
// acknowledgement, `filed` (or `lost`) and their audit events.
Status FilingWorker::record_batch(const std::vector<Filed>& filed) {
  auto tx = Transaction::begin(*db_);
  Status st = tx ? ok_status() : Status(tx.error());
  for (const auto& f : filed) {
    if (!st) break;
    if (f.lost) {
      st = mark_lost(*db_, f.spool_id);
      if (st) st = append_audit_event(*db_, {"lost", f.spool_id, "csirtgw", R"({"reason":"spool file missing"})"});
      continue;
    }
    for (const auto& note : f.notes) {
      if (!st) break;
      st = append_audit_event(*db_, {note.event, f.spool_id, "csirtgw", note.detail});
    }
    if (st && f.ack) st = record_ack(*f.ack, f.spool_id);
    if (st) st = mark_filed(*db_, f.spool_id, f.queue, f.name);
    if (st) {
      nlohmann::json detail = {{"queue", f.queue}, {"maildir", f.name}, {"stages", f.stages}};
      st = append_audit_event(*db_, {"filed", f.spool_id, "csirtgw", json_text(detail)});
    }
  }
  if (st) st = tx->commit();
  return st;
}

// Committed: each filed spool file moves to originals/ (a failed move only
// leaves the file for the next start-up).
void FilingWorker::archive_filed(const std::vector<Filed>& filed, std::set<std::string>& recorded) {
  auto log = spdlog::get("worker");
  for (const auto& f : filed) {
    recorded.insert(f.spool_id);
    if (!f.lost) {
      if (auto moved = spool_.archive(f.spool_id, f.received_at); !moved)
        log->warn("{}: could not move to originals: {}", f.spool_id, moved.error().message);
      log->info("{}: filed into {}", f.spool_id, f.queue);
    }
    deferral_audited_.erase(f.spool_id);
  }
}

FilingWorker::BatchResult FilingWorker::file_batch() {
  auto log = spdlog::get("worker");
  take_current_rules();
  auto batch = next_spooled(*db_, rules_->config.worker_batch);
  if (!batch) {
    log->warn("cannot read the spool index: {}", batch.error().message);
    return BatchResult::deferred;
  }
  isolate_suspects(batch.value(), alone_);
  if (batch->empty()) return BatchResult::idle;
  if (alone_)
    log->warn("{}: was being filed when the process or its OpenPGP worker died ({} time(s)); tried alone",
              batch->front().spool_id, batch->front().unfinished_attempts);
  std::vector<std::string> ids;
  for (const auto& entry : batch.value()) ids.push_back(entry.spool_id);
  if (auto st = count_attempts_begun(*db_, ids); !st) {
    log->warn("cannot count the attempt on {} message(s), will retry: {}", ids.size(), st.error().message);
    return BatchResult::deferred;
  }

  // 1-3. Each message through its stages, its ticket and its acknowledgement
  //      (see ordered_pipeline.h): the filter chain and the acknowledgement on
  //      the stage threads (gpg is slow and runs in its own processes); tickets
  //      and the acknowledgement plan in arrival order, up to the first deferral.
  // Grows while the batch runs (add_arrivals), beside the steps reading it:
  // reserved for the whole batch, so it never moves.
  std::vector<StagedReport> staged;
  staged.reserve(std::max<std::size_t>(batch->size(), rules_->config.worker_batch));
  for (auto& entry : batch.value())
    staged.push_back(StagedReport{std::move(entry), std::nullopt, std::nullopt, false, std::nullopt});
  run_steps(staged);

  // 4. File in arrival order, stopping at the first deferral.
  BatchFiling filing = file_in_order(staged);
  std::vector<Filed>& filed = filing.filed;

  // 5. Maildir delivery, then 6. the record, then 7. the originals.
  if (Status delivered = deliver_batch(filing); !delivered) {
    log->warn("Maildir delivery failed, will retry: {}", delivered.error().message);
    if (!filed.empty()) audit_deferral(filed.front().spool_id, delivered.error().message);
    finish_attempts(staged, {});
    return BatchResult::deferred;
  }
  std::set<std::string> recorded;
  if (!filed.empty()) {
    if (Status st = record_batch(filed); !st) {
      log->warn("recording {} filing(s) failed, will retry: {}", filed.size(), st.error().message);
      finish_attempts(staged, {});
      return BatchResult::deferred;
    }
    if (ack_queued_ && std::any_of(filed.begin(), filed.end(), [](const Filed& f) { return f.ack && f.ack->composed; }))
      ack_queued_();
    archive_filed(filed, recorded);
  }
  if (recorded.size() < staged.size()) finish_attempts(staged, recorded);
  if (filing.deferral) {
    log->warn("{}: deferred: {}", filing.deferral->first, sanitize_untrusted(filing.deferral->second, 300));
    audit_deferral(filing.deferral->first, filing.deferral->second);
    return filed.empty() ? BatchResult::deferred : BatchResult::progressed;
  }
  return BatchResult::progressed;
}

}  // namespace csirtgw
