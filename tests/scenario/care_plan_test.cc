// Scenarios of the care plan (结对帮扶, workflows/care_plan.json): recurring
// obligations logged and missed, a reportable situation reported (the plan
// opens the mandatory report itself, on the same child's file) or left
// unreported (追责), and the end of the plan.
#include "scenario/scenario.h"

namespace shouhu::scenario {
namespace {

using namespace std::chrono_literals;

const char* kHelper = "u0022";        // 城关镇中心小学 帮扶教师 (helper)
const char* kHeadteacher = "u0023";   // 校长 (school_admin)
const char* kTeacher = "u0021";       // 班主任 (reporter only)
const char* kDirector = "u0013";      // 儿童主任
const char* kCaseWorker = "u0011";
const char* kTownshipHead = "u0012";
const std::vector<std::string> kCounty = {"u0001", "u0002"};

std::string Now(Scenario& s) { return FormatInstant(s.Now()); }

json Child() {
  return {{"child_name", "刘小雨"},
          {"child_birth_date", "2016-06-18"},
          {"child_category", {"left_behind"}},
          {"pairing_mode", "one_to_one"},
          {"helpers", {kHelper}},
          {"guardian_type", "grandparents"},
          {"parents_work_place", "广东东莞"}};
}

size_t Count(Scenario& s, const std::vector<OutboxEntry>& out,
             const std::string& template_id, std::vector<std::string> users) {
  size_t n = 0;
  for (const OutboxEntry& e : out) {
    if (e.template_id == template_id && s.Recipients(e) == users) ++n;
  }
  return n;
}

std::string StartPlan(Scenario& s) {
  json not_registered = Child();
  not_registered["child_category"] = json::array();
  s.OpenRefused(kHeadteacher, "care_plan", not_registered, StatusCode::kFailedPrecondition);
  s.OpenRefused(kTeacher, "care_plan", Child(), StatusCode::kPermissionDenied);
  std::string id = s.Open(kHeadteacher, "care_plan", Child());
  EXPECT_EQ(s.State(id), "active");
  s.ExpectNotice(s.TakeOutbox(), "plan_started", {kHelper}, {"sms"});
  EXPECT_EQ(s.TimerDue(id, "weekly_video_call"), At("2026-03-09T09:00:00+08:00"));
  EXPECT_EQ(s.TimerDue(id, "monthly_talk"), At("2026-04-02T09:00:00+08:00"));
  EXPECT_EQ(s.TimerDue(id, "guardian_contact"), At("2026-04-02T09:00:00+08:00"));
  EXPECT_EQ(s.TimerDue(id, "termly_home_visit"), At("2026-07-02T09:00:00+08:00"));
  return id;
}

// The helper makes every weekly call an hour before it is due, until `until`.
void KeepCalling(Scenario& s, const std::string& id, Instant until) {
  for (auto due = s.TimerDue(id, "weekly_video_call"); due && *due <= until;
       due = s.TimerDue(id, "weekly_video_call")) {
    s.AdvanceTo(std::max(s.Now(), *due - 1h));
    s.Fire(id, kHelper, "log_video_call", {{"called_at", Now(s)}});
  }
  s.AdvanceTo(until);
}

SCENARIO(CarePlan, ObligationsLoggedAndMissed) {
  std::string id = StartPlan(s);
  // A missed weekly call reaches the helper.
  s.AdvanceTo(At("2026-03-09T09:00:00+08:00"));
  s.ExpectNotice(s.TakeOutbox(), "obligation_missed", {kHelper}, {"sms"});
  // Each log restarts only its own obligation.
  Instant talk = *s.TimerDue(id, "monthly_talk");
  s.Refused(id, kTeacher, "log_video_call", {{"called_at", Now(s)}},
            StatusCode::kPermissionDenied);
  EXPECT_EQ(s.Fire(id, kHelper, "log_video_call", {{"called_at", Now(s)}}), "active");
  EXPECT_EQ(s.TimerDue(id, "weekly_video_call"), s.Now() + 7 * 24h);
  EXPECT_EQ(s.TimerDue(id, "monthly_talk"), talk);
  // The monthly talk and guardian contact, missed on 2 April: the helper,
  // then a week later the head teacher.
  KeepCalling(s, id, At("2026-04-02T09:00:00+08:00"));
  auto out = s.TakeOutbox();
  EXPECT_EQ(Count(s, out, "obligation_missed", {kHelper}), 2u);
  KeepCalling(s, id, At("2026-04-09T09:00:00+08:00"));
  out = s.TakeOutbox();
  EXPECT_EQ(Count(s, out, "obligation_missed", {kHeadteacher}), 2u);
  EXPECT_EQ(out.size(), 2u);
  s.Fire(id, kHelper, "log_talk", {{"talked_at", Now(s)}, {"note", "谈心"}, {"mind_status", "开朗"}});
  s.Fire(id, kHelper, "log_guardian_contact", {{"contacted_at", Now(s)}, {"note", "与奶奶通话"}});
  EXPECT_EQ(s.TimerDue(id, "monthly_talk"),
            AddDuration(s.Now(), Duration{0, 1, 0, 0}, std::chrono::hours(8)));
  // The termly home visit, never made: the helper, the head teacher, then
  // the township head with a raised priority.
  for (int month = 0; month < 3; ++month) {
    KeepCalling(s, id, s.Now() + 27 * 24h);
    s.Fire(id, kHelper, "log_talk", {{"talked_at", Now(s)}, {"note", "谈心"}});
    s.Fire(id, kHelper, "log_guardian_contact", {{"contacted_at", Now(s)}, {"note", "电话"}});
  }
  s.TakeOutbox();
  KeepCalling(s, id, At("2026-07-02T09:00:00+08:00"));
  s.ExpectNotice(s.TakeOutbox(), "obligation_missed", {kHelper}, {"sms"});
  KeepCalling(s, id, At("2026-07-09T09:00:00+08:00"));
  s.ExpectNotice(s.TakeOutbox(), "obligation_missed", {kHeadteacher}, {"sms"});
  KeepCalling(s, id, At("2026-07-16T09:00:00+08:00"));
  s.ExpectNotice(s.TakeOutbox(), "obligation_missed", {kTownshipHead}, {"sms", "email"});
  EXPECT_EQ(s.Case(id).priority, Priority::kHigh);
  // The visit, by the child director, updates the child's file.
  EXPECT_EQ(s.Fire(id, kDirector, "log_home_visit",
                   {{"visited_at", Now(s)}, {"note", "家访"}, {"safety_status", "居住安全"}}),
            "active");
  EXPECT_EQ(s.TimerDue(id, "termly_home_visit"),
            AddDuration(s.Now(), Duration{0, 4, 0, 0}, std::chrono::hours(8)));
  auto file = s.runtime().GetChild(s.Case(id).child_id, std::nullopt);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->fields.value("safety_status", ""), "居住安全");
  EXPECT_EQ(file->fields.value("mind_status", ""), "开朗");
  // The school changes the helpers, then ends the plan when the parents return.
  s.Refused(id, kHelper, "change_helpers", {{"helpers", {"u0025"}}, {"pairing_mode", "one_to_one"}},
            StatusCode::kPermissionDenied);
  EXPECT_EQ(s.Fire(id, kCaseWorker, "change_helpers",
                   {{"helpers", {kHelper, "u0025"}}, {"pairing_mode", "many_to_one"}}),
            "active");
  s.ExpectNotice(s.TakeOutbox(), "plan_started", {kHelper}, {"sms"});
  s.Refused(id, kHelper, "end_plan", {{"end_reason", "parents_returned"}},
            StatusCode::kPermissionDenied);
  EXPECT_EQ(s.Fire(id, kHeadteacher, "end_plan", {{"end_reason", "parents_returned"}}), "ended");
  s.ExpectNotice(s.TakeOutbox(), "plan_ended", {kHelper}, {"sms"});
  EXPECT_TRUE(s.Case(id).timers.empty());
}

SCENARIO(CarePlan, ReportableSituationReportedAndLinked) {
  std::string id = StartPlan(s);
  s.Advance(24h);
  s.Fire(id, kHelper, "log_video_call", {{"called_at", Now(s)}});
  Instant found = s.Now();
  EXPECT_EQ(s.Fire(id, kHelper, "record_concern",
                   {{"concern_category", "living_alone"},
                    {"concern_found_at", FormatInstant(found)},
                    {"note", "家访发现独自居住"}}),
            "concern_raised");
  auto out = s.TakeOutbox();
  EXPECT_TRUE(s.ExpectNotice(out, "concern_raised", {kHelper, kHeadteacher}, {"sms"}).urgent);
  EXPECT_EQ(s.TimerNames(id), std::vector<std::string>{"report_sla"});
  EXPECT_EQ(s.TimerDue(id, "report_sla"), s.Now() + 24h);
  // Filing the report opens the mandatory report from the plan's data, in
  // the same write, on the same child's file.
  s.Advance(2h);
  s.Refused(id, kTeacher, "file_report", json::object(), StatusCode::kPermissionDenied);
  EXPECT_EQ(s.Fire(id, kHelper, "file_report", {{"guardian_phone", "13600001234"}}), "active");
  std::string report = s.Case(id).data.value("report_case_id", "");
  ASSERT_FALSE(report.empty());
  CaseRecord r = s.Case(report);
  EXPECT_EQ(r.workflow_id, "mandatory_report");
  EXPECT_EQ(r.state, "reported");
  EXPECT_EQ(r.reporter, kHelper);
  EXPECT_EQ(r.unit, "chengguan-primary");
  EXPECT_EQ(r.data.value("category", ""), "living_alone");
  EXPECT_EQ(r.data.value("discovered_at", ""), FormatInstant(found));
  EXPECT_EQ(r.data.value("guardian_phone", ""), "13600001234");
  EXPECT_EQ(r.data.value("reporter_kind", ""), "mandated");
  EXPECT_EQ(r.child_id, s.Case(id).child_id);
  // Its acceptance deadline runs like any report's.
  EXPECT_EQ(r.timers.size(), 1u);
  EXPECT_EQ(s.TimerDue(report, "acceptance_sla"), s.Now() + 2h);
  out = s.TakeOutbox();
  EXPECT_TRUE(s.ExpectNotice(out, "new_report", {"u0008", "u0009"}, {"sms", "webhook"}).urgent);
  EXPECT_EQ(s.TimerNames(id), (std::vector<std::string>{"guardian_contact", "monthly_talk",
                                                        "termly_home_visit", "weekly_video_call"}));
  auto file = s.runtime().GetChild(s.Case(id).child_id, std::nullopt);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->case_ids, (std::vector<std::string>{id, report}));
  EXPECT_EQ(file->fields.value("guardian_phone", ""), "13600001234");
  // The report, not acted upon, escalates by itself.
  EXPECT_EQ(s.Advance(2h), 1u);
  s.ExpectNotice(s.TakeOutbox(), "overdue", {"u0008", "u0009"}, {"sms"});
  EXPECT_EQ(s.Fire(id, kHeadteacher, "end_plan", {{"end_reason", "no_longer_registered"}}), "ended");
}

