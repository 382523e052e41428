// Scenarios of the annual survey (摸底排查, workflows/annual_survey.json): a
// community's child director surveys its households at the start of term,
// counts what each round of visits found, registers the children who need
// care (each registration opens the child's care plan, on the child's file),
// and closes the survey with its coverage; a survey not closed in time climbs
// to the township and the county.
#include "scenario/scenario.h"
#include "shouhu/reports.h"

namespace shouhu::scenario {
namespace {

using namespace std::chrono_literals;

const char* kDirector = "u0013";      // 儿童主任, chengguan-c01 (community)
const char* kTeacher = "u0021";       // 班主任 (reporter only): surveys nothing
const char* kHelper = "u0022";        // 帮扶教师 (helper)
const char* kCaseWorker = "u0011";    // 城关镇 儿童督导员
const char* kTownshipHead = "u0012";  // 城关镇 分管负责人
const std::vector<std::string> kCounty = {"u0001", "u0002"};

std::string Now(Scenario& s) { return FormatInstant(s.Now()); }

json Survey() { return {{"survey_term", "2026年春季学期"}, {"households_planned", 40}}; }

json Visits(Scenario& s, int households, int children) {
  return {{"surveyed_at", Now(s)}, {"households_visited", households},
          {"children_counted", children}};
}

json Child(const std::string& name, const std::string& born) {
  return {{"child_name", name},
          {"child_birth_date", born},
          {"child_category", {"left_behind"}},
          {"pairing_mode", "one_to_one"},
          {"helpers", {kHelper}},
          {"guardian_type", "grandparents"},
          {"guardian_name", "刘奶奶"},
          {"parents_work_place", "浙江义乌"}};
}

int64_t Count(Scenario& s, const std::string& id, const std::string& field) {
  const json& data = s.Case(id).data;
  return data.contains(field) ? data[field].get<int64_t>() : -1;
}

}  // namespace

SCENARIO(AnnualSurvey, ACommunitySurveysRegistersAndClosesWithItsCoverage) {
  json none = Survey();
  none["households_planned"] = 0;
  s.OpenRefused(kDirector, "annual_survey", none, StatusCode::kFailedPrecondition);
  s.OpenRefused(kTeacher, "annual_survey", Survey(), StatusCode::kPermissionDenied);
  std::string id = s.Open(kDirector, "annual_survey", Survey());
  EXPECT_EQ(s.State(id), "surveying");
  s.ExpectNotice(s.TakeOutbox(), "survey_started", {kCaseWorker}, {"sms"});
  EXPECT_EQ(s.TimerDue(id, "survey_due"), s.Now() + 30 * 24h);

  // Two rounds of visits add up; a negative count is refused and changes nothing.
  s.Advance(3 * 24h);
  s.Fire(id, kDirector, "record_households", Visits(s, 25, 9));
  s.Advance(4 * 24h);
  s.Fire(id, kDirector, "record_households", Visits(s, 15, 5));
  s.Refused(id, kDirector, "record_households", Visits(s, -1, 0), StatusCode::kInvalidArgument);
  EXPECT_EQ(Count(s, id, "households_surveyed"), 40);
  EXPECT_EQ(Count(s, id, "children_found"), 14);
  EXPECT_EQ(Count(s, id, "children_registered"), -1);

  // A registered child gets a care plan, on their own file; the survey keeps
  // the count and the plan's id, not the child's details.
  s.Fire(id, kDirector, "register_child", Child("刘小雨", "2016-06-18"));
  CaseRecord survey = s.Case(id);
  EXPECT_EQ(survey.data.value("children_registered", 0), 1);
  EXPECT_FALSE(survey.data.contains("child_name"));
  EXPECT_FALSE(survey.data.contains("guardian_name"));
  EXPECT_TRUE(survey.child_id.empty());
  ASSERT_TRUE(survey.data.contains("care_plan_id"));
  CaseRecord plan = s.Case(survey.data["care_plan_id"].get<std::string>());
  EXPECT_EQ(plan.workflow_id, "care_plan");
  EXPECT_EQ(plan.state, "active");
  EXPECT_EQ(plan.unit, "chengguan-c01");
  EXPECT_EQ(plan.data["guardian_name"], "刘奶奶");
  ASSERT_FALSE(plan.child_id.empty());
  auto file = s.runtime().GetChild(plan.child_id, std::nullopt);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->fields["child_name"], "刘小雨");
  EXPECT_EQ(file->fields["parents_work_place"], "浙江义乌");
  EXPECT_TRUE(s.TimerDue(plan.id, "weekly_video_call").has_value());

  s.Fire(id, kDirector, "register_child", Child("刘小河", "2018-02-03"));
  EXPECT_EQ(Count(s, id, "children_registered"), 2);
  // A child of no registered category has no care plan to open: refused, not counted.
  json not_registered = Child("王小山", "2017-09-09");
  not_registered["child_category"] = json::array();
  s.Refused(id, kDirector, "register_child", not_registered, StatusCode::kFailedPrecondition);
  EXPECT_EQ(Count(s, id, "children_registered"), 2);
  s.TakeOutbox();

  EXPECT_EQ(s.Fire(id, kDirector, "close_survey"), "closed");
  OutboxEntry closed = s.ExpectNotice(s.TakeOutbox(), "survey_closed", {kTownshipHead}, {"sms"});
  EXPECT_EQ(closed.context.data.value("households_surveyed", json()), 40) << closed.context.data.dump();
  EXPECT_EQ(closed.context.data.value("children_found", json()), 14) << closed.context.data.dump();
  EXPECT_EQ(closed.context.data.value("children_registered", json()), 2) << closed.context.data.dump();
  EXPECT_TRUE(s.TimerNames(id).empty());

  // The closed survey is the denominator of 建档率: one "children surveyed"
  // row of the community, its count the 14 children found.
  std::vector<std::string> surveyed;
  Status scanned = ReportsOf(s.runtime()).ScanFacts(
      "chengguan-c01", 'v', "", "", [&](const std::vector<std::string_view>& parts) {
        std::string row;
        for (std::string_view p : parts) row += std::string(p) + "|";
        surveyed.push_back(row);
      });
  ASSERT_TRUE(scanned.ok()) << scanned.ToString();
  ASSERT_EQ(surveyed.size(), 1u);
  EXPECT_NE(surveyed[0].find("|annual_survey|14|" + id + "|"), std::string::npos) << surveyed[0];
}

SCENARIO(AnnualSurvey, ASurveyNotClosedInAMonthClimbsToTheCounty) {
  std::string id = s.Open(kDirector, "annual_survey", Survey());
  s.TakeOutbox();
  // Nothing recorded yet: it cannot be closed.
  s.Refused(id, kDirector, "close_survey", json::object(), StatusCode::kFailedPrecondition);
  s.Fire(id, kDirector, "record_households", Visits(s, 10, 3));

  s.Advance(30 * 24h);
  s.ExpectNotice(s.TakeOutbox(), "survey_overdue", {kDirector}, {"sms"});
  s.Advance(24h);
  s.ExpectNotice(s.TakeOutbox(), "survey_overdue", {kTownshipHead}, {"sms"});
  s.Advance(2 * 24h);
  s.ExpectNotice(s.TakeOutbox(), "survey_overdue", kCounty, {"sms", "email"});
  EXPECT_EQ(s.Fire(id, "u0012", "close_survey"), "closed");
}

}  // namespace shouhu::scenario
