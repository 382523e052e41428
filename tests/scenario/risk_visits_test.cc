// After the assessment, visits by risk level (issue 14, item 9): the first
// visit is due in the `first_visit` service level's working days for the
// assessed risk (high 2, medium 5, low 10 in the sample), counted from the
// assessment across the assistance planning, the assistance and monitoring,
// until a visit is logged; then visits follow the level's cadence, counted
// from the last visit. A new assessment starts a new first visit.
#include "scenario/scenario.h"

namespace shouhu::scenario {
namespace {

using namespace std::chrono_literals;

const char* kTeacher = "u0021";      // 城关镇中心小学 班主任
const char* kOfficer = "u0008";      // 城关派出所民警
const char* kCaseWorker = "u0011";   // 城关镇儿童督导员
const char* kTownshipHead = "u0012";
const char* kDirector = "u0013";     // 城关新社区儿童主任

std::string Now(Scenario& s) { return FormatInstant(s.Now()); }

const json kVisit = {{"visit_kind", "home_visit"},
                     {"checklist", {"health", "mood", "study", "peers", "family"}}};

json Visit(Scenario& s) {
  json v = kVisit;
  v["visited_at"] = Now(s);
  return v;
}

// A report about a child of 城关新社区, brought to the assessment.
std::string AtAssessment(Scenario& s, const std::string& name) {
  std::string id = s.Open(kTeacher, "mandatory_report",
                          {{"child_name", name},
                           {"child_unit", "chengguan-c01"},
                           {"category", "guardian_neglect"},
                           {"reporter_kind", "mandated"},
                           {"reporter_category", "school"},
                           {"discovered_at", "2026-03-02T08:00:00+08:00"}});
  s.Fire(id, kOfficer, "accept", {{"intake_kind", "administrative"}, {"accepted_at", Now(s)}});
  s.Fire(id, kOfficer, "respond", {{"responded_at", Now(s)}});
  s.Fire(id, kOfficer, "arrange_guardian", {{"guardian_arrangement", "relative_entrusted"}});
  EXPECT_EQ(s.Fire(id, kOfficer, "notify_township", {{"township_notified_at", Now(s)}}),
            "assessment");
  s.Fire(id, kOfficer, "send_feedback",
         {{"feedback_sent_at", Now(s)}, {"feedback_summary", "已受案"}});
  return id;
}

void Assess(Scenario& s, const std::string& id, const std::string& risk, bool plan = true) {
  EXPECT_EQ(s.Fire(id, kCaseWorker, "assess",
                   {{"safety_situation", "安全"}, {"guardianship_situation", "亲属监护"},
                    {"health_situation", "良好"}, {"risk_level", risk},
                    {"co_assessors", {"civil_affairs", "police"}}, {"assessed_at", Now(s)}}),
            "assistance_planning");
  if (!plan) return;
  EXPECT_EQ(s.Fire(id, kCaseWorker, "plan_assistance",
                   {{"services", {"guardianship_guidance"}}, {"service_provider", "镇社工站"},
                    {"services_due_at", FormatInstant(s.Now() + std::chrono::days(60))},
                    {"social_assistance", "not_eligible"}}),
            "assistance");
}

std::vector<OutboxEntry> FirstVisitsOverdue(Scenario& s) {
  std::vector<OutboxEntry> late;
  for (OutboxEntry& e : s.TakeOutbox()) {
    if (e.template_id == "first_visit_overdue") late.push_back(std::move(e));
  }
  return late;
}

SCENARIO(RiskVisits, FirstVisitDueByRiskInWorkingDays) {
  std::string high = AtAssessment(s, "韩小高");
  std::string medium = AtAssessment(s, "韩小中");
  std::string low = AtAssessment(s, "韩小低");
  // Thursday 2 April 2026, 10:00, before Qingming (4-6 April).
  s.AdvanceTo(At("2026-04-02T10:00:00+08:00"));
  s.TakeOutbox();
  Assess(s, high, "high");
  Assess(s, medium, "medium");
  Assess(s, low, "low");
  EXPECT_EQ(s.TimerDue(high, "first_visit"), At("2026-04-07T10:00:00+08:00"));
  EXPECT_EQ(s.TimerDue(medium, "first_visit"), At("2026-04-10T10:00:00+08:00"));
  EXPECT_EQ(s.TimerDue(low, "first_visit"), At("2026-04-17T10:00:00+08:00"));
  EXPECT_FALSE(s.TimerDue(high, "visit").has_value());  // no cadence before monitoring

  // High: nobody visits; at its due time the step's owner is told (the
  // township case worker holds the assistance), then the township head.
  s.AdvanceTo(At("2026-04-07T09:59:00+08:00"));
  EXPECT_TRUE(FirstVisitsOverdue(s).empty());
  s.AdvanceTo(At("2026-04-07T10:00:00+08:00"));
  auto late = FirstVisitsOverdue(s);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].case_id, high);
  s.ExpectNotice(late, "first_visit_overdue", {kCaseWorker}, {"sms"});
  s.Advance(24h);
  s.ExpectNotice(FirstVisitsOverdue(s), "first_visit_overdue", {kTownshipHead}, {"sms"});
  // The visit ends the escalation.
  EXPECT_EQ(s.Fire(high, kDirector, "log_visit_during_assistance", Visit(s)), "assistance");
  EXPECT_FALSE(s.TimerDue(high, "first_visit_overdue#2").has_value());

