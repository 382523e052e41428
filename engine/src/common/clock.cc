#include "shouhu/clock.h"

#include "shouhu/mutex.h"

namespace shouhu {
namespace {

class SystemAlarm : public Alarm {
 public:
  bool WaitUntil(Instant deadline) override {
    MutexLock lock(mu_);
    for (;;) {
      if (woken_) {
        woken_ = false;
        return true;
      }
      auto left = deadline - SystemClock().Now();
      if (left <= std::chrono::milliseconds(0)) return false;
      // The wall clock may be set meanwhile: look again at least each second.
      cv_.wait_for(lock.native(), std::min<std::chrono::milliseconds>(left, std::chrono::seconds(1)));
    }
  }
  void Wake() override {
    MutexLock lock(mu_);
    woken_ = true;
    cv_.notify_one();
  }

 private:
  Mutex mu_;
  std::condition_variable cv_;
  bool woken_ SHOUHU_GUARDED_BY(mu_) = false;
};

}  // namespace

std::unique_ptr<Alarm> SystemClock::NewAlarm() const { return std::make_unique<SystemAlarm>(); }

class FakeClock::FakeAlarm : public Alarm {
 public:
  explicit FakeAlarm(const FakeClock& clock) : clock_(clock) {
    MutexLock lock(clock_.alarms_mu_);
    clock_.alarms_.insert(this);
    clock_.Count(+1, 0);
  }
  ~FakeAlarm() override {
    MutexLock lock(clock_.alarms_mu_);
    MutexLock mine(mu_);
    clock_.alarms_.erase(this);
    clock_.Count(-1, idle_ ? -1 : 0);
  }

  bool WaitUntil(Instant deadline) override {
    MutexLock lock(mu_);
    deadline_ = deadline;
    while (!woken_ && clock_.Now() < deadline_) {
      if (!idle_) {
        idle_ = true;
        clock_.Count(0, +1);
      }
      cv_.wait(lock.native());
    }
    Rouse();
    bool woken = woken_;
    woken_ = false;
    return woken;
  }
  void Wake() override {
    MutexLock lock(mu_);
    woken_ = true;
    Rouse();
    cv_.notify_one();
  }
  // The clock moved (called with the clock's alarms_mu_ held; not
  // annotated: the analysis cannot tell that clock_ is the caller).
  void Ring() {
    MutexLock lock(mu_);
    if (idle_ && clock_.Now() >= deadline_) Rouse();
    cv_.notify_one();
  }

 private:
  // Busy from now until the thread waits again.
  void Rouse() SHOUHU_REQUIRES(mu_) {
    if (!idle_) return;
    idle_ = false;
    clock_.Count(0, -1);
  }

  const FakeClock& clock_;
  Mutex mu_;
  std::condition_variable cv_;
  Instant deadline_ SHOUHU_GUARDED_BY(mu_){};
  bool woken_ SHOUHU_GUARDED_BY(mu_) = false;
  bool idle_ SHOUHU_GUARDED_BY(mu_) = false;
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
  MutexLock lock(alarms_mu_);
  for (FakeAlarm* a : alarms_) a->Ring();
}

void FakeClock::Count(int alive, int idle) const {
  MutexLock lock(idle_mu_);
  alive_ += alive;
  idle_ += idle;
  idle_cv_.notify_all();
}

bool FakeClock::AwaitIdle(std::chrono::milliseconds limit) const {
  MutexLock lock(idle_mu_);
  return idle_cv_.wait_for(lock.native(), limit, [this] {
    idle_mu_.AssertHeld();
    return idle_ == alive_;
  });
}

size_t FakeClock::alarms() const {
  MutexLock lock(idle_mu_);
  return alive_;
}

size_t FakeClock::idle() const {
  MutexLock lock(idle_mu_);
  return idle_;
}

}  // namespace shouhu
