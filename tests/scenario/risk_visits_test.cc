// After the assessment, visits by risk level (issue 14, item 9): the first
// visit is due in the `first_visit` service level's working days for the
// assessed risk (high 2, medium 5, low 10 in the sample), counted from the
// assessment across the assistance planning, the assistance and monitoring,
// until a visit is logged; then visits follow the level's cadence, counted
// from the last visit. A new assessment starts a new first visit.
//
// The other obligations that follow an assessment reach their owners (item
// 12): hardship and eligibility found give civil affairs an enrolment task
// with a deadline; a monitoring visit that finds a reportable situation
// starts the duty to report at once, escalated for accountability when no
// report follows.
#include "scenario/scenario.h"

namespace shouhu::scenario {
namespace {

using namespace std::chrono_literals;

const char* kTeacher = "u0021";      // 城关镇中心小学 班主任
const char* kOfficer = "u0008";      // 城关派出所民警
const char* kCaseWorker = "u0011";   // 城关镇儿童督导员
const char* kTownshipHead = "u0012";
const char* kDirector = "u0013";     // 城关新社区儿童主任
const std::vector<std::string> kCivilAffairs = {"u0003", "u0004"};
const std::vector<std::string> kCounty = {"u0001", "u0002"};
const std::vector<std::string> kOfficers = {"u0008", "u0009"};

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
                           {"child_birth_date", "2014-09-01"},
                           {"child_unit", "chengguan-c01"},
                           {"category", "guardian_neglect"},
                           {"reporter_kind", "mandated"},
                           {"reporter_category", "school"},
                           {"discovered_at", "2026-03-02T08:00:00+08:00"}});
  s.Fire(id, kOfficer, "accept", {{"intake_kind", "administrative"}, {"accepted_at", Now(s)}});
  s.Fire(id, kOfficer, "respond", {{"responded_at", Now(s)}});
  NameEntrustedGuardian(s, id, kOfficer);
  s.Fire(id, kOfficer, "arrange_guardian", {{"guardian_arrangement", "relative_entrusted"}});
  EXPECT_EQ(s.Fire(id, kOfficer, "notify_township", {{"township_notified_at", Now(s)}}),
            "assessment");
  s.Fire(id, kOfficer, "send_feedback",
         {{"feedback_sent_at", Now(s)}, {"feedback_summary", "已受案"}});
  return id;
}

