// A seeded random walk of commands, clock jumps, injected commit failures and
// restarts on mandatory_report. After every step the store must agree with
// itself: the due-time index is exactly the cases' armed timers, the list
// indexes exactly their state, unit, owner and overdue flag, history is
// gap-free, and no timer is left due after FireDueTimers.
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "runtime/codec.h"
#include "runtime/report_facts.h"
#include "runtime_fixture.h"

namespace shouhu::runtime_test {
namespace {

class ConsistencyTest : public RuntimeTest, public ::testing::WithParamInterface<int> {
 protected:
  void CheckStore() {
    auto all = Dump();
    const Workflow& w = *catalog_.Newest("mandatory_report");
    std::set<std::string> want_index, have_index, want_timers, have_timers;
    for (const auto& [key, value] : all) {
      // The reports' rows of measured obligations are not told by the
      // record alone; the other report rows are.
      bool measured = key.starts_with(report_facts::kArea) &&
                      key.find(std::string("\0m\0", 3)) != std::string::npos;
      if (key.starts_with("i/") && !measured) have_index.insert(key);
      if (key.starts_with(codec::kTimerPrefix)) have_timers.insert(key);
      if (!key.starts_with(codec::kCasePrefix)) continue;
      auto c = codec::DecodeCase(value);
      ASSERT_TRUE(c.ok()) << c.status().ToString();
      SCOPED_TRACE(c->id + " in " + c->state);
      want_index.insert(codec::ByStateKey(c->workflow_id, c->state, c->id));
      want_index.insert(codec::ByUnitKey(c->unit, c->id));
      if (!c->owner.empty()) want_index.insert(codec::ByOwnerKey(c->owner, c->id));
      if (c->overdue) want_index.insert(codec::OverdueKey(c->id));
      const Calendar* cal = catalog_.FindCalendar(w.calendar_id);
      if (std::string open = report_facts::OpenKey(w, *c); !open.empty()) want_index.insert(open);
      want_index.insert(report_facts::OpenedKey(w, *c, c->opened_at, cal));
      if (report_facts::IsTerminal(w, c->state)) {
        for (const std::string& k : report_facts::ClosedKeys(w, *c, c->state_entered_at, cal)) {
          want_index.insert(k);
        }
      }
      want_index.insert(codec::ByReporterKey(c->reporter, c->id));
      for (const std::string& r : c->joined_reporters) {
        want_index.insert(codec::ByReporterKey(r, c->id));
      }
      const StateDef* s = w.FindState(c->state);
      ASSERT_NE(s, nullptr);
      if (s->terminal) {
        EXPECT_TRUE(c->timers.empty());
      }
      for (const ArmedTimer& t : c->timers) {
        want_timers.insert(codec::TimerKey(t.due, c->id, t.name));
        if (t.chain.empty()) {
          bool of_state = false;
          for (const TimerDef& d : s->timers) of_state |= d.id == t.name;
          EXPECT_TRUE(of_state) << t.name << " is not a timer of " << c->state;
        } else {
          EXPECT_NE(w.FindEscalation(t.chain), nullptr) << t.chain;
        }
      }
      // Every seq is held by the record under its key, or by the firing
      // record under an earlier seq's key that holds it too, and no more.
      uint64_t covered = 0;
      for (uint64_t seq = 1; seq <= c->last_seq; ++seq) {
        auto it = all.find(codec::HistoryKey(c->id, seq));
        if (it == all.end()) {
          EXPECT_LE(seq, covered) << "history gap at " << seq;
          continue;
        }
        EXPECT_GT(seq, covered) << "seq " << seq << " held twice";
        auto entries = codec::DecodeHistoryRecord(it->second, c->id);
        ASSERT_TRUE(entries.ok()) << entries.status().ToString();
        ASSERT_FALSE(entries->empty());
        EXPECT_EQ(entries->front().seq, seq);
        covered = entries->back().seq;
      }
      EXPECT_EQ(covered, c->last_seq);
      EXPECT_FALSE(all.count(codec::HistoryKey(c->id, c->last_seq + 1)));
    }
    EXPECT_EQ(have_index, want_index) << "list indexes disagree with the cases";
    EXPECT_EQ(have_timers, want_timers) << "due-time index disagrees with the cases";
  }

