// TimerWindow: the near-term slice of the store's due-time index, in memory.
//
// Thread safety: thread-safe.
//
// The store's index is the truth. Memory holds only the timers due before
// `loaded_until`, at most about `cap` of them, so memory and start-up time do
// not grow with the number of pending timers. Refills scan the index forward
// from `loaded_until` under the window's lock; a timer armed by a committed
// change is added with Add(), which waits for any refill in progress, so a
// timer is never missed between the scan and the add.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "shouhu/duration.h"
#include "shouhu/mutex.h"
#include "shouhu/store.h"

namespace shouhu {

class TimerWindow {
 public:
  TimerWindow(Store& store, std::chrono::milliseconds horizon, size_t cap);

  // Adds a committed timer key if it falls in the loaded range; otherwise a
  // later refill will load it from the store.
  void Add(const std::string& timer_key);
  // Which keys a caller takes (nullptr: all of them). Timer threads take
  // disjoint shards of the keys, so that they never contend.
  using KeyFilter = std::function<bool(std::string_view timer_key)>;
  // Removes and returns up to `max` keys due at or before `now` that pass
  // `take`, oldest first, refilling from the store as needed.
  Status TakeDue(Instant now, size_t max, std::vector<std::string>* out,
                 const KeyFilter& take = nullptr);
  // The earliest due time in memory, of the keys that pass `take`, after
  // refilling for `now`, if any.
  StatusOr<std::optional<Instant>> NextDue(Instant now,
                                           const KeyFilter& take = nullptr);
  size_t size() const;
  // Drops what memory holds, so the next look reads the index again from
  // its start: when other nodes share the store, a timer one of them armed
  // is in the index but in no window of this node's until then.
  void Forget();

 private:
  Status RefillLocked(Instant now) SHOUHU_REQUIRES(mu_);

  Store& store_;
  const std::chrono::milliseconds horizon_;
  const size_t cap_;
  mutable Mutex mu_;
  std::set<std::string> keys_ SHOUHU_GUARDED_BY(mu_);  // timer keys; they sort by due time
  Instant loaded_until_ SHOUHU_GUARDED_BY(mu_);        // every index key due before it was loaded
};

}  // namespace shouhu