void Assess(Scenario& s, const std::string& id, const std::string& risk, bool plan = true,
            const json& findings = json::object()) {
  json assessment = {{"safety_situation", "安全"}, {"guardianship_situation", "亲属监护"},
                     {"health_situation", "良好"}, {"risk_level", risk},
                     {"co_assessors", {"civil_affairs", "police"}}, {"assessed_at", Now(s)}};
  assessment.update(findings);
  EXPECT_EQ(s.Fire(id, kCaseWorker, "assess", assessment), "assistance_planning");
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

const json kHardship = {{"family_hardship", true}, {"assistance_eligible", true}};

json Enrolment(Scenario& s) {
  return {{"assistance_enrolled_at", Now(s)}, {"assistance_kinds", {"subsistence_allowance"}}};
}

// The users the entries with `template_id` reach, together, sorted.
std::vector<std::string> Told(Scenario& s, const std::vector<OutboxEntry>& out,
                              const std::string& template_id) {
  std::set<std::string> users;
  for (const OutboxEntry& e : out) {
    if (e.template_id != template_id) continue;
    for (const std::string& u : s.Recipients(e)) users.insert(u);
  }
  return {users.begin(), users.end()};
}

// Planned, visited, delivered: the case is in monitoring at its risk level.
void ToMonitoring(Scenario& s, const std::string& id, const std::string& risk) {
  EXPECT_EQ(s.Fire(id, kDirector, "log_visit_during_assistance", Visit(s)), "assistance");
  EXPECT_EQ(s.Fire(id, kCaseWorker, "record_delivery",
                   {{"delivery_record", "监护指导"}, {"delivered_at", Now(s)}}),
            "monitoring_" + risk);
  s.Assign(id, kCaseWorker, kDirector);
}

SCENARIO(AfterAssessment, HardshipAndEligibilityGiveCivilAffairsAnEnrolmentTask) {
  // Thursday 2 April 2026, 10:00: ten working days skip Qingming (4-6
  // April) and a weekend, so enrolment is due on Friday 17 April, 10:00.
  std::string late = AtAssessment(s, "曹小困");
  std::string none = AtAssessment(s, "曹小富");
  s.AdvanceTo(At("2026-04-02T10:00:00+08:00"));
  s.TakeOutbox();
  Assess(s, late, "medium", true, kHardship);
  s.ExpectNotice(s.TakeOutbox(), "assistance_enrolment_task", kCivilAffairs, {"sms", "email"});
  EXPECT_EQ(s.TimerDue(late, "assistance_enrolment"), At("2026-04-17T10:00:00+08:00"));
  // Hardship without eligibility is no task for anyone.
  Assess(s, none, "medium", true, {{"family_hardship", true}, {"assistance_eligible", false}});
  EXPECT_TRUE(Told(s, s.TakeOutbox(), "assistance_enrolment_task").empty());
  EXPECT_FALSE(s.TimerDue(none, "assistance_enrolment").has_value());
  s.Refused(none, kCivilAffairs[0], "enrol_social_assistance", Enrolment(s),
            StatusCode::kFailedPrecondition);
  // Only civil affairs enrols.
  s.Refused(late, kCaseWorker, "enrol_social_assistance", Enrolment(s),
            StatusCode::kPermissionDenied);
  // Not enrolled by the deadline: civil affairs, then the county.
  s.AdvanceTo(At("2026-04-17T10:00:00+08:00"));
  auto out = s.TakeOutbox();
  EXPECT_EQ(Told(s, out, "assistance_enrolment_overdue"), kCivilAffairs);
  s.Advance(std::chrono::days(3));
  EXPECT_EQ(Told(s, s.TakeOutbox(), "assistance_enrolment_overdue"), kCounty);
  EXPECT_EQ(s.Fire(late, kCivilAffairs[1], "enrol_social_assistance", Enrolment(s)), "assistance");
  EXPECT_FALSE(s.TimerDue(late, "assistance_enrolment").has_value());
  s.Advance(std::chrono::days(10));
  EXPECT_TRUE(Told(s, s.TakeOutbox(), "assistance_enrolment_overdue").empty());

  // Enrolled at any step after the assessment: while the assistance is
  // planned, or in monitoring at each risk level. The deadline runs across
  // the steps, from the assessment.
  std::string early = AtAssessment(s, "曹小早");
  Assess(s, early, "low", false, kHardship);
  EXPECT_EQ(s.Fire(early, kCivilAffairs[0], "enrol_social_assistance", Enrolment(s)),
            "assistance_planning");
  for (const char* risk : {"high", "medium", "low"}) {
    std::string id = AtAssessment(s, std::string("曹小") + risk);
    Assess(s, id, risk, true, kHardship);
    Instant due = *s.TimerDue(id, "assistance_enrolment");
    ToMonitoring(s, id, risk);
    EXPECT_EQ(s.TimerDue(id, "assistance_enrolment"), due);
    EXPECT_EQ(s.Fire(id, kCivilAffairs[0], "enrol_social_assistance", Enrolment(s)),
              std::string("monitoring_") + risk);
    EXPECT_FALSE(s.TimerDue(id, "assistance_enrolment").has_value());
  }
}

SCENARIO(AfterAssessment, AVisitFindsAReportableSituationAndMustReportIt) {
  for (const char* risk : {"high", "medium", "low"}) {
    SCOPED_TRACE(risk);
    std::string id = AtAssessment(s, std::string("曹小危") + risk);
    Assess(s, id, risk);
    ToMonitoring(s, id, risk);
    s.TakeOutbox();
    EXPECT_FALSE(s.TimerDue(id, "report_duty").has_value());
    s.Refused(id, kDirector, "report_concern", json::object(), StatusCode::kFailedPrecondition);
    Instant found = s.Now() - 1h;
    EXPECT_EQ(s.Fire(id, kDirector, "record_concern",
                     {{"concern_category", "domestic_violence"},
                      {"concern_found_at", FormatInstant(found)},
                      {"concern_note", "家访时发现儿童手臂多处淤青"}}),
              "monitoring_" + std::string(risk));
    // The duty to report starts at once: the first moment (24 h) from the
    // finding.
    auto out = s.TakeOutbox();
    EXPECT_TRUE(s.ExpectNotice(out, "concern_raised", {kCaseWorker, kDirector}, {"sms"}).urgent);
    EXPECT_EQ(s.TimerDue(id, "report_duty"), found + 24h);
    if (std::string(risk) == "high") {
      // Not reported: the director and the township head at once, for
      // accountability; a visit meanwhile tells nobody again; then the county.
      s.AdvanceTo(found + 24h);
      out = s.TakeOutbox();
      EXPECT_EQ(Told(s, out, "concern_not_reported"),
                (std::vector<std::string>{kTownshipHead, kDirector}));
      EXPECT_EQ(s.Case(id).priority, Priority::kHigh);
      EXPECT_EQ(s.Fire(id, kDirector, "log_visit", Visit(s)), "monitoring_high");
      EXPECT_TRUE(Told(s, s.TakeOutbox(), "concern_not_reported").empty());
      s.Advance(24h);
      EXPECT_EQ(Told(s, s.TakeOutbox(), "concern_not_reported"), kCounty);
    }
    // The report: a new mandatory report on the same child's file, by the
    // director, about what was found; the police are told.
    EXPECT_EQ(s.Fire(id, kDirector, "report_concern"), "monitoring_" + std::string(risk));
    std::string report = s.Case(id).data.value("concern_report_case_id", "");
    ASSERT_FALSE(report.empty());
    CaseRecord r = s.Case(report);
    EXPECT_EQ(r.workflow_id, "mandatory_report");
    EXPECT_EQ(r.state, "reported");
    EXPECT_EQ(r.reporter, kDirector);
    EXPECT_EQ(r.unit, "chengguan-c01");
    EXPECT_EQ(r.child_id, s.Case(id).child_id);
    EXPECT_EQ(r.data.value("category", ""), "domestic_violence");
    EXPECT_EQ(r.data.value("discovered_at", ""), FormatInstant(found));
    s.ExpectNotice(s.TakeOutbox(), "new_report", kOfficers, {"sms", "webhook"});
    // The duty is met: no timer, no escalation waiting; once is enough.
    EXPECT_FALSE(s.TimerDue(id, "report_duty").has_value());
    s.Advance(std::chrono::days(2));
    EXPECT_TRUE(Told(s, s.TakeOutbox(), "concern_not_reported").empty());
    s.Refused(id, kDirector, "report_concern", json::object(), StatusCode::kFailedPrecondition);
  }
}

}  // namespace
}  // namespace shouhu::scenario
