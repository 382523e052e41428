#include "shouhu/timer_loop.h"

#include <algorithm>

#include "shouhu/log.h"

namespace shouhu {

namespace {
// Longest wait: timers beyond the in-memory window are found by a refill.
constexpr auto kMaxWait = std::chrono::milliseconds(1000);
// After a storage error, wait before trying again.
constexpr auto kErrorBackoff = std::chrono::milliseconds(200);

int64_t Ms(Instant t) { return t.time_since_epoch().count(); }
}  // namespace

TimerLoop::TimerLoop(TimerService& timers, const Clock& clock, int threads,
                     const Leases* leases)
    : timers_(timers), clock_(clock), leases_(leases) {
  threads = std::max(threads, 1);
  for (int i = 0; i < threads; ++i) {
    auto s = std::make_unique<Shard>();
    s->shard = {static_cast<unsigned>(i), static_cast<unsigned>(threads)};
    s->alarm = clock_.NewAlarm();
    shards_.push_back(std::move(s));
  }
}

TimerLoop::~TimerLoop() { Stop(); }

void TimerLoop::Start() {
  MutexLock lock(mu_);
  if (running_) return;
  running_ = true;
  stop_ = false;
  for (size_t i = 0; i < shards_.size(); ++i) {
    shards_[i]->thread = std::thread([this, i, shard = shards_[i].get()] {
      log::NameThread("shouhu-timer-" + std::to_string(i));
      Run(*shard);
    });
  }
}

void TimerLoop::Stop() {
  MutexLock lock(mu_);
  if (!running_) return;
  stop_ = true;
  for (auto& s : shards_) s->alarm->Wake();
  for (auto& s : shards_) s->thread.join();
  running_ = false;
}

void TimerLoop::Wake(Instant due) {
  for (auto& s : shards_) {
    if (Ms(due) < s->waits_until.load()) s->alarm->Wake();
  }
}

std::vector<uint64_t> TimerLoop::fired_by_shard() const {
  std::vector<uint64_t> out;
  for (const auto& s : shards_) out.push_back(s->fired.load());
  return out;
}

void TimerLoop::Run(Shard& s) {
  Instant next_sweep = clock_.Now();
  while (!stop_) {
    // Retention: the first thread deletes expired idempotency records hourly.
    if (s.shard.index == 0 && clock_.Now() >= next_sweep) {
      next_sweep = clock_.Now() + std::chrono::hours(1);
      auto expired = timers_.ExpireRequests();
      if (!expired.ok()) {
        log::Error("expiring idempotency records failed 幂等记录清理失败",
                   {{"event", "expire_failed"}, {"status", expired.status().ToString()}});
      } else if (*expired > 0) {
        log::Info("expired idempotency records 已清理幂等记录",
                  {{"event", "requests_expired"}, {"count", *expired}});
      }
    }
    // From here a newly armed timer earlier than the longest wait wakes this
    // thread, even one armed while it fires or looks for the next.
    Instant deadline = clock_.Now() + kMaxWait;
    s.waits_until = Ms(deadline);
    // Another node's shard for now: look again after the longest wait.
    if (leases_ && !leases_->Held(TimerLeaseName(s.shard.index, s.shard.count))) {
      s.alarm->WaitUntil(deadline);
      continue;
    }
    auto fired = timers_.FireDueTimers(s.shard);
    if (fired.ok()) {
      fired_ += *fired;
      s.fired += *fired;
      if (*fired > 0) continue;  // more may be due: drain before waiting
      if (auto next = timers_.NextDue(s.shard)) deadline = std::min(deadline, *next);
    } else {
      ++errors_;
      log::Error("firing timers failed 定时器触发失败",
                 {{"event", "timers_failed"}, {"shard", s.shard.index},
                  {"status", fired.status().ToString()}});
      deadline = std::min(deadline, clock_.Now() + kErrorBackoff);
    }
    if (stop_) break;
    s.waits_until = Ms(deadline);
    s.alarm->WaitUntil(deadline);
  }
  s.waits_until = 0;
}

}  // namespace shouhu
