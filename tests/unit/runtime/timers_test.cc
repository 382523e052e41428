// Deadline timers and escalation chains on the fake clock: arming on entry,
// firing once when due, escalation steps in order, cancelling on exit, and
// many timers due at once.
#include <string>
#include <thread>
#include <vector>

#include "runtime_fixture.h"

namespace shouhu::runtime_test {
namespace {

class TimersTest : public RuntimeTest {
 protected:
  int Count(const std::string& id, const std::string& kind) {
    int n = 0;
    for (const HistoryEntry& h : History(id)) n += h.kind == kind;
    return n;
  }
};

TEST_F(TimersTest, AcceptanceSlaEscalatesStepByStep) {
  // A window wide enough that NextDue sees a timer two hours out.
  options_.timer_window = std::chrono::hours(12);
  StartRuntime();
  Instant t0 = clock_.Now();
  std::string id = OpenReport();

  auto timers = Case(id).timers;
  ASSERT_EQ(timers.size(), 1u);
  EXPECT_EQ(timers[0].name, "acceptance_sla");
  EXPECT_EQ(timers[0].due, t0 + 2h);
  EXPECT_EQ(timers[0].chain, "");
  EXPECT_EQ(rt_->NextDue(), t0 + 2h);

  // Not yet due.
  clock_.Set(t0 + 2h - 1ms);
  EXPECT_EQ(Fire(), 0u);
  EXPECT_EQ(History(id).size(), 1u);
  EXPECT_FALSE(Case(id).overdue);

  // Due: the deadline fires once and starts the chain; step 0 runs at once.
  clock_.Set(t0 + 2h);
  size_t outbox_before = Outbox().size();
  EXPECT_EQ(Fire(), 1u);
  auto history = History(id);
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[1].kind, "timer");
  EXPECT_EQ(history[1].name, "acceptance_sla");
  EXPECT_EQ(history[1].actor, "system");
  EXPECT_EQ(history[1].at, t0 + 2h);
  EXPECT_EQ(history[2].kind, "escalation");
  EXPECT_EQ(history[2].name, "police_acceptance_overdue");
  EXPECT_EQ(history[2].actor, "system");
  EXPECT_EQ(history[2].data["step"], 0);
  EXPECT_EQ(history[2].data["to"], (json{{"kind", "owner"}}));
  auto outbox = Outbox();
  ASSERT_EQ(outbox.size(), outbox_before + 1);
  EXPECT_EQ(outbox.back().template_id, "overdue");
  EXPECT_EQ(RecipientsJson(outbox.back().recipients), json::parse(R"([{"kind":"owner"}])"));
  EXPECT_EQ(outbox.back().channels, std::vector<std::string>{"sms"});
  EXPECT_EQ(outbox.back().case_seq, 3u);

  CaseRecord c = Case(id);
  EXPECT_TRUE(c.overdue);
  EXPECT_EQ(c.priority, Priority::kNormal);
  EXPECT_EQ(c.state, "reported");
  EXPECT_EQ(Ids(rt_->ListOverdue({})), std::vector<std::string>{id});
  ASSERT_EQ(c.timers.size(), 1u);
  EXPECT_EQ(c.timers[0].name, "police_acceptance_overdue#1");
  EXPECT_EQ(c.timers[0].chain, "police_acceptance_overdue");
  EXPECT_EQ(c.timers[0].step, 1);
  EXPECT_EQ(c.timers[0].chain_started, t0 + 2h);
  EXPECT_EQ(c.timers[0].due, t0 + 3h);
  EXPECT_EQ(rt_->NextDue(), t0 + 3h);

  // Firing again fires nothing more.
  EXPECT_EQ(Fire(), 0u);
  EXPECT_EQ(History(id).size(), 3u);

  // Step 1 at +3h raises the priority and tells the supervisor a level up.
  clock_.Set(t0 + 3h);
  EXPECT_EQ(Fire(), 1u);
  c = Case(id);
  EXPECT_EQ(c.priority, Priority::kHigh);
  EXPECT_EQ(History(id).back().data["step"], 1);
  EXPECT_EQ(History(id).back().data["priority"], "high");
  EXPECT_EQ(RecipientsJson(Outbox().back().recipients),
            json::parse(R"([{"kind":"role","role":"police_supervisor","up":1}])"));
  EXPECT_EQ(Outbox().back().channels, (std::vector<std::string>{"sms", "email"}));
  ASSERT_EQ(c.timers.size(), 1u);
  EXPECT_EQ(c.timers[0].due, t0 + 6h);

