// Restarts: timers that fell due while the daemon was down fire once, oldest
// first; the in-memory window stays small however many timers are pending;
// ids are never reused.
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "runtime_fixture.h"

namespace shouhu::runtime_test {
namespace {

class RecoveryTest : public RuntimeTest {
 protected:
  size_t CountOverdue() {
    size_t n = 0;
    Page page{"", 1000};
    for (;;) {
      auto list = rt_->ListOverdue(page);
      EXPECT_TRUE(list.ok()) << list.status().ToString();
      if (!list.ok()) return n;
      n += list->cases.size();
      if (list->next.empty()) return n;
      page.after = list->next;
    }
  }
  // Opens `n` reports, the clock moving `step` between them.
  std::vector<std::string> OpenMany(int n, std::chrono::milliseconds step) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
      ids.push_back(OpenReport());
      clock_.Advance(step);
    }
    return ids;
  }
  // Opens `n` reports at the same instant from two threads.
  void OpenManyAtOnce(int n) {
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        for (int i = t; i < n; i += 2) {
          auto r = rt_->Open({"bulk-" + std::to_string(i), Reporter(), "mandatory_report",
                              "", Report()});
          EXPECT_TRUE(r.ok()) << r.status().ToString();
        }
      });
    }
    for (std::thread& t : threads) t.join();
  }
};

TEST_F(RecoveryTest, TimersDueDuringAnOutageFireOnceOldestFirst) {
  Instant t0 = clock_.Now();
  // Due order differs from id order: c1's deadline is the latest.
  std::string c1 = OpenReport();
  clock_.Set(t0 + 1min);
  ToPoliceIntake(c1);                  // response_sla at t0 + 24h 1min
  clock_.Set(t0 + 10min);
  std::string c2 = OpenReport();       // acceptance_sla at t0 + 2h 10min
  clock_.Set(t0 + 20min);
  std::string c3 = OpenReport();       // acceptance_sla at t0 + 2h 20min
  uint64_t last_outbox = Outbox().back().id;

  Close();
  clock_.Set(t0 + std::chrono::days(3));
  OpenStore();
  StartRuntime();

  EXPECT_EQ(Fire(), 3u);
  // Each chain counts from its timer's due time, three days ago, so every
  // step of it is past and runs now: 3 steps for an acceptance deadline, 2
  // for a response deadline.
  std::vector<std::string> order;
  for (const OutboxEntry& o : Outbox()) {
    if (o.id > last_outbox) order.push_back(o.case_id);
  }
  EXPECT_EQ(order, (std::vector<std::string>{c2, c2, c2, c3, c3, c3, c1, c1}))
      << "notifications queued in the order the timers fell due";
  for (const std::string& id : {c1, c2, c3}) {
    int timers = 0;
    for (const HistoryEntry& h : History(id)) timers += h.kind == "timer";
    EXPECT_EQ(timers, 1) << id;
    EXPECT_TRUE(Case(id).overdue) << id;
  }

  // Exactly once: not again in this process, nor after another restart.
  EXPECT_EQ(Fire(), 0u);
  size_t h1 = History(c1).size(), h2 = History(c2).size(), h3 = History(c3).size();
  Reopen();
  EXPECT_EQ(Fire(), 0u);
  EXPECT_EQ(History(c1).size(), h1);
  EXPECT_EQ(History(c2).size(), h2);
  EXPECT_EQ(History(c3).size(), h3);
}

TEST_F(RecoveryTest, TimersNotYetDueSurviveARestartAndFireOnTime) {
  Instant t0 = clock_.Now();
  std::string id = OpenReport();
  Reopen();
  clock_.Set(t0 + 2h - 1ms);
  EXPECT_EQ(Fire(), 0u);
  clock_.Set(t0 + 2h);
  EXPECT_EQ(Fire(), 1u);
  Reopen();
  clock_.Set(t0 + 3h);
  EXPECT_EQ(Fire(), 1u) << "the escalation step armed before the restart";
  EXPECT_EQ(Case(id).priority, Priority::kHigh);
}

