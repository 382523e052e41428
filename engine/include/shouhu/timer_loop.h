// TimerLoop: the daemon's timer threads. Each owns one shard of the cases,
// fires its due timers, waits on the clock until its next one is due, and
// wakes early when a command arms an earlier timer.
//
// Thread safety: thread-safe. On a FakeClock the threads wait in simulated
// time: a test advances the clock and calls FakeClock::AwaitIdle.
//
// Several nodes on one store (shouhu/leases.h): a thread fires its shard
// only while this node holds the shard's lease (TimerLeaseName), and
// otherwise looks again each poll (a second). Its node's runtime then reads
// the shard's timers from the store's index at each poll, so a timer armed
// on another node fires within about a second of its due time, and a
// node's shards are taken by another within the lease's ttl (plus a renew
// interval) of it stopping. Every node must run as many timer threads.
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "shouhu/clock.h"
#include "shouhu/leases.h"
#include "shouhu/mutex.h"
#include "shouhu/timer_service.h"

namespace shouhu {

class TimerLoop {
 public:
  // REQUIRES: timers and clock outlive the loop. `threads` fire batches in
  // parallel so a burst of due timers shares fsyncs; each thread owns one
  // shard of the cases (TimerShard), so their batches never wait for each
  // other's case locks.
  // `leases` (may be null: every shard is this node's) outlives the loop.
  TimerLoop(TimerService& timers, const Clock& clock, int threads = 2,
            const Leases* leases = nullptr);
  ~TimerLoop();  // stops

  void Start();
  void Stop();
  // A timer due at `due` was armed: every thread waiting for a later time
  // looks again (the one whose shard holds the timer then waits for it).
  void Wake(Instant due);

  uint64_t fired() const { return fired_.load(); }
  // Timers fired by each thread (shard), in shard order.
  std::vector<uint64_t> fired_by_shard() const;
  uint64_t errors() const { return errors_.load(); }

 private:
  // One thread, its shard, and what it waits for.
  struct Shard {
    TimerShard shard;
    std::unique_ptr<Alarm> alarm;
    // The time the thread waits for, in ms since the epoch; set before it
    // looks for its next timer, so a timer armed while it looks wakes it.
    std::atomic<int64_t> waits_until{0};
    std::atomic<uint64_t> fired{0};
    std::thread thread;
  };
  void Run(Shard& shard);

  TimerService& timers_;
  const Clock& clock_;
  const Leases* const leases_;
  // Made with the loop and never changed, so Wake reads it from any thread.
  // Each shard's alarm lives as long as the loop: on a FakeClock, a loop
  // that is made counts as busy until its threads wait (FakeClock::AwaitIdle).
  std::vector<std::unique_ptr<Shard>> shards_;
  Mutex mu_;  // serialises Start and Stop
  bool running_ = false;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> fired_{0};
  std::atomic<uint64_t> errors_{0};
};

}  // namespace shouhu
