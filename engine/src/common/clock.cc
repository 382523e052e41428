#include "shouhu/clock.h"

namespace shouhu {
namespace {

class SystemAlarm : public Alarm {
 public:
  bool WaitUntil(Instant deadline) override {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      if (woken_) {
        woken_ = false;
        return true;
      }
      auto left = deadline - SystemClock().Now();
      if (left <= std::chrono::milliseconds(0)) return false;
      // The wall clock may be set meanwhile: look again at least each second.
      cv_.wait_for(lock, std::min<std::chrono::milliseconds>(left, std::chrono::seconds(1)));
    }
  }
  void Wake() override {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
    cv_.notify_one();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;
};

}  // namespace

std::unique_ptr<Alarm> SystemClock::NewAlarm() const { return std::make_unique<SystemAlarm>(); }

class FakeClock::FakeAlarm : public Alarm {
 public:
  explicit FakeAlarm(const FakeClock& clock) : clock_(clock) {
    std::lock_guard<std::mutex> lock(clock_.alarms_mu_);
    clock_.alarms_.insert(this);
    clock_.Count(+1, 0);
  }
  ~FakeAlarm() override {
    std::lock_guard<std::mutex> lock(clock_.alarms_mu_);
    std::lock_guard<std::mutex> mine(mu_);
    clock_.alarms_.erase(this);
    clock_.Count(-1, idle_ ? -1 : 0);
  }

  bool WaitUntil(Instant deadline) override {
    std::unique_lock<std::mutex> lock(mu_);
    deadline_ = deadline;
    while (!woken_ && clock_.Now() < deadline_) {
      if (!idle_) {
        idle_ = true;
        clock_.Count(0, +1);
      }
      cv_.wait(lock);
    }
    Rouse();
    bool woken = woken_;
    woken_ = false;
    return woken;
  }
  void Wake() override {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
    Rouse();
    cv_.notify_one();
  }
  // The clock moved (called with the clock's alarms_mu_ held).
  void Ring() {
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_ && clock_.Now() >= deadline_) Rouse();
    cv_.notify_one();
  }

 private:
  // Busy from now until the thread waits again. REQUIRES: mu_ held.
  void Rouse() {
    if (!idle_) return;
    idle_ = false;
    clock_.Count(0, -1);
  }

  const FakeClock& clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  Instant deadline_{};
  bool woken_ = false;
  bool idle_ = false;
};

std::unique_ptr<Alarm> FakeClock::NewAlarm() const { return std::make_unique<FakeAlarm>(*this); }

void FakeClock::Set(Instant at) {
  ms_.store(at.time_since_epoch().count());
  Ring();
}

void FakeClock::Advance(std::chrono::milliseconds d) {
  ms_.fetch_add(d.count());
  Ring();
}

void FakeClock::Ring() {
  std::lock_guard<std::mutex> lock(alarms_mu_);
  for (FakeAlarm* a : alarms_) a->Ring();
}

void FakeClock::Count(int alive, int idle) const {
  std::lock_guard<std::mutex> lock(idle_mu_);
  alive_ += alive;
  idle_ += idle;
  idle_cv_.notify_all();
}

bool FakeClock::AwaitIdle(std::chrono::milliseconds limit) const {
  std::unique_lock<std::mutex> lock(idle_mu_);
  return idle_cv_.wait_for(lock, limit, [this] { return idle_ == alive_; });
}

size_t FakeClock::alarms() const {
  std::lock_guard<std::mutex> lock(idle_mu_);
  return alive_;
}

size_t FakeClock::idle() const {
  std::lock_guard<std::mutex> lock(idle_mu_);
  return idle_;
}

}  // namespace shouhu
