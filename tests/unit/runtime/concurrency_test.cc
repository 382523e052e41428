// Commands and timer firings racing on the same cases, as the daemon's API
// threads and its two timer threads do: every case ends consistent, and a
// deadline never fires after its state was left.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "runtime_fixture.h"

namespace shouhu::runtime_test {
namespace {

class ConcurrencyTest : public RuntimeTest {};

TEST_F(ConcurrencyTest, AcceptRacingTheAcceptanceDeadline) {
  constexpr int kCases = 200;
  store_options_.sync = false;
  options_.timer_batch = 16;
  Reopen();
  Instant t0 = clock_.Now();
  std::vector<std::string> ids;
  for (int i = 0; i < kCases; ++i) {
    ids.push_back(OpenReport());
    clock_.Advance(1s);
  }

  // Two timer threads fire whatever is due while the clock sweeps through
  // the cases' deadlines; two officers accept every case meanwhile.
  std::atomic<bool> done{false};
  std::atomic<size_t> fired{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      while (!done.load()) {
        auto n = rt_->FireDueTimers();
        EXPECT_TRUE(n.ok()) << n.status().ToString();
        if (n.ok()) fired += *n;
      }
    });
  }
  std::vector<std::thread> officers;
  for (int t = 0; t < 2; ++t) {
    officers.emplace_back([&, t] {
      for (int i = t; i < kCases; i += 2) {
        auto r = rt_->Fire(MakeFire("accept-" + ids[i], Officer(), ids[i], "accept",
                                    {{"case_kind", "criminal"}}));
        EXPECT_TRUE(r.ok()) << r.status().ToString();
      }
    });
  }
  for (int s = 0; s < 400; ++s) {
    clock_.Set(t0 + 2h + std::chrono::seconds(s));
    std::this_thread::yield();
  }
  for (std::thread& t : officers) t.join();
  done = true;
  for (std::thread& t : threads) t.join();
  fired += Fire();

  size_t escalated = 0;
  for (const std::string& id : ids) {
    SCOPED_TRACE(id);
    CaseRecord c = Case(id);
    EXPECT_EQ(c.state, "police_intake");
    EXPECT_FALSE(c.overdue) << "entering police_intake clears overdue";
    ASSERT_EQ(c.timers.size(), 1u);
    EXPECT_EQ(c.timers[0].name, "response_sla");
    bool accepted = false;
    int deadline_fired = 0;
    for (const HistoryEntry& h : History(id)) {
      if (h.kind == "event" && h.name == "accept") accepted = true;
      if (h.kind == "timer" || h.kind == "escalation") {
        EXPECT_FALSE(accepted) << h.kind << " " << h.name << " after the case was accepted";
        EXPECT_EQ(h.from_state, "reported");
        deadline_fired += h.kind == "timer";
      }
    }
    EXPECT_LE(deadline_fired, 1);
    escalated += deadline_fired;
  }
  RecordProperty("escalated_before_accept", std::to_string(escalated));
  EXPECT_EQ(fired.load(), escalated) << "each firing is in exactly one history";
  EXPECT_TRUE(Ids(rt_->ListOverdue({})).empty());
  EXPECT_EQ(Ids(rt_->ListByState("mandatory_report", "police_intake", {"", 1000})).size(),
            size_t{kCases});
}

}  // namespace
}  // namespace shouhu::runtime_test
