// Regression: an escalation chain started late (the daemon was down when its
// timer came due) keeps its steps on the clock of the original due time, so
// an outage does not push every later step back by the outage's length.
#include "runtime_fixture.h"

namespace shouhu::runtime_test {
namespace {

class EscalationOutageTest : public RuntimeTest {};

// mandatory_report: acceptance_sla is due 2 h after the report; its chain
// police_acceptance_overdue tells the owner at once (PT0S), the police
// supervisor after 1 h (raising priority), the county after 4 h.
TEST_F(EscalationOutageTest, LaterStepsAreDueFromTheOriginalDueTime) {
  const Instant t0 = clock_.Now();
  const std::string id = OpenReport();
  const Instant due = t0 + 2h;
  // Down from before the deadline until 1 h 30 min after it.
  clock_.Set(due + 90min);
  EXPECT_EQ(Fire(), 1u);

  std::vector<HistoryEntry> h = History(id);
  ASSERT_EQ(h.size(), 4u);  // opened, timer, step 0, step 1
  EXPECT_EQ(h[1].kind, "timer");
  EXPECT_EQ(h[2].data["step"], 0);
  EXPECT_EQ(h[3].data["step"], 1) << "step 1 was due at +1 h, during the outage";
  EXPECT_EQ(Case(id).priority, Priority::kHigh);
  auto next = Timer(id, "police_acceptance_overdue#2");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->due, due + 4h) << "not 4 h after the late firing";
  EXPECT_EQ(next->chain_started, due);

  clock_.Set(due + 4h - 1ms);
  EXPECT_EQ(Fire(), 0u);
  clock_.Set(due + 4h);
  EXPECT_EQ(Fire(), 1u);
  EXPECT_EQ(Case(id).priority, Priority::kUrgent);
}

TEST_F(EscalationOutageTest, OnTimeFiringIsUnchanged) {
  const Instant t0 = clock_.Now();
  const std::string id = OpenReport();
  clock_.Set(t0 + 2h);
  EXPECT_EQ(Fire(), 1u);
  EXPECT_EQ(History(id).size(), 3u);  // opened, timer, step 0
  auto next = Timer(id, "police_acceptance_overdue#1");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->due, t0 + 3h);
}

}  // namespace
}  // namespace shouhu::runtime_test
