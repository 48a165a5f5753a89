// Two parallel steps with an in-order step between them (ordered_pipeline.h).
#include "ordered_pipeline.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace csirtgw {

namespace {

class OrderedPipeline {
 public:
  OrderedPipeline(std::size_t count, const OrderedSteps& steps) : steps_(steps), count_(count), first_done_(count) {}

  void work(std::size_t slot) {
    std::unique_lock lock(mutex_);
    while (true) {
      if (!second_ready_.empty()) {
        const std::size_t item = second_ready_.front();
        second_ready_.pop_front();
        run_unlocked(lock, [&] { steps_.second(item, slot); });
        ++completed_;
        continue;
      }
      if (!stopped_ && next_claim_ == count_ && steps_.more && !in_store_ && completed_ != completed_at_last_more_) {
        // Asked again only after a step was done since: an empty answer stays
        // empty until something changed.
        completed_at_last_more_ = completed_;
        std::size_t added = 0;
        in_store_ = true;
        run_unlocked(lock, [&] { added = steps_.more(); });
        in_store_ = false;
        count_ += added;
        first_done_.resize(count_);
        order_what_is_ready(lock);  // an in-order step may have waited for `more`
        continue;
      }
      if (!stopped_ && next_claim_ < count_) {
        const std::size_t item = next_claim_++;
        run_unlocked(lock, [&] { steps_.first(item, slot); });
        ++completed_;
        first_done_[item] = true;
        order_what_is_ready(lock);
        continue;
      }
      if (busy_ == 0) break;  // nothing left to do, and nobody can make more
      changed_.wait(lock);
    }
    changed_.notify_all();  // the others see busy_ == 0 too
  }

  // Rethrows, on the calling thread, the first exception a step let out.
  void rethrow_if_failed() {
    if (failure_) std::rethrow_exception(failure_);
  }

  std::size_t count() const { return count_; }

 private:
  // A step that throws stops the batch (the steps are expected to keep their
  // own faults; this is the last line): no exception leaves a helper thread.
  template <typename Step>
  void run_unlocked(std::unique_lock<std::mutex>& lock, Step step) {
    ++busy_;
    lock.unlock();
    std::exception_ptr failure;
    try {
      step();
    } catch (...) {
      failure = std::current_exception();
    }
    lock.lock();
    --busy_;
    if (failure) {
      if (!failure_) failure_ = failure;
      stopped_ = true;
    }
    changed_.notify_all();
  }

  // The in-order steps run without the lock (they write the store), so the
  // other threads can take work meanwhile; in_store_ keeps them and `more`
  // one at a time. A thread that finds another ordering leaves its item to it:
  // the ordering thread looks again before it stops.
  void order_what_is_ready(std::unique_lock<std::mutex>& lock) {
    if (in_store_) return;
    in_store_ = true;
    while (!stopped_) {
      const std::size_t first = next_order_;
      std::size_t count = 0;
      while (first + count < count_ && first_done_[first + count]) ++count;
      if (count == 0) break;
      std::size_t passed = 0;
      run_unlocked(lock, [&] { passed = steps_.in_order(first, count); });
      for (std::size_t i = 0; i < passed && i < count; ++i) second_ready_.push_back(first + i);
      next_order_ = first + count;
      if (passed < count) stopped_ = true;
    }
    in_store_ = false;
  }

  const OrderedSteps& steps_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t count_;
  std::vector<bool> first_done_;
  std::size_t next_claim_ = 0;
  std::size_t next_order_ = 0;
  std::deque<std::size_t> second_ready_;
  std::size_t busy_ = 0;
  // First and second steps finished; starts above "asked for more at 0" so that the first
  // thread to run out of items asks once.
  std::size_t completed_ = 1;
  std::size_t completed_at_last_more_ = 0;
  bool stopped_ = false;
  bool in_store_ = false;  // a thread runs in_order or more
  std::exception_ptr failure_;
};

}  // namespace

std::size_t run_ordered_pipeline(std::size_t count, std::size_t slots, const OrderedSteps& steps) {
  OrderedPipeline pipeline(count, steps);
  std::vector<std::thread> helpers;
  for (std::size_t slot = 1; slot < slots; ++slot) helpers.emplace_back([&pipeline, slot] { pipeline.work(slot); });
  pipeline.work(0);
  for (auto& helper : helpers) helper.join();
  pipeline.rethrow_if_failed();
  return pipeline.count();
}

}  // namespace csirtgw
