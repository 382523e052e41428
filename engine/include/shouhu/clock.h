// Clock: the one source of "now" in shouhu, and the one way a thread waits
// for a time to come, injected everywhere time matters.
//
// Thread safety: every implementation, and every Alarm, is safe to call from
// any thread.
//
// The daemon uses SystemClock. Tests, and the daemon started with
// --simulated-time, use FakeClock: time moves only when it is set or
// advanced, and a thread waiting on one of its alarms wakes when the time it
// waits for is reached (the model is Envoy's simulated time). After moving
// the clock a test calls AwaitIdle, which returns once every thread that
// waits on the clock has done what the new time asked of it and is waiting
// again; so timers, retries and deadlines are tested without real waits.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <set>

#include "shouhu/duration.h"
#include "shouhu/mutex.h"

namespace shouhu {

// A place for one thread to wait on a clock: until a time on that clock, or
// until another thread wakes it. Each waiting thread owns its own alarm.
class Alarm {
 public:
  virtual ~Alarm() = default;
  // Blocks until the clock reads `deadline` or later, or Wake is called.
  // True when woken (a Wake since the last return), false when due. A Wake
  // that came before the call makes it return at once.
  virtual bool WaitUntil(Instant deadline) = 0;
  // Wakes the waiting thread, or the next wait when none is waiting.
  virtual void Wake() = 0;
};

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (timers, records, audit).
  virtual Instant Now() const = 0;
  // A reading that never goes back, for intervals and request deadlines
  // (rate limits, a request's time in the queue).
  virtual std::chrono::steady_clock::time_point Steady() const = 0;
  // An alarm on this clock for one waiting thread. REQUIRES: the clock
  // outlives the alarm.
  virtual std::unique_ptr<Alarm> NewAlarm() const = 0;
  // True for simulated time (FakeClock).
  virtual bool simulated() const { return false; }
};

class SystemClock : public Clock {
 public:
  Instant Now() const override {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
  }
  std::chrono::steady_clock::time_point Steady() const override {
    return std::chrono::steady_clock::now();
  }
  std::unique_ptr<Alarm> NewAlarm() const override;
};

class FakeClock : public Clock {
 public:
  explicit FakeClock(Instant start) : ms_(start.time_since_epoch().count()) {}
  FakeClock(const FakeClock&) = delete;
  FakeClock& operator=(const FakeClock&) = delete;

  Instant Now() const override {
    return Instant(std::chrono::milliseconds(ms_.load()));
  }
  // Starts at zero and moves with Now.
  std::chrono::steady_clock::time_point Steady() const override {
    return std::chrono::steady_clock::time_point(std::chrono::milliseconds(ms_.load() - start_));
  }
  std::unique_ptr<Alarm> NewAlarm() const override;
  bool simulated() const override { return true; }

  // Moves the clock (back too: an alarm then waits for its time to come
  // again) and wakes the alarms that are due.
  void Set(Instant at);
  void Advance(std::chrono::milliseconds d);

  // Blocks until every alarm of this clock is waiting for a time still to
  // come, with no Wake pending: what the last move of the clock (or the last
  // Wake) set in motion is done. An alarm counts as busy from its creation
  // until its thread waits on it, and again from the moment it is due or
  // woken until its thread waits once more; so its owner destroys it when
  // the thread ends. False when that does not happen within `limit` of real
  // time, which a test reports as a failure (a thread stuck in its work).
  bool AwaitIdle(std::chrono::milliseconds limit = std::chrono::seconds(60)) const;
  size_t alarms() const;  // alarms alive
  size_t idle() const;    // of them, waiting for a time still to come

 private:
  class FakeAlarm;
  friend class FakeAlarm;
  void Ring() SHOUHU_EXCLUDES(alarms_mu_);  // wakes every due alarm
  void Count(int alive, int idle) const SHOUHU_EXCLUDES(idle_mu_);

  std::atomic<int64_t> ms_;
  const int64_t start_ = ms_.load();
  // Lock order: alarms_mu_, then an alarm's own mutex, then idle_mu_.
  mutable Mutex alarms_mu_;
  mutable std::set<FakeAlarm*> alarms_ SHOUHU_GUARDED_BY(alarms_mu_);
  mutable Mutex idle_mu_;
  mutable std::condition_variable idle_cv_;
  mutable size_t alive_ SHOUHU_GUARDED_BY(idle_mu_) = 0;
  mutable size_t idle_ SHOUHU_GUARDED_BY(idle_mu_) = 0;
};

}  // namespace shouhu