  // Step 2 at +6h (chain start + 4h): urgent, county level; the chain ends.
  clock_.Set(t0 + 6h - 1ms);
  EXPECT_EQ(Fire(), 0u);
  clock_.Set(t0 + 6h);
  EXPECT_EQ(Fire(), 1u);
  c = Case(id);
  EXPECT_EQ(c.priority, Priority::kUrgent);
  EXPECT_EQ(RecipientsJson(Outbox().back().recipients),
            json::parse(R"([{"kind":"role","role":"county_supervisor","up":2}])"));
  EXPECT_TRUE(c.timers.empty());
  EXPECT_EQ(rt_->NextDue(), std::nullopt);

  clock_.Advance(std::chrono::days(30));
  EXPECT_EQ(Fire(), 0u);
  EXPECT_EQ(Count(id, "escalation"), 3);
  EXPECT_EQ(Count(id, "timer"), 1);
}

TEST_F(TimersTest, MissedStepsOfAChainRunInOrderWhenFiredLate) {
  Instant t0 = clock_.Now();
  std::string id = OpenReport();
  clock_.Set(t0 + 2h);
  EXPECT_EQ(Fire(), 1u);
  // Nobody fired timers for a long while: step 1 (+3h) and step 2 (+6h)
  // are both past; the one armed timer fires and runs both, in order.
  clock_.Set(t0 + 10h);
  EXPECT_EQ(Fire(), 1u);
  auto history = History(id);
  ASSERT_EQ(history.size(), 5u);
  EXPECT_EQ(history[3].data["step"], 1);
  EXPECT_EQ(history[4].data["step"], 2);
  EXPECT_EQ(Case(id).priority, Priority::kUrgent);
  EXPECT_TRUE(Case(id).timers.empty());
}

TEST_F(TimersTest, LeavingTheStateCancelsItsTimersAndEscalationAndClearsOverdue) {
  Instant t0 = clock_.Now();
  std::string id = OpenReport();
  clock_.Set(t0 + 2h);
  ASSERT_EQ(Fire(), 1u);
  ASSERT_TRUE(Case(id).overdue);
  ASSERT_TRUE(Timer(id, "police_acceptance_overdue#1"));

  clock_.Set(t0 + 2h + 30min);
  ToPoliceIntake(id);
  CaseRecord c = Case(id);
  EXPECT_FALSE(c.overdue);
  EXPECT_TRUE(Ids(rt_->ListOverdue({})).empty());
  ASSERT_EQ(c.timers.size(), 1u) << "only the new state's timers";
  EXPECT_EQ(c.timers[0].name, "response_sla");
  EXPECT_EQ(c.timers[0].due, t0 + 2h + 30min + 24h);

  // Far past every step of the cancelled chain, before the new deadline.
  size_t history = History(id).size();
  clock_.Set(t0 + 2h + 30min + 24h - 1ms);
  EXPECT_EQ(Fire(), 0u);
  EXPECT_EQ(History(id).size(), history);
  EXPECT_EQ(Case(id).priority, Priority::kNormal);

  // The new state's deadline still fires.
  clock_.Advance(1ms);
  EXPECT_EQ(Fire(), 1u);
  EXPECT_EQ(History(id).back().name, "police_response_overdue");
}

TEST_F(TimersTest, ADeadlineCancelledBeforeItIsDueNeverFires) {
  Instant t0 = clock_.Now();
  std::string id = OpenReport();
  clock_.Set(t0 + 1h);
  MustFire(id, "transfer", Officer(), {{"transfer_to", "county court"}});
  EXPECT_TRUE(Case(id).timers.empty());
  clock_.Set(t0 + std::chrono::days(365));
  EXPECT_EQ(Fire(), 0u);
  EXPECT_EQ(Count(id, "timer"), 0);
  EXPECT_EQ(Count(id, "escalation"), 0);
  EXPECT_EQ(rt_->NextDue(), std::nullopt);
}

TEST_F(TimersTest, SeveralTimersOfOneCaseDueAtOnceFireInDueOrder) {
  std::string id = OpenReport();
  ToMonitoring(id);
  Instant entered = Case(id).state_entered_at;
  ASSERT_TRUE(Timer(id, "monthly_visit"));
  ASSERT_TRUE(Timer(id, "six_month_review"));
  Instant visit_due = Timer(id, "monthly_visit")->due;
  Instant review_due = Timer(id, "six_month_review")->due;
  ASSERT_LT(visit_due, review_due);

  // Seven months later both are due; one call fires both, oldest first. The
  // visit's chain counts from the visit's due time, so both of its steps
  // (at once, +7d) are past and run. The review moves the case on, which
  // cancels the re-armed visit timer.
  clock_.Set(entered + std::chrono::days(215));
  size_t before = History(id).size();
  EXPECT_EQ(Fire(), 2u);
  auto history = History(id);
  std::vector<std::string> kinds;
  for (size_t i = before; i < history.size(); ++i) {
    kinds.push_back(history[i].kind + ":" + history[i].name);
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"timer:monthly_visit", "escalation:visit_overdue",
                                             "escalation:visit_overdue",
                                             "timer:six_month_review", "event:review_due"}));
  EXPECT_EQ(history[before].data["due"], FormatInstant(visit_due));
  EXPECT_EQ(history[before + 3].data["due"], FormatInstant(review_due));
  CaseRecord c = Case(id);
  EXPECT_EQ(c.state, "assessment");
  EXPECT_FALSE(c.overdue);
  EXPECT_EQ(TimerNames(id), std::vector<std::string>{"assessment_sla"});
  EXPECT_EQ(Fire(), 0u);
}

