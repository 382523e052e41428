// TimerLoop: the daemon's timer threads. They fire due timers on the real
// clock, wait until the next one is due, and wake early when a command arms
// an earlier timer.
//
// Thread safety: thread-safe. Tests do not use it: they advance a FakeClock
// and call Runtime::FireDueTimers themselves.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "shouhu/runtime.h"

namespace shouhu {

class TimerLoop {
 public:
  // REQUIRES: runtime and clock outlive the loop. `threads` fire batches in
  // parallel so a burst of due timers shares fsyncs; each thread owns one
  // shard of the cases (TimerShard), so their batches never wait for each
  // other's case locks.
  TimerLoop(Runtime& runtime, const Clock& clock, int threads = 2);
  ~TimerLoop();  // stops

  void Start();
  void Stop();
  // A timer due at `due` was armed: wake if that is before the current wait.
  void Wake(Instant due);

  uint64_t fired() const { return fired_.load(); }
  uint64_t errors() const { return errors_.load(); }

 private:
  void Run(TimerShard shard);

  Runtime& runtime_;
  const Clock& clock_;
  const int threads_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  Instant wait_until_{};
  uint64_t wake_generation_ = 0;
  std::vector<std::thread> workers_;
  std::atomic<uint64_t> fired_{0};
  std::atomic<uint64_t> errors_{0};
};

}  // namespace shouhu