  // Nothing is left due once FireDueTimers has returned.
  void CheckNothingDue() {
    std::string bound = codec::TimerKeyLowerBound(clock_.Now() + 1ms);
    Status s = store_->Scan(codec::kTimerPrefix, "", [&](std::string_view k, std::string_view) {
      if (std::string(k) >= bound) return false;
      ADD_FAILURE() << "still due after FireDueTimers: " << Printable(k);
      return true;
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
  }

  json DataFor(const std::string& event, std::mt19937& rng) {
    auto pick = [&](std::vector<json> options) {
      return options[std::uniform_int_distribution<size_t>(0, options.size() - 1)(rng)];
    };
    if (event == "accept") return {{"case_kind", pick({"administrative", "criminal"})}};
    if (event == "transfer") return {{"transfer_to", "county court"}};
    if (event == "found") return {{"found_at", "2026-03-02T12:00:00+08:00"}};
    if (event == "notify_township") {
      return {{"township_notified_at", "2026-03-02T12:00:00+08:00"}};
    }
    if (event == "assess") {
      return {{"risk_level", pick({"high", "medium", "low"})},
              {"child_safe", pick({true, false})},
              {"co_assessors", pick({json::array({"police"}), json::array()})}};
    }
    if (event == "log_visit") {
      return {{"visit_kind", "home_visit"},
              {"visited_at", "2026-03-05T10:00:00+08:00"},
              {"checklist", pick({json::array({"health"}), json::array({"mood"})})}};
    }
    if (event == "close") return {{"closure_reason", "safe"}};
    return json::object();
  }
};

TEST_P(ConsistencyTest, RandomWalkKeepsTheStoreConsistent) {
  store_options_.sync = false;
  options_.timer_window = std::chrono::minutes(30);
  options_.max_timers_in_memory = 8;
  options_.timer_batch = 5;
  Reopen();
  std::mt19937 rng(GetParam());
  auto roll = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  const Workflow& w = *catalog_.Newest("mandatory_report");
  const std::vector<Actor> actors = {Reporter(), Officer(), PoliceSupervisor(), CaseWorker(),
                                     Director(), TownshipSupervisor()};
  std::vector<std::string> ids;
  std::map<std::string, int> seen;  // outcomes, so the walk cannot go stale

  for (int step = 0; step < 400; ++step) {
    SCOPED_TRACE("step " + std::to_string(step));
    bool fail = roll(20) == 0;
    if (fail) store_->FailNextCommits(1);
    Snapshot before = Snap();
    Status s;
    int action = ids.empty() ? 0 : roll(10);
    if (action == 0) {
      json data = Report(roll(3) == 0 ? "missing" : "living_alone");
      if (roll(2)) data["child_age"] = roll(20);
      s = rt_->Open({NextRequestId(), Reporter(), "mandatory_report",
                     roll(2) ? "village-3" : "school-9", data})
              .status();
    } else if (action <= 4) {
      const std::string& id = ids[roll(ids.size())];
      auto events = w.EventsFrom(Case(id).state);
      if (events.empty()) {
        store_->FailNextCommits(0);
        continue;
      }
      const EventDef* e = events[roll(events.size())];
      s = rt_->Fire(MakeFire(NextRequestId(), actors[roll(actors.size())], id, e->id,
                             DataFor(e->id, rng)))
              .status();
    } else if (action == 5) {
      s = rt_->Note({NextRequestId(), actors[roll(actors.size())], ids[roll(ids.size())],
                     "note"})
              .status();
    } else if (action == 6) {
      const Actor& a = actors[roll(actors.size())];
      s = rt_->Assign({NextRequestId(), a, ids[roll(ids.size())], roll(4) ? a.user : ""})
              .status();
    } else if (action <= 8 || roll(3) != 0) {
      const std::chrono::milliseconds jumps[] = {1min, 1h, 5h, std::chrono::days(1),
                                                 std::chrono::days(9),
                                                 std::chrono::days(40)};
      clock_.Advance(jumps[roll(6)]);
      auto fired = rt_->FireDueTimers();
      s = fired.status();
      if (fired.ok()) {
        seen["timers fired"] += *fired;
        CheckNothingDue();
      }
    } else {
      store_->FailNextCommits(0);
      fail = false;
      Reopen();
      ++seen["restarts"];
    }
    if (fail) {
      store_->FailNextCommits(0);
    }
    ++seen[s.ok() ? "accepted" : std::string(StatusCodeName(s.code()))];
    if (!s.ok()) {
      // Refused or failed: nothing at all was written.
      ExpectNothingWritten(before);
      if (s.code() == StatusCode::kUnavailable) {
        EXPECT_TRUE(fail) << s.ToString();
      }
    }
    if (action == 0 && s.ok()) {
      ids = Ids(rt_->ListByUnit("village-3", {"", 1000}));
      for (const std::string& id : Ids(rt_->ListByUnit("school-9", {"", 1000}))) {
        ids.push_back(id);
      }
    }
    CheckStore();
    if (HasFatalFailure() || HasNonfatalFailure()) break;
  }
  EXPECT_GT(ids.size(), 10u);
  std::string summary;
  for (const auto& [what, n] : seen) summary += what + "=" + std::to_string(n) + " ";
  RecordProperty("outcomes", summary);
  EXPECT_GT(seen["accepted"], 100) << summary;
  EXPECT_GT(seen["timers fired"], 30) << summary;
  EXPECT_GE(seen["Unavailable"], 2) << summary;
  EXPECT_GT(seen["PermissionDenied"], 10) << summary;
  EXPECT_GT(seen["FailedPrecondition"], 5) << summary;
  EXPECT_GT(seen["restarts"], 0) << summary;
}

INSTANTIATE_TEST_SUITE_P(Seeds, ConsistencyTest, ::testing::Values(1, 2, 3, 4));

}  // namespace
}  // namespace shouhu::runtime_test
