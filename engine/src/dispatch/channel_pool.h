// A channel's persistent senders: one thread per Sender of the channel (its
// concurrency cap), started with the dispatcher and kept until it stops,
// each waiting on an alarm of the injected clock for deliveries to send. So
// a channel whose peer stalls holds up only its own threads: the other
// channels' pools go on sending. Private to the dispatcher.
//
// What it guards (mu_): the queue of deliveries handed to the channel, the
// ids of those in hand (queued or being sent) and of those finished since
// the dispatcher's last scan of the due deliveries. The scheduler never
// hands over a delivery the pool still holds, nor one that finished after
// the scan that found it began (that scan may have read it before its
// outcome was recorded): see BeginScan.
//
// Lock order: mu_, then a thread's alarm's own lock (Offer wakes the
// threads with mu_ held; no alarm calls back into the pool). The work
// function and `drained` run with no lock of the pool held: they take the
// runtime's locks (recording an outcome) and wake the dispatcher's loop.
//
// Thread safety: every method is safe from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "shouhu/clock.h"
#include "shouhu/delivery.h"
#include "shouhu/dispatcher.h"
#include "shouhu/mutex.h"

namespace shouhu::dispatch {

// The outcomes of the deliveries one RunOnce handed to the pools, and a
// wait until every one of them is done.
class RoundTally {
 public:
  void Add() {
    MutexLock lock(mu_);
    ++pending_;
  }
  // `done` holds what one delivery's worker did (attempted, outcomes).
  void Done(const DispatchRound& done);
  // Blocks until every delivery added is done; adds their counts to `round`.
  void Wait(DispatchRound& round);

 private:
  Mutex mu_;
  std::condition_variable cv_;
  size_t pending_ SHOUHU_GUARDED_BY(mu_) = 0;
  DispatchRound sum_ SHOUHU_GUARDED_BY(mu_);
};

class ChannelPool {
 public:
  // Sends `d` through `sender` and records the outcome into `tally` (which
  // counts the attempt too). Runs on a thread of the pool.
  using Work = std::function<void(Sender& sender, const Delivery& d, DispatchRound& tally)>;

  // REQUIRES: the senders and clock outlive the pool. `drained` is called
  // (from a pool thread) when the pool has finished a delivery and holds no
  // more: the scheduler may have left due deliveries behind for it.
  ChannelPool(std::vector<std::unique_ptr<Sender>>& senders, const Clock& clock, Work work,
              std::function<void()> drained);
  ~ChannelPool() { Stop(); }

  // Starts the threads; idempotent.
  void Start();
  // Each thread finishes the delivery in hand and ends; deliveries still
  // queued are dropped (they stay due in the store and are sent later).
  void Stop();

  // A scan of the due deliveries is about to begin: forgets the deliveries
  // finished before it (the scan reads their recorded outcome).
  void BeginScan();
  // Queues `d` unless the pool holds it or it finished since BeginScan;
  // false then. `tally` (may be null) hears of its outcome.
  bool Offer(Delivery d, std::shared_ptr<RoundTally> tally);
  // Whether the pool holds `id`, or finished it since BeginScan.
  bool Holds(const std::string& id) const;
  // Deliveries queued or being sent.
  size_t InHand() const;

 private:
  struct Job {
    Delivery delivery;
    std::shared_ptr<RoundTally> tally;
  };
  void Run(Sender& sender, Alarm& alarm);
  void WakeAll() SHOUHU_REQUIRES(mu_);

  std::vector<std::unique_ptr<Sender>>& senders_;
  const Clock& clock_;
  const Work work_;
  const std::function<void()> drained_;

  mutable Mutex mu_;
  std::deque<Job> queue_ SHOUHU_GUARDED_BY(mu_);
  std::set<std::string> in_hand_ SHOUHU_GUARDED_BY(mu_);   // ids queued or being sent
  std::set<std::string> finished_ SHOUHU_GUARDED_BY(mu_);  // ids finished since BeginScan
  bool stopping_ SHOUHU_GUARDED_BY(mu_) = false;
  std::vector<std::unique_ptr<Alarm>> alarms_ SHOUHU_GUARDED_BY(mu_);  // one per thread
  std::vector<std::thread> threads_ SHOUHU_GUARDED_BY(mu_);
};

}  // namespace shouhu::dispatch
