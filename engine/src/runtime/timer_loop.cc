#include "shouhu/timer_loop.h"

#include <cstdio>

namespace shouhu {

namespace {
// Longest wait: timers beyond the in-memory window are found by a refill.
constexpr auto kMaxWait = std::chrono::milliseconds(1000);
// After a storage error, wait before trying again.
constexpr auto kErrorBackoff = std::chrono::milliseconds(200);
}  // namespace

TimerLoop::TimerLoop(Runtime& runtime, const Clock& clock, int threads)
    : runtime_(runtime), clock_(clock), threads_(threads < 1 ? 1 : threads) {}

TimerLoop::~TimerLoop() { Stop(); }

void TimerLoop::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  stop_ = false;
  for (int i = 0; i < threads_; ++i) {
    TimerShard shard{static_cast<unsigned>(i), static_cast<unsigned>(threads_)};
    workers_.emplace_back([this, shard] { Run(shard); });
  }
}

void TimerLoop::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : workers_) t.join();
  workers_.clear();
}

void TimerLoop::Wake(Instant due) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (due >= wait_until_) return;
    wait_until_ = due;
    ++wake_generation_;
  }
  cv_.notify_all();
}

void TimerLoop::Run(TimerShard shard) {
  Instant next_sweep = clock_.Now();
  for (;;) {
    // Retention: the first thread deletes expired idempotency records hourly.
    if (shard.index == 0 && clock_.Now() >= next_sweep) {
      next_sweep = clock_.Now() + std::chrono::hours(1);
      auto expired = runtime_.ExpireRequests();
      if (!expired.ok()) {
        std::fprintf(stderr, "shouhud: expiring idempotency records failed: %s\n",
                     expired.status().ToString().c_str());
      } else if (*expired > 0) {
        std::fprintf(stderr, "shouhud: expired %zu idempotency record(s)\n", *expired);
      }
    }
    auto fired = runtime_.FireDueTimers(shard);
    auto wait = kMaxWait;
    if (fired.ok()) {
      fired_ += *fired;
      if (*fired > 0) continue;  // more may be due: drain before waiting
      Instant now = clock_.Now();
      if (auto next = runtime_.NextDue(shard)) {
        wait = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(
                              *next - now),
                          std::chrono::milliseconds(0), kMaxWait);
      }
    } else {
      ++errors_;
      std::fprintf(stderr, "shouhud: firing timers failed: %s\n",
                   fired.status().ToString().c_str());
      wait = kErrorBackoff;
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (stop_) return;
    if (wait.count() == 0) continue;
    wait_until_ = clock_.Now() + wait;
    uint64_t generation = wake_generation_;
    cv_.wait_for(lock, wait, [&] { return stop_ || wake_generation_ != generation; });
    if (stop_) return;
  }
}

}  // namespace shouhu
