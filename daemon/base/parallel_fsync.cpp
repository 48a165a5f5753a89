// fsync of many files at once on a few threads (parallel_fsync.h).
#include "parallel_fsync.h"

#include <optional>

#include "durable_file.h"

namespace csirtgw {

ParallelFsync::ParallelFsync(std::size_t threads) {
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

ParallelFsync::~ParallelFsync() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

void ParallelFsync::run() {
  while (true) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

Status ParallelFsync::sync_all(const std::vector<int>& fds) {
  if (fds.size() == 1 || threads_.empty()) {
    for (int fd : fds)
      if (auto st = sync_file(fd); !st) return st;
    return ok_status();
  }
  // Not std::latch: libstdc++ 12's latch waits by spinning on sched_yield.
  std::vector<std::optional<Error>> failures(fds.size());
  std::mutex done_mutex;
  std::condition_variable done_signal;
  std::size_t remaining = fds.size();
  {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < fds.size(); ++i)
      jobs_.emplace_back([&, i] {
        Status st = ok_status();
        try {
          st = sync_file(fds[i]);
        } catch (...) {  // counted down whatever happens, or sync_all would wait forever
          st = Error::temporary("fsync failed with an exception");
        }
        std::lock_guard done_lock(done_mutex);
        if (!st) failures[i] = st.error();
        if (--remaining == 0) done_signal.notify_one();
      });
  }
  wake_.notify_all();
  std::unique_lock done_lock(done_mutex);
  done_signal.wait(done_lock, [&] { return remaining == 0; });
  for (auto& failure : failures)
    if (failure) return *failure;
  return ok_status();
}

}  // namespace csirtgw