TEST_F(RecoveryTest, CaseAndOutboxIdsContinueAfterARestart) {
  std::vector<std::string> before = OpenMany(3, 1min);
  std::set<uint64_t> outbox_ids;
  for (const OutboxEntry& o : Outbox()) outbox_ids.insert(o.id);
  ASSERT_EQ(outbox_ids.size(), 3u);

  Reopen();
  std::string next = OpenReport();
  EXPECT_EQ(next, "C0000000004");
  std::set<std::string> ids(before.begin(), before.end());
  EXPECT_TRUE(ids.insert(next).second) << next << " reused";
  EXPECT_EQ(Case(before[0]).reporter, "teacher-li") << "the old case is intact";

  clock_.Advance(2h);  // every acceptance deadline, no second step yet
  EXPECT_EQ(Fire(), 4u);
  auto outbox = Outbox();
  ASSERT_EQ(outbox.size(), 8u);
  uint64_t prev = 0;
  for (const OutboxEntry& o : outbox) {
    EXPECT_GT(o.id, prev) << "outbox ids strictly increase";
    prev = o.id;
    if (o.case_id == next || o.template_id == "overdue") {
      EXPECT_TRUE(outbox_ids.insert(o.id).second) << "outbox id " << o.id << " reused";
    }
  }
  EXPECT_EQ(outbox_ids.size(), 8u);

  // Idempotency keys are unique across the restart too.
  std::set<std::string> keys;
  for (const OutboxEntry& o : outbox) {
    EXPECT_TRUE(keys.insert(o.idempotency_key).second) << o.idempotency_key;
  }
}

TEST_F(RecoveryTest, ManyFutureTimersStayInTheStoreUntilTheirWindow) {
  constexpr int kCases = 5000;
  store_options_.sync = false;  // this test is about the timer window
  options_.timer_window = std::chrono::minutes(1);
  Reopen();
  Instant t0 = clock_.Now();
  OpenMany(kCases, 1s);  // due from t0 + 2h, one a second for 83 minutes

  Reopen();  // a fresh runtime: nothing in memory yet
  EXPECT_EQ(rt_->TimersInMemory(), 0u);
  EXPECT_EQ(Fire(), 0u);
  EXPECT_LT(rt_->TimersInMemory(), 100u);

  // Thirty seconds into the due period: the first 31 fire, and memory holds
  // only about a minute's worth of the rest.
  clock_.Set(t0 + 2h + 30s);
  EXPECT_EQ(Fire(), 31u);
  EXPECT_LE(rt_->TimersInMemory(), 61u);
  EXPECT_EQ(CountOverdue(), 31u);

  // A day later every deadline has fired: the other 4969, plus the 31
  // escalation steps armed an hour after the first firing.
  clock_.Set(t0 + std::chrono::days(1));
  EXPECT_EQ(Fire(), size_t{kCases});
  EXPECT_LT(rt_->TimersInMemory(), 100u);
  EXPECT_EQ(CountOverdue(), size_t{kCases});
  EXPECT_EQ(Fire(), 0u);
}

TEST_F(RecoveryTest, CapOnTimersInMemoryStillFiresEveryDueTimer) {
  constexpr int kCases = 1000;
  store_options_.sync = false;
  options_.max_timers_in_memory = 100;
  Reopen();
  Instant t0 = clock_.Now();
  OpenMany(kCases, 1s);

  Reopen();
  clock_.Set(t0 + 3h);  // all due, spread over 1000 distinct instants
  auto next = rt_->NextDue();
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, t0 + 2h) << "the oldest first";
  EXPECT_GT(rt_->TimersInMemory(), 0u);
  EXPECT_LE(rt_->TimersInMemory(), 100u);

  EXPECT_EQ(Fire(), size_t{kCases});
  EXPECT_LE(rt_->TimersInMemory(), 100u);
  EXPECT_EQ(CountOverdue(), size_t{kCases});
  EXPECT_EQ(Fire(), 0u);
}

TEST_F(RecoveryTest, CapDoesNotSplitTimersDueAtTheSameInstant) {
  constexpr int kCases = 1000;
  store_options_.sync = false;
  options_.max_timers_in_memory = 100;
  Reopen();
  OpenManyAtOnce(kCases);

  Reopen();
  clock_.Advance(2h);
  EXPECT_EQ(Fire(), size_t{kCases});
  EXPECT_EQ(CountOverdue(), size_t{kCases});
  EXPECT_EQ(Fire(), 0u);
}

}  // namespace
}  // namespace shouhu::runtime_test
