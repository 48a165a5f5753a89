// The pipeline worker: takes spooled messages in arrival order, runs the filter
// chain on worker.threads threads, assigns tickets (one transaction per batch),
// files each into its Maildir queue, records `filed` and the stages' audit
// events in one transaction per batch, and only then moves the spool file to
// originals/.
// Every step is idempotent, keyed by the spool id: after a crash the worker
// resumes, finds what it already filed (deterministic Maildir names) and neither
// loses nor files anything twice. Temporary failures keep the message spooled
// and are retried with backoff. Each batch works by one rules snapshot
// (pipeline_rules.h), taken when the batch starts.
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

#include "config.h"
#include "filter.h"
#include "report.h"
#include "maildir_queue.h"
#include "parallel_fsync.h"
#include "pipeline_rules.h"
#include "spool.h"
#include "store.h"

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
  };
  void run_stages_in_parallel(std::vector<StagedReport>& staged);
  Status assign_tickets(std::vector<StagedReport>& staged);
  void run();
  BatchResult file_batch();
  Result<MaildirQueue*> queue(const std::string& name);
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
  std::set<std::string> deferral_audited_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool work_signalled_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace csirtgw
