// The clock's alarms: a thread waiting on a FakeClock wakes when the clock
// reaches its time or when woken, and AwaitIdle tells when every waiting
// thread has done what a move of the clock asked of it.
#include "shouhu/clock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace shouhu {
namespace {

using namespace std::chrono_literals;

const Instant kT0 = Instant(std::chrono::milliseconds(1'772'413'200'000));  // 2026-03-02T01:00Z

// A thread that waits on `clock` for each of `deadlines` in turn and counts
// the waits that ended because the time came (not a Wake).
class Waiter {
 public:
  Waiter(const Clock& clock, std::vector<Instant> deadlines)
      : alarm_(clock.NewAlarm()), thread_([this, deadlines] {
          for (Instant d : deadlines) {
            if (alarm_->WaitUntil(d)) ++woken_; else ++due_;
          }
        }) {}
  ~Waiter() { Join(); }
  void Join() {
    if (thread_.joinable()) thread_.join();
  }
  Alarm& alarm() { return *alarm_; }
  int due() const { return due_; }
  int woken() const { return woken_; }

 private:
  std::unique_ptr<Alarm> alarm_;
  std::atomic<int> due_{0};
  std::atomic<int> woken_{0};
  std::thread thread_;
};

TEST(FakeClockTest, AWaitEndsWhenTheClockReachesItsTimeAndNotBefore) {
  FakeClock clock(kT0);
  {
    Waiter w(clock, {kT0 + 10s, kT0 + 20s});
    ASSERT_TRUE(clock.AwaitIdle(10s));  // waiting for kT0 + 10 s
    EXPECT_EQ(w.due(), 0);
    clock.Advance(9999ms);
    ASSERT_TRUE(clock.AwaitIdle(10s));
    EXPECT_EQ(w.due(), 0);
    clock.Advance(1ms);
    ASSERT_TRUE(clock.AwaitIdle(10s));  // due, then waiting for kT0 + 20 s
    EXPECT_EQ(w.due(), 1);
    clock.Set(kT0 + 1h);  // past the second time at once
  }
  EXPECT_EQ(clock.alarms(), 0u);
  EXPECT_TRUE(clock.AwaitIdle(1s));
}

TEST(FakeClockTest, AWakeEndsTheWaitAndOneBeforeItEndsTheNext) {
  FakeClock clock(kT0);
  auto w = std::make_unique<Waiter>(clock, std::vector<Instant>{kT0 + 1h, kT0 + 1h});
  ASSERT_TRUE(clock.AwaitIdle(10s));
  w->alarm().Wake();
  ASSERT_TRUE(clock.AwaitIdle(10s));  // woken, and waiting again
  EXPECT_EQ(w->woken(), 1);
  EXPECT_EQ(w->due(), 0);
  w->alarm().Wake();
  w->Join();  // the second wait ended by the Wake, not by the time
  EXPECT_EQ(w->woken(), 2);
  EXPECT_EQ(w->due(), 0);
}

TEST(FakeClockTest, AnAlarmIsBusyUntilItsThreadWaitsAgain) {
  FakeClock clock(kT0);
  auto alarm = clock.NewAlarm();
  EXPECT_EQ(clock.alarms(), 1u);
  EXPECT_EQ(clock.idle(), 0u);
  // Made, but nobody waits on it yet: a thread still at work.
  EXPECT_FALSE(clock.AwaitIdle(20ms));
  std::thread t([&] { alarm->WaitUntil(kT0 + 1s); });
  ASSERT_TRUE(clock.AwaitIdle(10s));
  EXPECT_EQ(clock.idle(), 1u);
  clock.Advance(1s);
  // Due: busy at once, before its thread has even run.
  EXPECT_EQ(clock.idle(), 0u);
  t.join();
  EXPECT_FALSE(clock.AwaitIdle(20ms));
  alarm.reset();
  EXPECT_TRUE(clock.AwaitIdle(1s));
}

TEST(FakeClockTest, SteadyMovesWithTheClockAndStartsAtZero) {
  FakeClock clock(kT0);
  auto start = clock.Steady();
  EXPECT_EQ(start.time_since_epoch().count(), 0);
  clock.Advance(1500ms);
  EXPECT_EQ(clock.Steady() - start, 1500ms);
  EXPECT_TRUE(clock.simulated());
  EXPECT_FALSE(SystemClock().simulated());
}

TEST(SystemClockTest, AWakeEndsARealWaitAtOnce) {
  SystemClock clock;
  auto alarm = clock.NewAlarm();
  alarm->Wake();  // before the wait: the wait returns at once
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(alarm->WaitUntil(clock.Now() + 1h));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 30s);
  EXPECT_FALSE(alarm->WaitUntil(clock.Now() - 1s));  // already due
}

}  // namespace
}  // namespace shouhu
