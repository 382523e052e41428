// Timers counted on the calendar: working-day deadlines over weekends, the
// 2026 National Day holiday and its make-up Saturday; monthly recurring
// timers; and a timer that fires an event as the system.
#include <string>
#include <vector>

#include "runtime_fixture.h"

namespace shouhu::runtime_test {
namespace {

class CalendarTimersTest : public RuntimeTest {
 protected:
  // Opens a case and walks it into "assessment" at `at`.
  std::string AssessmentEnteredAt(Instant at) {
    clock_.Set(at);
    std::string id = OpenReport();
    ToAssessment(id);
    EXPECT_EQ(Case(id).state_entered_at, at);
    return id;
  }
  std::string MonitoringEnteredAt(Instant at) {
    clock_.Set(at);
    std::string id = OpenReport();
    ToMonitoring(id);
    EXPECT_EQ(Case(id).state_entered_at, at);
    return id;
  }
  std::vector<std::string> Fired(const std::string& id, size_t from) {
    std::vector<std::string> out;
    auto history = History(id);
    for (size_t i = from; i < history.size(); ++i) {
      out.push_back(history[i].kind + ":" + history[i].name);
    }
    return out;
  }
};

struct WorkingDayCase {
  const char* what;
  const char* entered;
  const char* due;
};

class AssessmentSlaTest : public CalendarTimersTest,
                          public ::testing::WithParamInterface<WorkingDayCase> {};

TEST_P(AssessmentSlaTest, LandsOnTheFifthWorkingDayAndFiresThere) {
  const WorkingDayCase& p = GetParam();
  std::string id = AssessmentEnteredAt(At(p.entered));
  auto sla = Timer(id, "assessment_sla");
  ASSERT_TRUE(sla);
  EXPECT_EQ(FormatInstant(sla->due), FormatInstant(At(p.due)));

  clock_.Set(At(p.due) - 1ms);
  EXPECT_EQ(Fire(), 0u);
  EXPECT_FALSE(Case(id).overdue);
  clock_.Set(At(p.due));
  EXPECT_EQ(Fire(), 1u);
  EXPECT_TRUE(Case(id).overdue);
  EXPECT_EQ(History(id).back().name, "assessment_overdue");
}

INSTANTIATE_TEST_SUITE_P(
    CnMainland2026, AssessmentSlaTest,
    ::testing::Values(
        // Friday afternoon: Sat and Sun do not count; due the next Friday.
        WorkingDayCase{"friday_over_a_weekend", "2026-03-06T15:30:00+08:00",
                       "2026-03-13T15:30:00+08:00"},
        // Wednesday 30 Sep: 1-7 Oct are holidays, Sat 10 Oct is a make-up
        // working day: Thu 8, Fri 9, Sat 10, Mon 12, Tue 13.
        WorkingDayCase{"over_national_day", "2026-09-30T10:00:00+08:00",
                       "2026-10-13T10:00:00+08:00"},
        // Friday 9 Oct: Sat 10 (make-up) counts, Sun 11 does not.
        WorkingDayCase{"friday_before_the_makeup_saturday", "2026-10-09T10:00:00+08:00",
                       "2026-10-15T10:00:00+08:00"},
        // Sunday 20 Sep is a make-up day too: Sun 20, Mon 21 ... Thu 24.
        WorkingDayCase{"friday_before_a_makeup_sunday", "2026-09-18T16:00:00+08:00",
                       "2026-09-24T16:00:00+08:00"},
        // Armed during the holiday: counting starts 00:00 Thu 8 Oct, so five
        // whole working days (8, 9, 10, 12, 13) end at 00:00 Wed 14 Oct.
        WorkingDayCase{"armed_on_a_holiday", "2026-10-03T15:00:00+08:00",
                       "2026-10-14T00:00:00+08:00"},
        // Local time, not UTC: 07:30 Monday in Beijing is still Sunday in UTC.
        WorkingDayCase{"early_monday_local_time", "2026-03-09T07:30:00+08:00",
                       "2026-03-16T07:30:00+08:00"}),
    [](const auto& info) { return std::string(info.param.what); });

TEST_F(CalendarTimersTest, MonthlyVisitRecursEveryCalendarMonthFromEntry) {
  // Entered on 31 January: the visits fall due at the end of each month,
  // not drifting to the 28th after February.
  std::string id = MonitoringEnteredAt(At("2026-01-31T10:00:00+08:00"));
  const std::vector<const char*> dues = {
      "2026-02-28T10:00:00+08:00", "2026-03-31T10:00:00+08:00",
      "2026-04-30T10:00:00+08:00", "2026-05-31T10:00:00+08:00",
      "2026-06-30T10:00:00+08:00"};
  ASSERT_TRUE(Timer(id, "monthly_visit"));
  for (size_t k = 0; k < dues.size(); ++k) {
    SCOPED_TRACE(dues[k]);
    auto visit = Timer(id, "monthly_visit");
    ASSERT_TRUE(visit);
    EXPECT_EQ(FormatInstant(visit->due), FormatInstant(At(dues[k])));

    clock_.Set(At(dues[k]) - 1ms);
    EXPECT_EQ(Fire(), 0u);
    clock_.Set(At(dues[k]));
    size_t before = History(id).size();
    EXPECT_EQ(Fire(), 1u);
    EXPECT_EQ(Fired(id, before),
              (std::vector<std::string>{"timer:monthly_visit", "escalation:visit_overdue"}));
    EXPECT_EQ(Case(id).state, "monitoring");

    // A week later the chain's second step tells the township supervisor.
    clock_.Set(At(dues[k]) + std::chrono::days(7));
    before = History(id).size();
    EXPECT_EQ(Fire(), 1u);
    EXPECT_EQ(Fired(id, before), std::vector<std::string>{"escalation:visit_overdue"});
    EXPECT_EQ(History(id).back().data["step"], 1);
  }
}

TEST_F(CalendarTimersTest, RecurringTimerFiresOnceAfterAnOutage) {
  std::string id = MonitoringEnteredAt(At("2026-03-02T09:00:00+08:00"));
  // Three and a half months of no firing: the visit fires once, and its next
  // occurrence is the first one after now. Its chain counts from the visit's
  // due time (2 April), so the +7d step to the township supervisor, long
  // past, runs at once too.
  clock_.Set(At("2026-06-16T09:00:00+08:00"));
  size_t before = History(id).size();
  EXPECT_EQ(Fire(), 1u);
  EXPECT_EQ(Fired(id, before),
            (std::vector<std::string>{"timer:monthly_visit", "escalation:visit_overdue",
                                      "escalation:visit_overdue"}));
  ASSERT_TRUE(Timer(id, "monthly_visit"));
  EXPECT_EQ(FormatInstant(Timer(id, "monthly_visit")->due),
            FormatInstant(At("2026-07-02T09:00:00+08:00")));
}

TEST_F(CalendarTimersTest, LoggingAVisitReentersTheStateAndRestartsItsTimers) {
  std::string id = MonitoringEnteredAt(At("2026-03-02T09:00:00+08:00"));
  clock_.Set(At("2026-04-02T09:00:00+08:00"));
  ASSERT_EQ(Fire(), 1u);
  ASSERT_TRUE(Case(id).overdue);
  ASSERT_TRUE(Timer(id, "visit_overdue#1"));

  clock_.Set(At("2026-04-05T14:00:00+08:00"));
  MustFire(id, "log_visit", Director(),
           {{"visit_kind", "home_visit"},
            {"visited_at", "2026-04-05T11:00:00+08:00"},
            {"checklist", {"health", "mood"}}});
  CaseRecord c = Case(id);
  EXPECT_EQ(c.state, "monitoring");
  EXPECT_EQ(c.state_entered_at, clock_.Now());
  EXPECT_FALSE(c.overdue);
  EXPECT_TRUE(Ids(rt_->ListOverdue({})).empty());
  EXPECT_FALSE(Timer(id, "visit_overdue#1")) << "the visit escalation stops";
  ASSERT_TRUE(Timer(id, "monthly_visit"));
  EXPECT_EQ(FormatInstant(Timer(id, "monthly_visit")->due),
            FormatInstant(At("2026-05-05T14:00:00+08:00")));

  // Nothing fires at the old schedule (the chain's +7d step, 2 May).
  clock_.Set(At("2026-05-05T14:00:00+08:00") - 1ms);
  EXPECT_EQ(Fire(), 0u);
  clock_.Set(At("2026-05-05T14:00:00+08:00"));
  EXPECT_EQ(Fire(), 1u);
}

TEST_F(CalendarTimersTest, SixMonthReviewFiresReviewDueAsTheSystem) {
  std::string id = MonitoringEnteredAt(At("2026-03-02T09:00:00+08:00"));
  ASSERT_TRUE(Timer(id, "six_month_review"));
  EXPECT_EQ(FormatInstant(Timer(id, "six_month_review")->due),
            FormatInstant(At("2026-09-02T09:00:00+08:00")));
  // Month by month, nobody logs a visit: monthly_visit and its escalation
  // keep firing, but the case stays in monitoring until the review. Each
  // visit was due on the 2nd and fires on the 15th, so its chain, counted
  // from the 2nd, runs both steps at once (the +7d step was due on the 9th).
  const std::vector<const char*> days = {"2026-04-15", "2026-05-15", "2026-06-15",
                                         "2026-07-15", "2026-08-15"};
  for (size_t i = 0; i < days.size(); ++i) {
    clock_.Set(At(std::string(days[i]) + "T09:00:00+08:00"));
    size_t before = History(id).size();
    EXPECT_EQ(Fire(), 1u) << days[i];
    EXPECT_EQ(Fired(id, before),
              (std::vector<std::string>{"timer:monthly_visit", "escalation:visit_overdue",
                                        "escalation:visit_overdue"}))
        << days[i];
    EXPECT_EQ(Case(id).state, "monitoring");
  }
  clock_.Set(At("2026-09-02T09:00:00+08:00") - 1ms);
  Fire();
  ASSERT_EQ(Case(id).state, "monitoring");
  clock_.Set(At("2026-09-02T09:00:00+08:00"));
  size_t before = History(id).size();
  Fire();
  auto history = History(id);
  ASSERT_GT(history.size(), before);
  const HistoryEntry& last = history.back();
  EXPECT_EQ(last.kind, "event");
  EXPECT_EQ(last.name, "review_due");
  EXPECT_EQ(last.actor, "system");
  EXPECT_EQ(last.from_state, "monitoring");
  EXPECT_EQ(last.to_state, "assessment");
  EXPECT_EQ(history[history.size() - 2].kind, "timer");
  EXPECT_EQ(history[history.size() - 2].name, "six_month_review");
  EXPECT_EQ(Case(id).state, "assessment");
  EXPECT_EQ(TimerNames(id), std::vector<std::string>{"assessment_sla"});
  EXPECT_EQ(Ids(rt_->ListByState("mandatory_report", "assessment", {})),
            std::vector<std::string>{id});
}

}  // namespace
}  // namespace shouhu::runtime_test
