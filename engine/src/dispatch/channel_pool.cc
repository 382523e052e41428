// A channel's persistent senders (see channel_pool.h).
#include "dispatch/channel_pool.h"

#include "shouhu/log.h"

namespace shouhu::dispatch {

void RoundTally::Done(const DispatchRound& done) {
  MutexLock lock(mu_);
  sum_.attempted += done.attempted;
  sum_.delivered += done.delivered;
  sum_.retried += done.retried;
  sum_.dead += done.dead;
  sum_.errors += done.errors;
  --pending_;
  cv_.notify_all();
}

void RoundTally::Wait(DispatchRound& round) {
  MutexLock lock(mu_);
  cv_.wait(lock.native(), [&] {
    mu_.AssertHeld();
    return pending_ == 0;
  });
  round.attempted += sum_.attempted;
  round.delivered += sum_.delivered;
  round.retried += sum_.retried;
  round.dead += sum_.dead;
  round.errors += sum_.errors;
}

ChannelPool::ChannelPool(std::vector<std::unique_ptr<Sender>>& senders, const Clock& clock,
                         Work work, std::function<void()> drained)
    : senders_(senders), clock_(clock), work_(std::move(work)), drained_(std::move(drained)) {}

void ChannelPool::Start() {
  MutexLock lock(mu_);
  if (!threads_.empty()) return;
  stopping_ = false;
  for (auto& sender : senders_) {
    alarms_.push_back(clock_.NewAlarm());
    threads_.emplace_back(
        [this, s = sender.get(), a = alarms_.back().get()] {
          log::NameThread("shouhu-send");
          Run(*s, *a);
        });
  }
}

void ChannelPool::Stop() {
  std::vector<std::thread> threads;
  {
    MutexLock lock(mu_);
    if (threads_.empty()) return;
    stopping_ = true;
    WakeAll();
    threads.swap(threads_);
  }
  for (std::thread& t : threads) t.join();
  MutexLock lock(mu_);
  for (Job& job : queue_) {
    in_hand_.erase(job.delivery.id);
    if (job.tally) job.tally->Done({});  // not attempted: still due
  }
  queue_.clear();
  alarms_.clear();
  stopping_ = false;
}

void ChannelPool::BeginScan() {
  MutexLock lock(mu_);
  finished_.clear();
}

bool ChannelPool::Offer(Delivery d, std::shared_ptr<RoundTally> tally) {
  MutexLock lock(mu_);
  if (threads_.empty() || in_hand_.count(d.id) || finished_.count(d.id)) return false;
  in_hand_.insert(d.id);
  if (tally) tally->Add();
  queue_.push_back({std::move(d), std::move(tally)});
  WakeAll();
  return true;
}

bool ChannelPool::Holds(const std::string& id) const {
  MutexLock lock(mu_);
  return in_hand_.count(id) || finished_.count(id);
}

size_t ChannelPool::InHand() const {
  MutexLock lock(mu_);
  return in_hand_.size();
}

void ChannelPool::WakeAll() {
  for (auto& alarm : alarms_) alarm->Wake();
}

void ChannelPool::Run(Sender& sender, Alarm& alarm) {
  for (;;) {
    Job job;
    {
      MutexLock lock(mu_);
      if (stopping_) return;
      if (!queue_.empty()) {
        job = std::move(queue_.front());
        queue_.pop_front();
      }
    }
    if (job.delivery.id.empty()) {
      // Nothing to send: wait for Offer or Stop (a Wake that came since the
      // queue was looked at returns at once).
      alarm.WaitUntil(Instant::max());
      continue;
    }
    DispatchRound done;
    work_(sender, job.delivery, done);
    bool drained;
    {
      MutexLock lock(mu_);
      in_hand_.erase(job.delivery.id);
      finished_.insert(job.delivery.id);
      drained = in_hand_.empty();
    }
    // Told after the books are kept: a RunOnce that returns on it may scan
    // again at once and must find this delivery neither in hand nor finished.
    if (job.tally) job.tally->Done(done);
    if (drained && drained_) drained_();
  }
}

}  // namespace shouhu::dispatch