TEST(CarePlanLinkedReport, ARefusedFilingOpensNoReport) {
  // The filing and the report it opens are one write: refused, neither is.
  Scenario s;
  std::string id = s.Open(kHeadteacher, "care_plan", Child());
  s.Fire(id, kHelper, "record_concern",
         {{"concern_category", "missing"}, {"concern_found_at", FormatInstant(s.Now())},
          {"note", "未到校"}});
  auto before = s.runtime().GetChild(s.Case(id).child_id, std::nullopt);
  ASSERT_TRUE(before.ok());
  s.Refused(id, kHelper, "file_report", {{"guardian_phone", 13600001234}},
            StatusCode::kInvalidArgument);
  auto after = s.runtime().GetChild(s.Case(id).child_id, std::nullopt);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->case_ids, before->case_ids);
}

SCENARIO(CarePlan, ReportableSituationLeftUnreportedIsEscalated) {
  std::string id = StartPlan(s);
  EXPECT_EQ(s.Fire(id, kDirector, "record_concern",
                   {{"concern_category", "domestic_violence"},
                    {"concern_found_at", FormatInstant(s.Now())},
                    {"note", "邻居反映"}}),
            "concern_raised");
  s.TakeOutbox();
  // 24 h without a report: the helper and the head teacher at once, 4 h
  // later the township head, a day later the county (追责).
  EXPECT_EQ(s.Advance(24h), 1u);
  auto out = s.TakeOutbox();
  s.ExpectNotice(out, "report_not_filed", {kHelper}, {"sms"});
  s.ExpectNotice(out, "report_not_filed", {kHeadteacher}, {"sms"});
  EXPECT_EQ(s.Case(id).priority, Priority::kHigh);
  EXPECT_EQ(s.Advance(4h), 1u);
  s.ExpectNotice(s.TakeOutbox(), "report_not_filed", {kTownshipHead}, {"sms", "email"});
  EXPECT_EQ(s.Case(id).priority, Priority::kUrgent);
  EXPECT_EQ(s.Advance(20h), 1u);
  s.ExpectNotice(s.TakeOutbox(), "report_not_filed", kCounty, {"email", "webhook"});
  // The head teacher checks and finds it is not reportable after all; only
  // the head may decide that.
  s.Refused(id, kHelper, "dismiss_concern", {{"dismissal_reason", "误会"}},
            StatusCode::kPermissionDenied);
  EXPECT_EQ(s.Fire(id, kHeadteacher, "dismiss_concern",
                   {{"dismissal_reason", "经核实系邻里纠纷，儿童安全"}}),
            "active");
  EXPECT_FALSE(s.Case(id).overdue);
  EXPECT_FALSE(s.Case(id).data.contains("report_case_id"));
  s.Refused(id, kHeadteacher, "record_concern", {{"note", "x"}}, StatusCode::kInvalidArgument);
  EXPECT_EQ(s.Fire(id, kCaseWorker, "end_plan", {{"end_reason", "moved_away"}}), "ended");
}

}  // namespace
}  // namespace shouhu::scenario
