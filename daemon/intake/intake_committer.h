// The 250 promise, with group commit. Sessions hand over a fully received spool
// file; one thread takes every request waiting (up to commit_batch), fsyncs each
// file, and in ONE transaction recognises resends, renames the files into
// spool/ready, fsyncs that directory and records `received` rows and audit events.
// Only after COMMIT does a session hear "stored" and answer 250. Any failure on
// the way answers the whole batch with a temporary failure (451) and leaves no
// file in ready/ behind. Batching amortises the fsyncs across concurrent sessions.
#pragma once

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <tuple>

#include <boost/asio/async_result.hpp>
#include <boost/asio/execution.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/associated_executor.hpp>

#include "parallel_fsync.h"
#include "protocol_session.h"
#include "spool.h"
#include "store.h"

namespace csirtgw {

struct CommitOutcome {
  StoreOutcome outcome = StoreOutcome::temporary_failure;
  std::string spool_id;  // for a duplicate: the original's id
};

class IntakeCommitter {
 public:
  using Completion = std::function<void(CommitOutcome)>;

  IntakeCommitter(SpoolDirectory spool, std::filesystem::path state_dir, std::size_t max_batch,
                  ParallelFsync& fsync, std::mutex& store_write_gate, std::function<void()> on_committed);
  ~IntakeCommitter();
  IntakeCommitter(const IntakeCommitter&) = delete;
  IntakeCommitter& operator=(const IntakeCommitter&) = delete;

  Status start();
  void stop();  // commits what is queued, then joins

  // `done` runs on the committer thread; it must only hand the result on.
  void submit(SpoolFile file, ReceivedMessage message, Completion done);

 private:
  struct Request {
    SpoolFile file;
    ReceivedMessage message;
    Completion done;
  };
  void run();
  using SeenInBatch = std::map<std::tuple<std::string, std::string, std::string>, std::string>;
  void commit_batch(std::vector<Request>& batch);
  Status record_batch(std::vector<Request>& batch, std::vector<CommitOutcome>& outcomes);
  Result<CommitOutcome> record_request(Request& request, SeenInBatch& seen_in_batch);

  SpoolDirectory spool_;
  std::filesystem::path state_dir_;
  std::size_t max_batch_;
  ParallelFsync& fsync_;
  std::mutex& store_write_gate_;
  std::function<void()> on_committed_;
  std::optional<Database> db_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Request> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

// Asio glue: co_await async_commit(committer, file, message, use_awaitable).
// The completion is posted back to the session's executor, and that executor is
// kept busy meanwhile so the io_context cannot run dry during a commit.
template <typename Token>
auto async_commit(IntakeCommitter& committer, SpoolFile file, ReceivedMessage message, Token&& token) {
  return boost::asio::async_initiate<Token, void(CommitOutcome)>(
      [&committer](auto handler, SpoolFile spool_file, ReceivedMessage received) {
        auto executor = boost::asio::prefer(boost::asio::get_associated_executor(handler),
                                            boost::asio::execution::outstanding_work.tracked);
        // std::function needs a copyable callable; the handler is move-only.
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        committer.submit(std::move(spool_file), std::move(received), [shared, executor](CommitOutcome outcome) {
          boost::asio::post(executor, [shared, outcome = std::move(outcome)]() mutable {
            (*shared)(std::move(outcome));
          });
        });
      },
      token, std::move(file), std::move(message));
}

}  // namespace csirtgw
