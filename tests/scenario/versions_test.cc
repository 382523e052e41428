// Deploying a new version of the mandatory report while cases run: the cases
// opened on the deployed v2 (workflows/versions/mandatory_report.v2.json)
// keep its rules to the end, new cases start on the newest (v4). The v2 case belongs to
// the filer's unit and its late feedback goes to the step's owner; on v3 a
// case belongs to the child's place and the late feedback to the police.
#include "scenario/scenario.h"

namespace shouhu::scenario {
namespace {

using namespace std::chrono_literals;

const char* kTeacher = "u0021";   // 城关镇中心小学 班主任
const char* kOfficer = "u0008";   // 城关派出所民警

std::string Now(Scenario& s) { return FormatInstant(s.Now()); }

json Report(const std::string& child = "孙小花") {
  return {{"child_name", child},
          {"child_birth_date", "2015-06-01"},
          {"category", "guardian_neglect"},
          {"reporter_kind", "mandated"},
          {"reporter_category", "school"},
          {"discovered_at", "2026-03-02T08:30:00+08:00"}};
}

SCENARIO(Versions, RunningCasesStayOnTheDeployedV2) {
  s.Deploy({"workflows/versions/mandatory_report.v2.json", "workflows/calendars"});
  // Another child: a second report about the first would join its open case.
  json placed = Report("孙小草");
  placed["child_unit"] = "chengguan-v02";
  s.OpenRefused(kTeacher, "mandatory_report", placed, StatusCode::kInvalidArgument);
  std::string old_case = s.Open(kTeacher, "mandatory_report", Report());
  EXPECT_EQ(s.Case(old_case).workflow_version, 2);
  Instant accepted = s.Now();
  EXPECT_EQ(s.Fire(old_case, kOfficer, "accept",
                   {{"intake_kind", "administrative"}, {"accepted_at", Now(s)}}),
            "police_intake");

  // v4 deployed: the running case keeps v2, its timers and its rules.
  s.Deploy({"workflows"});
  EXPECT_EQ(s.Case(old_case).workflow_version, 2);
  EXPECT_EQ(s.TimerDue(old_case, "feedback_due"), accepted + 72h);
  std::string new_case = s.Open(kTeacher, "mandatory_report", placed);
  EXPECT_EQ(s.Case(new_case).workflow_version, 4);
  EXPECT_EQ(s.Case(new_case).unit, "chengguan-v02");
  EXPECT_EQ(s.Fire(new_case, kOfficer, "accept",
                   {{"intake_kind", "administrative"}, {"accepted_at", Now(s)}}),
            "police_intake");
  s.TakeOutbox();

  EXPECT_EQ(s.Fire(old_case, kOfficer, "respond", {{"responded_at", Now(s)}}),
            "guardian_response");
  s.Assign(old_case, kOfficer, kOfficer);
  s.Assign(new_case, kOfficer, kOfficer);
  s.AdvanceTo(accepted + 72h);
  int late = 0;
  for (const OutboxEntry& e : s.TakeOutbox()) {
    if (e.template_id != "feedback_overdue") continue;
    ++late;
    ASSERT_EQ(e.recipients.size(), 1u);
    bool old = e.case_id == old_case;
    // v2 addressed the step's owner; v4 the police officers who owe it.
    EXPECT_EQ(e.recipients[0].kind, old ? Recipient::Kind::kOwner : Recipient::Kind::kRole)
        << e.case_id;
  }
  EXPECT_EQ(late, 2);
  EXPECT_EQ(s.Case(old_case).unit, "chengguan-primary");
}

}  // namespace
}  // namespace shouhu::scenario
