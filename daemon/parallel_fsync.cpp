#include "parallel_fsync.h"

#include <latch>
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
  std::vector<std::optional<Error>> failures(fds.size());
  std::latch done(static_cast<std::ptrdiff_t>(fds.size()));
  {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < fds.size(); ++i)
      jobs_.emplace_back([&, i] {
        if (auto st = sync_file(fds[i]); !st) failures[i] = st.error();
        done.count_down();
      });
  }
  wake_.notify_all();
  done.wait();
  for (auto& failure : failures)
    if (failure) return *failure;
  return ok_status();
}

}  // namespace csirtgw
