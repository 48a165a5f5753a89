// Runs a batch of items through two parallel steps with an in-order step
// between them, on a fixed number of threads, without a barrier between the
// steps: a thread that finishes an item's first step moves on to whatever is
// ready, preferring second steps (older items) over new first steps. The
// pipeline worker uses it so that the two cores stay busy with gpg: the filter
// chain (decryption) is the first step, tickets and the acknowledgement plan
// (arrival order, the store) are the in-order step, composing the
// acknowledgement (gpg again) is the second. With a barrier between the steps
// one core idled at the end of each, and a batch of one message kept the
// other core idle until it was done.
#pragma once

#include <cstddef>
#include <functional>

namespace csirtgw {

struct OrderedSteps {
  // Parallel, on the thread that owns `slot` (its filter chain, its composer).
  std::function<void(std::size_t item, std::size_t slot)> first;
  // In item order, one call at a time, for a run of `count` items from
  // `first` whose first steps are done (as many as are ready in a row: one
  // store transaction for them all). Returns how many of them went through;
  // fewer than `count` stops the batch: the next item gets no second step, no
  // later item is ordered, and no new first step starts (those under way finish).
  std::function<std::size_t(std::size_t first, std::size_t count)> in_order;
  // Parallel, after the item's in-order step.
  std::function<void(std::size_t item, std::size_t slot)> second;
  // Called when every item has been claimed: may append items to the batch
  // (mail that arrived meanwhile) and returns how many it appended. Optional.
  std::function<std::size_t()> more;
};

// Runs `steps` over items 0..count-1 (and any that `more` appends) on `slots`
// threads, the calling thread being one of them. `in_order` and `more` run
// one at a time, never beside each other (they may share a database
// connection), while the other threads go on with their steps. Returns the
// number of items in the batch at the end. A step that throws stops the batch
// like an in-order step passing fewer; once every thread is done the first such
// exception is rethrown here, on the calling thread (never on a helper).
std::size_t run_ordered_pipeline(std::size_t count, std::size_t slots, const OrderedSteps& steps);

}  // namespace csirtgw
