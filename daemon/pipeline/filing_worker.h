// The pipeline worker: takes spooled messages in arrival order, runs the filter
// chain and composes the acknowledgement on worker.threads threads, assigns
// tickets in arrival order between the two (ordered_pipeline.h; one unsynced
// transaction per message, the WAL synced with the batch's files), files each
// into its Maildir queue, records `filed` and the stages' audit events in one
// transaction per batch, and only then moves the spool file to originals/.
// Every step is idempotent, keyed by the spool id: after a crash the worker
// resumes, finds what it already filed (deterministic Maildir names) and neither
// loses nor files anything twice. Temporary failures keep the message spooled
// and are retried with backoff. Each batch works by one rules snapshot
// (pipeline_rules.h), taken when the batch starts.
//
// No message can stop it. Every step runs inside a boundary per message: an
// exception in a stage, in ticket assignment, in acknowledgement planning or
// composing, or in filing quarantines that message (StageFault: the step and
// the exception's class are audited, never its text) and the others go on.
// A message on which the process itself dies is caught by a count in the store
// (unfinished_attempts): raised before the stages touch a batch, lowered when
// the attempt ends; after a crash the messages that were in flight are tried
// one at a time, and one whose count reaches openpgp.worker_failures is
// quarantined before any stage sees it again.
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "ack_step.h"
#include "ack_template.h"
#include "agent_shards.h"
#include "config.h"
#include "filter.h"
#include "report.h"
#include "round_thread.h"
#include "maildir_queue.h"
#include "openpgp_worker.h"
#include "parallel_fsync.h"
#include "pipeline_rules.h"
#include "spool.h"
#include "step_fault.h"
#include "store.h"
#include "ticket_store.h"

namespace csirtgw {

class FilingWorker {
 public:
  // Builds the chain for one stage thread from a rules snapshot.
  using ChainFactory = std::function<FilterChain(const PipelineRules& rules, std::size_t thread_index)>;
  // One chain per stage thread (`stage_threads`, from worker.threads); each is
  // used by one thread only. The chains are rebuilt when `rules` were replaced
  // (a reload), before the next batch.
  FilingWorker(const RulesInForce& rules, std::filesystem::path state_dir, SpoolDirectory spool,
               std::size_t stage_threads, ChainFactory build_chain,
               ParallelFsync& fsync, std::mutex& store_write_gate);
  ~FilingWorker();
  FilingWorker(const FilingWorker&) = delete;
  FilingWorker& operator=(const FilingWorker&) = delete;

  // Acknowledgements: composed with the team key on the pipeline
  // threads and queued in <state>/outbound with the filing; `queued` is called
  // after each commit that queued one. Call before start(); without it none are sent.
  void enable_acks(AgentShards& shards, const std::string& team_fingerprint, std::function<void()> queued);
  // Opens the store and cleans up after a crash; call before the intake starts.
  Status recover();
  void start();
  void wake();
  void stop();  // finishes the current batch, then joins

 private:
  enum class BatchResult { idle, progressed, deferred };
  struct StagedReport {
    SpooledMessage entry;
    std::optional<Report> report;  // nullopt: the spool file is missing
    std::optional<std::string> deferred_by;
    bool opened_ticket = false;
    std::optional<AckOutcome> ack;
    bool ordered = false;      // through tickets_and_plans: may be filed
    // Deferred because the OpenPGP worker died on it (or its quarantine copy
    // could not be written): the attempt counts toward openpgp.worker_failures.
    bool attempt_failed = false;
    bool staff = false;  // to a staff address: the staff step (staff_step.h) instead of a ticket
  };
  struct Filed {
    std::string spool_id;
    std::string queue;
    std::string name;
    std::string stages;
    bool lost = false;
    std::string received_at;
    std::vector<AuditNote> notes;
    std::optional<AckOutcome> ack;
  };
  // What the filing step of one batch has written and will record.
  struct BatchFiling {
    std::vector<Filed> filed;
    std::vector<MaildirQueue::PendingDelivery> pending;
    std::set<MaildirQueue*> touched;
    std::optional<std::pair<std::string, std::string>> deferral;  // spool id, reason
  };
  void load_and_stage(StagedReport& item, std::size_t slot);
  // The steps of one batch, in order; file_batch() only runs them.
  void run_steps(std::vector<StagedReport>& staged);
  std::size_t tickets_and_plans(StagedReport* run, std::size_t count, AckPlanner& planner);
  static bool takes_ticket(const StagedReport& item);
  Status assign_tickets(StagedReport* run, std::size_t usable, std::vector<TicketAssignment>& assigned);  // ticket_step.cpp
  Status act_on_staff_mail(Report& report);  // staff_step.cpp
  BatchFiling file_in_order(std::vector<StagedReport>& staged);
  Status deliver_batch(const BatchFiling& filing);
  Status record_batch(const std::vector<Filed>& filed);
  void archive_filed(const std::vector<Filed>& filed, std::set<std::string>& recorded);
  std::size_t add_arrivals(std::vector<StagedReport>& staged);
  bool write_filed_copy(StagedReport& item, BatchFiling& batch);
  bool file_guarded(StagedReport& item, BatchFiling& batch);
  void finish_attempts(const std::vector<StagedReport>& staged, const std::set<std::string>& filed);
  BatchResult file_batch();
  Result<MaildirQueue*> queue(const std::string& name);
  Result<MaildirQueue*> outbound_queue();
  Result<MaildirQueue*> filed_store();
  Status record_ack(const AckOutcome& ack, const std::string& spool_id);
  void audit_deferral(const std::string& spool_id, const std::string& reason);
  void take_current_rules();

  const RulesInForce& rules_in_force_;
  ChainFactory build_chain_;
  std::size_t stage_threads_;
  // The snapshot this batch works by (declared before the chains, which refer
  // to it, so that it outlives them), and an unwritten `config-reloaded` event.
  std::shared_ptr<const PipelineRules> rules_;
  std::optional<std::string> reload_to_audit_;

  std::filesystem::path state_dir_;
  SpoolDirectory spool_;
  std::vector<FilterChain> chains_;
  ParallelFsync& fsync_;
  std::mutex& store_write_gate_;
  std::optional<Database> db_;
  std::map<std::string, MaildirQueue> queues_;
  void build_composers();
  std::vector<AckComposer> composers_;  // one per pipeline thread; empty: acks off
  AgentShards* ack_shards_ = nullptr;   // null until enable_acks()
  std::string team_fingerprint_;
  std::optional<MaildirQueue> outbound_;
  std::optional<MaildirQueue> filed_store_;  // the store's private copies (filed_store.h)
  std::function<void()> ack_queued_;
  std::unique_ptr<OpenPgpWorker> staff_gpg_;  // signs staff correspondence with the team key; made when first needed
  std::set<std::string> deferral_audited_;
  bool alone_ = false;  // this batch tries one message that was in flight at a crash
  const TestFaults test_faults_ = TestFaults::from_environment();

  RoundThread thread_;  // last: stopped before the members its rounds use go
};

}  // namespace csirtgw
