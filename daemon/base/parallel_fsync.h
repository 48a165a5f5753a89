// fsyncs many files at once. Concurrent fsyncs on one file system share journal
// commits (ext4's jbd2, XFS's log), so a batch of N files costs about one commit
// instead of N in a row: this is what lets group commit keep up with many
// sessions without weakening the 250 promise (every file is still fsync'd).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "result.h"

namespace csirtgw {

class ParallelFsync {
 public:
  explicit ParallelFsync(std::size_t threads);
  ~ParallelFsync();
  ParallelFsync(const ParallelFsync&) = delete;
  ParallelFsync& operator=(const ParallelFsync&) = delete;

  // fsyncs every descriptor; returns the first failure, after all have finished.
  Status sync_all(const std::vector<int>& fds);

 private:
  void run();
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace csirtgw
