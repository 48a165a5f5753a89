// A thread that works in rounds and sleeps in between: until it is woken
// (new work), until the round's own timeout (a retry or a safety net), or until
// it is stopped. The filing worker and the acknowledgement sender are both one.
// Nothing escapes it: a round that throws is logged (the exception's class,
// never its text) and the next round comes after a pause, so a bug in one
// round cannot std::terminate the daemon.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "exception_text.h"

namespace csirtgw {

struct NextRound {
  std::chrono::milliseconds after{0};  // 0: at once
  bool early_on_wake = true;           // false: a backoff that wake() must not cut short
};

class RoundThread {
 public:
  RoundThread() = default;
  RoundThread(const RoundThread&) = delete;
  RoundThread& operator=(const RoundThread&) = delete;
  ~RoundThread() { stop(); }

  void start(std::function<NextRound()> round) {
    thread_ = std::thread([this, round = std::move(round)] { run(round); });
  }

  void wake() {
    {
      std::lock_guard lock(mutex_);
      woken_ = true;
    }
    wake_.notify_one();
  }

  // `interrupt` runs under the lock, so it cannot race a round that is about to
  // begin a blocking step (see unless_stopping); then waits for the round to end.
  void stop(const std::function<void()>& interrupt = {}) {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      if (interrupt) interrupt();
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  // For a round: runs `step` under the lock unless stop() has begun; false if it has.
  bool unless_stopping(const std::function<void()>& step) {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    step();
    return true;
  }

 private:
  void run(const std::function<NextRound()>& round) {
    while (true) {
      {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        woken_ = false;  // a wake() from here on means work the round may not have seen
      }
      const NextRound next = guarded(round);
      std::unique_lock lock(mutex_);
      if (stopping_) return;
      if (next.after.count() <= 0) continue;
      wake_.wait_for(lock, next.after, [&] { return stopping_ || (next.early_on_wake && woken_); });
    }
  }

  static NextRound guarded(const std::function<NextRound()>& round) {
    try {
      return round();
    } catch (...) {
      const std::string what = exception_class(std::current_exception());
      try {
        auto log = spdlog::get("main");
        (log ? log.get() : spdlog::default_logger_raw())->critical("a worker round failed with {}; retrying in 1 s", what);
      } catch (...) {
      }
      return {std::chrono::seconds(1), false};
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace csirtgw
