// The daemon's timer threads on simulated time: every shard's thread waits
// on the clock, fires its own cases' timers when they come due (not a
// millisecond before), and a command arming a timer wakes the threads
// waiting for a later time.
#include "shouhu/timer_loop.h"

#include <numeric>

#include "runtime_fixture.h"

namespace shouhu::runtime_test {
namespace {

class TimerLoopTest : public RuntimeTest {
 protected:
  static constexpr int kShards = 4;
  void StartLoop(std::chrono::milliseconds window) {
    options_.timer_window = window;
    options_.on_timer_armed = [this](Instant due) {
      if (loop_) loop_->Wake(due);
    };
    StartRuntime();
    loop_ = std::make_unique<TimerLoop>(*rt_, clock_, kShards);
    loop_->Start();
    ASSERT_TRUE(clock_.AwaitIdle());
  }
  void TearDown() override {
    loop_.reset();
    RuntimeTest::TearDown();
  }
  int Firings(const std::string& id) {
    int n = 0;
    for (const HistoryEntry& h : History(id)) n += h.kind == "timer";
    return n;
  }
  std::unique_ptr<TimerLoop> loop_;
};

TEST_F(TimerLoopTest, EveryShardFiresItsCasesTimersWhenDueAndNotBefore) {
  StartLoop(std::chrono::seconds(60));  // the daemon's window: +2 h is beyond it
  Instant t0 = clock_.Now();
  std::vector<std::string> ids;
  for (int i = 0; i < 48; ++i) ids.push_back(OpenReport());
  ASSERT_TRUE(clock_.AwaitIdle());

  clock_.Set(t0 + 2h - 1ms);  // acceptance_sla is due at +2 h
  ASSERT_TRUE(clock_.AwaitIdle());
  EXPECT_EQ(loop_->fired(), 0u);
  for (const std::string& id : ids) EXPECT_EQ(Firings(id), 0) << id;

  clock_.Advance(1ms);
  ASSERT_TRUE(clock_.AwaitIdle());
  EXPECT_EQ(loop_->fired(), ids.size());
  for (const std::string& id : ids) {
    EXPECT_TRUE(Case(id).overdue) << id;
    EXPECT_EQ(Firings(id), 1) << id;
  }
  // Each thread fired its own shard's cases: all four had some.
  std::vector<uint64_t> by_shard = loop_->fired_by_shard();
  ASSERT_EQ(by_shard.size(), static_cast<size_t>(kShards));
  for (int i = 0; i < kShards; ++i) EXPECT_GT(by_shard[i], 0u) << "shard " << i;
  EXPECT_EQ(std::accumulate(by_shard.begin(), by_shard.end(), uint64_t{0}), ids.size());
  EXPECT_EQ(loop_->errors(), 0u);
}

TEST_F(TimerLoopTest, ATimerArmedWhileTheThreadsWaitFiresOnTheMillisecond) {
  // A window of a day: each thread knows its next timer and waits for it
  // exactly (at most a second at a time).
  StartLoop(std::chrono::hours(24));
  Instant t0 = clock_.Now();
  std::string first = OpenReport();  // due t0 + 2 h
  ASSERT_TRUE(clock_.AwaitIdle());
  // Ninety minutes on, a case opened while the threads wait has its deadline
  // at t0 + 3 h 30 min.
  clock_.Set(t0 + 90min);
  ASSERT_TRUE(clock_.AwaitIdle());
  std::string second = OpenReport();
  ASSERT_TRUE(clock_.AwaitIdle());
  for (std::chrono::milliseconds step : {std::chrono::milliseconds(30min), 90min - 1ms}) {
    // Moved in steps of a second's multiples: each thread's wait ends on its
    // own deadline, never later than the timer it owns.
    clock_.Advance(step);
    ASSERT_TRUE(clock_.AwaitIdle());
  }
  EXPECT_EQ(Firings(first), 1);   // at t0 + 2 h
  EXPECT_EQ(Firings(second), 0);  // 1 ms early
  clock_.Advance(1ms);
  ASSERT_TRUE(clock_.AwaitIdle());
  EXPECT_EQ(Firings(second), 1);
  // The two deadlines, and the first one's escalation step to the station's
  // supervisor an hour after it (t0 + 3 h).
  EXPECT_EQ(loop_->fired(), 3u);
}

TEST_F(TimerLoopTest, StopEndsEveryWaitAndStartResumes) {
  StartLoop(std::chrono::seconds(60));
  Instant t0 = clock_.Now();
  std::string id = OpenReport();
  loop_->Stop();  // returns: every thread's wait was ended
  clock_.Set(t0 + 3h);
  EXPECT_EQ(Firings(id), 0);  // nobody fires while stopped
  loop_->Start();
  ASSERT_TRUE(clock_.AwaitIdle());
  EXPECT_EQ(Firings(id), 1);
}

}  // namespace
}  // namespace shouhu::runtime_test
