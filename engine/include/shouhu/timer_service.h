// TimerService: the runtime's durable timers -- firing those due, telling
// the timer threads (TimerLoop) when the next is due -- and the retention of
// idempotency records, which the timer loop runs hourly.
//
// Thread safety: every method is safe to call from many threads at once.
// Locks, in the order taken: the case locks of a batch's cases (in stripe
// order, the same stripes as CaseCommands', so a batch and a command on one
// case never write it at once); then the in-memory window's lock
// (src/runtime/timer_window.h), a leaf taken for one look-up or add. A batch
// commits, and on_timers_fired, on_timer_armed and on_outbox_filled run,
// with the batch's case locks held: those hooks must not call back into the
// runtime.
#pragma once

#include <cstddef>
#include <optional>

#include "shouhu/duration.h"
#include "shouhu/status.h"

namespace shouhu {

// One of `count` disjoint parts of the cases, for one timer thread.
struct TimerShard {
  unsigned index = 0;
  unsigned count = 1;  // 1: every case
};

class TimerService {
 public:
  virtual ~TimerService() = default;

  // Fires every timer due at the clock's now, oldest first, in batches; a
  // timer whose state was left never fires. Returns how many fired. The
  // daemon's timer threads call it; tests call it after advancing a FakeClock.
  // With a shard, only the timers of that shard's cases: cases of different
  // shards never share a lock, so timer threads on different shards fire
  // side by side instead of waiting for each other's batches. Calls with and
  // without shards may run at the same time.
  virtual StatusOr<size_t> FireDueTimers(TimerShard shard = {}) = 0;
  // When the next timer (of the shard) within the in-memory window is due,
  // if any; timers beyond the window are not looked for (the timer thread
  // polls at least once a second, which loads them as they come near).
  virtual std::optional<Instant> NextDue(TimerShard shard = {}) = 0;
  // Timers held in memory now (the near-term window).
  virtual size_t TimersInMemory() const = 0;

  // Retention: deletes the idempotency records written more than
  // RuntimeOptions::request_retention before the clock's now (a record from
  // before records carried their time is stamped now and kept). Returns how
  // many were deleted. Takes no lock: a record it deletes is past every
  // retry.
  virtual StatusOr<size_t> ExpireRequests() = 0;
};

}  // namespace shouhu