TEST_F(TimersTest, AThousandCasesDueAtTheSameInstantFireInOneCall) {
  constexpr int kCases = 1000;
  store_options_.sync = false;  // this test is about timers, not fsync
  options_.timer_batch = 1024;
  Reopen();
  std::vector<std::string> ids(kCases);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < kCases; i += 2) {
        auto r = rt_->Open({"bulk-" + std::to_string(i), Reporter(), "mandatory_report",
                            "", Report()});
        EXPECT_TRUE(r.ok()) << r.status().ToString();
        if (r.ok()) ids[i] = r->case_id;
      }
    });
  }
  for (std::thread& t : threads) t.join();

  clock_.Advance(2h);
  uint64_t commits = store_->Stats().commits;
  EXPECT_EQ(Fire(), size_t{kCases});
  EXPECT_EQ(store_->Stats().commits, commits + 1)
      << "1000 <= timer_batch: one atomic commit";
  EXPECT_EQ(Fire(), 0u);

  size_t overdue = 0;
  Page page{"", 300};
  for (;;) {
    auto list = rt_->ListOverdue(page);
    ASSERT_TRUE(list.ok());
    overdue += list->cases.size();
    if (list->next.empty()) break;
    page.after = list->next;
  }
  EXPECT_EQ(overdue, size_t{kCases});
  for (const std::string& id : {ids.front(), ids[kCases / 2], ids.back()}) {
    EXPECT_EQ(Count(id, "escalation"), 1) << id;
  }
}

// The daemon's timer threads each fire one shard of the cases: together the
// shards fire every due timer exactly once, each shard only its own cases,
// and each shard's NextDue looks only at its own timers.
TEST_F(TimersTest, ShardsSplitTheDueTimersBetweenThemAndMissNone) {
  constexpr int kCases = 40;
  std::vector<std::string> ids;
  for (int i = 0; i < kCases; ++i) {
    auto r = rt_->Open({"shard-" + std::to_string(i), Reporter(), "mandatory_report", "",
                        Report()});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ids.push_back(r->case_id);
  }
  const TimerShard first{0, 2}, second{1, 2};
  clock_.Advance(2h);
  ASSERT_TRUE(rt_->NextDue(first).has_value());
  ASSERT_TRUE(rt_->NextDue(second).has_value());
  auto a = rt_->FireDueTimers(first);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  // Only the first shard's cases have fired so far, and some of each shard's.
  int escalated = 0;
  for (const std::string& id : ids) escalated += Count(id, "escalation");
  EXPECT_EQ(static_cast<size_t>(escalated), *a);
  EXPECT_GT(*a, 0u);
  EXPECT_LT(*a, size_t{kCases});
  auto again = rt_->FireDueTimers(first);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u) << "a shard never fires another shard's timers";
  EXPECT_EQ(rt_->NextDue(first), std::nullopt) << "its next steps are a day out";
  EXPECT_LE(rt_->NextDue(second), clock_.Now()) << "the other shard's are due";

  auto b = rt_->FireDueTimers(second);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(*a + *b, size_t{kCases});
  for (const std::string& id : ids) EXPECT_EQ(Count(id, "escalation"), 1) << id;
  EXPECT_EQ(Fire(), 0u);
}

}  // namespace
}  // namespace shouhu::runtime_test