  // Medium: the director visits on day 3, nothing escalates.
  EXPECT_EQ(s.Fire(medium, kDirector, "log_visit_during_assistance", Visit(s)), "assistance");
  Instant medium_visited = s.Now();
  EXPECT_FALSE(s.TimerDue(medium, "first_visit").has_value());

  // Low: the services are delivered before any visit; the first visit's
  // deadline carries into monitoring and reaches the child director there.
  EXPECT_EQ(s.Fire(low, kCaseWorker, "record_delivery",
                   {{"delivery_record", "监护指导"}, {"delivered_at", Now(s)}}),
            "monitoring_low");
  EXPECT_EQ(s.TimerDue(low, "first_visit"), At("2026-04-17T10:00:00+08:00"));
  s.AdvanceTo(At("2026-04-17T10:00:00+08:00"));
  late = FirstVisitsOverdue(s);
  ASSERT_EQ(late.size(), 1u);
  s.ExpectNotice(late, "first_visit_overdue", {kDirector}, {"sms"});

  // Medium, delivered: visits every two weeks counted from the last visit.
  EXPECT_EQ(s.Fire(medium, kCaseWorker, "record_delivery",
                   {{"delivery_record", "监护指导"}, {"delivered_at", Now(s)}}),
            "monitoring_medium");
  EXPECT_EQ(s.TimerDue(medium, "visit"), medium_visited + std::chrono::days(14));
  EXPECT_FALSE(s.TimerDue(medium, "first_visit").has_value());
}

// A new assessment starts a new first visit, by the new risk level.
SCENARIO(RiskVisits, ReassessmentStartsANewFirstVisit) {
  std::string id = AtAssessment(s, "韩小再");
  Assess(s, id, "low");
  EXPECT_EQ(s.Fire(id, kDirector, "log_visit_during_assistance", Visit(s)), "assistance");
  EXPECT_EQ(s.Fire(id, kCaseWorker, "record_delivery",
                   {{"delivery_record", "监护指导"}, {"delivered_at", Now(s)}}),
            "monitoring_low");
  s.Advance(std::chrono::days(3));
  EXPECT_EQ(s.Fire(id, kCaseWorker, "reassess", {{"reassessment_reason", "母亲外出"}}),
            "assessment");
  EXPECT_TRUE(s.Case(id).data.contains("visited_at"));
  Assess(s, id, "high", /*plan=*/false);
  EXPECT_FALSE(s.Case(id).data.contains("visited_at"));  // the assessment cleared it
  ASSERT_TRUE(s.TimerDue(id, "first_visit").has_value());
  EXPECT_LE(*s.TimerDue(id, "first_visit"), s.Now() + std::chrono::days(4));
  // Visited while the assistance is still being planned.
  EXPECT_EQ(s.Fire(id, kDirector, "log_visit_during_assistance", Visit(s)),
            "assistance_planning");
  EXPECT_FALSE(s.TimerDue(id, "first_visit").has_value());
}

}  // namespace
}  // namespace shouhu::scenario
