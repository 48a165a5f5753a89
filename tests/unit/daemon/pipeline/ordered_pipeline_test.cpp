// The pipeline worker's scheduler (daemon/pipeline/ordered_pipeline.h): every item goes
// through its three steps exactly once, the in-order step in item order and
// never beside `more`; a stop leaves the later items without an in-order or
// second step; items appended by `more` go through like the first ones; and
// there is no barrier between the steps (an item's second step runs while a
// later item's first step is still under way).
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <numeric>
#include <random>
#include <thread>
#include <vector>

#include "ordered_pipeline.h"

namespace csirtgw {
namespace {

struct Recorder {
  explicit Recorder(std::size_t capacity) : first(capacity), second(capacity) {}
  std::vector<std::atomic<int>> first, second;
  std::mutex order_mutex;
  std::vector<std::size_t> order;
  std::atomic<bool> in_exclusive{false};
  std::atomic<bool> overlapped{false};
  std::size_t calls = 0;  // in_order calls (under order_mutex)

  // in_order and more must never overlap each other.
  void exclusive() {
    if (in_exclusive.exchange(true)) overlapped = true;
    std::this_thread::sleep_for(std::chrono::microseconds(50));
    in_exclusive = false;
  }
};

void jitter(std::size_t item) {
  std::this_thread::sleep_for(std::chrono::microseconds((item * 7919) % 900));
}

}  // namespace

TEST_CASE("every item goes through its three steps once, in order in the middle") {
  for (std::size_t slots : {1u, 2u, 4u}) {
    CAPTURE(slots);
    const std::size_t n = 60;
    Recorder rec(n);
    OrderedSteps steps;
    steps.first = [&](std::size_t i, std::size_t slot) {
      CHECK(slot < slots);
      jitter(i);
      ++rec.first[i];
    };
    steps.in_order = [&](std::size_t first, std::size_t count) {
      rec.exclusive();
      CHECK(count >= 1);
      std::lock_guard lock(rec.order_mutex);
      for (std::size_t i = first; i < first + count; ++i) {
        CHECK(rec.first[i] == 1);
        rec.order.push_back(i);
      }
      ++rec.calls;
      return count;
    };
    steps.second = [&](std::size_t i, std::size_t) {
      jitter(n - i);
      ++rec.second[i];
    };
    CHECK(run_ordered_pipeline(n, slots, steps) == n);
    for (std::size_t i = 0; i < n; ++i) {
      CHECK(rec.first[i] == 1);
      CHECK(rec.second[i] == 1);
    }
    REQUIRE(rec.order.size() == n);
    for (std::size_t i = 0; i < n; ++i) CHECK(rec.order[i] == i);
    CHECK_FALSE(rec.overlapped);
  }
}

TEST_CASE("a stop in the in-order step ends the batch there") {
  const std::size_t n = 200, stop_at = 5;
  Recorder rec(n);
  OrderedSteps steps;
  steps.first = [&](std::size_t i, std::size_t) {
    jitter(i);
    ++rec.first[i];
  };
  steps.in_order = [&](std::size_t first, std::size_t count) {
    std::lock_guard lock(rec.order_mutex);
    for (std::size_t i = first; i < first + count; ++i) {
      rec.order.push_back(i);
      if (i == stop_at) return i - first;  // items before it went through
    }
    return count;
  };
  steps.second = [&](std::size_t i, std::size_t) { ++rec.second[i]; };
  run_ordered_pipeline(n, 2, steps);
  REQUIRE(rec.order.size() == stop_at + 1);
  for (std::size_t i = 0; i < stop_at; ++i) CHECK(rec.second[i] == 1);
  for (std::size_t i = stop_at; i < n; ++i) CHECK(rec.second[i] == 0);
  std::size_t started = 0;
  for (std::size_t i = 0; i < n; ++i) started += rec.first[i];
  CHECK(started < n);  // no new first step after the stop
}

TEST_CASE("items appended by `more` go through like the first ones") {
  const std::size_t capacity = 50;
  Recorder rec(capacity);
  std::atomic<std::size_t> total{3};
  int asked = 0;
  OrderedSteps steps;
  steps.first = [&](std::size_t i, std::size_t) {
    REQUIRE(i < total);
    jitter(i);
    ++rec.first[i];
  };
  steps.in_order = [&](std::size_t first, std::size_t count) {
    rec.exclusive();
    std::lock_guard lock(rec.order_mutex);
    for (std::size_t i = first; i < first + count; ++i) rec.order.push_back(i);
    return count;
  };
  steps.second = [&](std::size_t i, std::size_t) { ++rec.second[i]; };
  steps.more = [&]() -> std::size_t {
    rec.exclusive();
    ++asked;
    if (total + 4 > capacity) return 0;  // "nothing arrived"
    total += 4;
    return 4;
  };
  const std::size_t count = run_ordered_pipeline(3, 2, steps);
  CHECK(count == total);
  CHECK(count > 3);
  CHECK(asked >= 2);
  for (std::size_t i = 0; i < count; ++i) {
    CHECK(rec.first[i] == 1);
    CHECK(rec.second[i] == 1);
  }
  REQUIRE(rec.order.size() == count);
  for (std::size_t i = 0; i < count; ++i) CHECK(rec.order[i] == i);
  CHECK_FALSE(rec.overlapped);
}

TEST_CASE("no barrier: an early item's second step runs while a later first step is under way") {
  std::mutex m;
  std::condition_variable cv;
  bool second_of_0_started = false;
  bool saw_it = false;
  OrderedSteps steps;
  steps.first = [&](std::size_t i, std::size_t) {
    if (i != 3) return;
    std::unique_lock lock(m);
    // With a barrier between the steps this would wait in vain.
    saw_it = cv.wait_for(lock, std::chrono::seconds(5), [&] { return second_of_0_started; });
  };
  steps.in_order = [](std::size_t, std::size_t count) { return count; };
  steps.second = [&](std::size_t i, std::size_t) {
    if (i != 0) return;
    std::lock_guard lock(m);
    second_of_0_started = true;
    cv.notify_all();
  };
  run_ordered_pipeline(6, 2, steps);
  CHECK(saw_it);
}

TEST_CASE("items ready in a row are ordered in one call (one store transaction)") {
  std::vector<std::size_t> runs;
  OrderedSteps steps;
  steps.first = [](std::size_t i, std::size_t) {
    if (i == 0) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  };
  steps.in_order = [&](std::size_t first, std::size_t count) {
    CHECK(first == std::accumulate(runs.begin(), runs.end(), std::size_t{0}));
    runs.push_back(count);
    return count;
  };
  steps.second = [](std::size_t, std::size_t) {};
  run_ordered_pipeline(8, 4, steps);
  REQUIRE_FALSE(runs.empty());
  // items 1..7 were done while item 0 was not: they wait for it, then go together
  CHECK(runs.front() == 8);
}

TEST_CASE("an empty batch and a single slot") {
  OrderedSteps steps;
  int calls = 0;
  steps.first = [&](std::size_t, std::size_t) { ++calls; };
  steps.in_order = [&](std::size_t, std::size_t count) { return count; };
  steps.second = [&](std::size_t, std::size_t) { ++calls; };
  CHECK(run_ordered_pipeline(0, 2, steps) == 0);
  CHECK(calls == 0);
  CHECK(run_ordered_pipeline(3, 1, steps) == 3);
  CHECK(calls == 6);
}

}  // namespace csirtgw
