// Clock: the one source of "now" in shouhu, injected everywhere time matters.
//
// Thread safety: every implementation is safe to call from any thread.
//
// The daemon uses SystemClock; tests use FakeClock, advance it by hand, and
// then ask the runtime to fire what is due, so timers fire deterministically.
#pragma once

#include <atomic>

#include "shouhu/duration.h"

namespace shouhu {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant Now() const = 0;
};

class SystemClock : public Clock {
 public:
  Instant Now() const override {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
  }
};

class FakeClock : public Clock {
 public:
  explicit FakeClock(Instant start) : ms_(start.time_since_epoch().count()) {}
  Instant Now() const override {
    return Instant(std::chrono::milliseconds(ms_.load()));
  }
  void Set(Instant at) { ms_.store(at.time_since_epoch().count()); }
  void Advance(std::chrono::milliseconds d) { ms_.fetch_add(d.count()); }

 private:
  std::atomic<int64_t> ms_;
};

}  // namespace shouhu
