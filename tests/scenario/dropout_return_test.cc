// Scenarios of dropout return (辍学劝返, workflows/dropout_return.json):
// persuaded back; persuasion failed → written report to the county education
// bureau and the township (it names both, and goes to both) → measures →
// back; and the three ways to close.
#include "scenario/scenario.h"

namespace shouhu::scenario {
namespace {

using namespace std::chrono_literals;

const char* kTeacher = "u0024";       // 城关镇中学 班主任 (reporter)
const char* kHeadteacher = "u0026";   // 校长 (school_admin)
const char* kEducationBureau = "u0005";
const char* kCaseWorker = "u0011";     // 城关镇儿童督导员
const char* kTownshipHead = "u0012";
const char* kOfficer = "u0008";
const std::vector<std::string> kCounty = {"u0001", "u0002"};

std::string Now(Scenario& s) { return FormatInstant(s.Now()); }

std::string Register(Scenario& s, const std::string& who = kTeacher) {
  std::string id = s.Open(who, "dropout_return",
                          {{"child_name", "张小燕"},
                           {"child_birth_date", "2011-09-01"},
                           {"school", "城关镇中学"},
                           {"grade", "初二"},
                           {"absence_kind", "dropout"},
                           {"absent_since", "2026-02-24T08:00:00+08:00"},
                           {"guardian_name", "张爷爷"}});
  EXPECT_EQ(s.State(id), "registered");
  EXPECT_EQ(s.Case(id).unit, "chengguan-middle");
  s.ExpectNotice(s.TakeOutbox(), "dropout_registered", {kHeadteacher}, {"sms"});
  // Persuasion starts within 3 working days: Thursday 5 March, 09:00.
  EXPECT_EQ(s.TimerDue(id, "start_sla"), At("2026-03-05T09:00:00+08:00"));
  return id;
}

void StartPersuasion(Scenario& s, const std::string& id) {
  s.Refused(id, kTeacher, "start_persuasion", {{"persuaders", {"class_teacher"}}},
            StatusCode::kPermissionDenied);
  EXPECT_EQ(s.Fire(id, kHeadteacher, "start_persuasion",
                   {{"persuaders", {"class_teacher", "principal", "village_committee"}}}),
            "persuasion");
  EXPECT_TRUE(s.TimerDue(id, "persuasion_sla").has_value());
}

SCENARIO(DropoutReturn, PersuadedBackToSchool) {
  std::string id = Register(s);
  // Not started in 3 working days: the head teacher, then the township.
  s.AdvanceTo(At("2026-03-05T09:00:00+08:00"));
  s.ExpectNotice(s.TakeOutbox(), "overdue", {kHeadteacher}, {"sms"});
  s.Advance(48h);
  s.ExpectNotice(s.TakeOutbox(), "overdue", {kTownshipHead}, {"sms"});
  EXPECT_EQ(s.Case(id).priority, Priority::kHigh);
  StartPersuasion(s, id);
  Instant due = *s.TimerDue(id, "persuasion_sla");
  // A logged persuasion stays in the step and keeps its deadline.
  s.Refused(id, kOfficer, "log_persuasion",
            {{"persuaded_at", Now(s)}, {"persuasion_note", "家访劝返"}},
            StatusCode::kPermissionDenied);
  EXPECT_EQ(s.Fire(id, kTeacher, "log_persuasion",
                   {{"persuaded_at", Now(s)}, {"persuasion_note", "家访劝返，家长同意"}}),
            "persuasion");
  EXPECT_EQ(s.TimerDue(id, "persuasion_sla"), due);
  EXPECT_EQ(s.Fire(id, kHeadteacher, "return_to_school", {{"returned_at", Now(s)}}),
            "returned");
  s.ExpectNotice(s.TakeOutbox(), "returned", {kCaseWorker}, {"sms"});
  EXPECT_TRUE(s.Case(id).timers.empty());
}

SCENARIO(DropoutReturn, FailedPersuasionWrittenReportMeasuresThenBack) {
  std::string id = Register(s);
  StartPersuasion(s, id);
  // Fifteen working days of persuasion without result: escalated.
  Instant due = *s.TimerDue(id, "persuasion_sla");
  EXPECT_EQ(due, At("2026-03-23T09:00:00+08:00"));
  s.AdvanceTo(due);
  s.ExpectNotice(s.TakeOutbox(), "overdue", {kHeadteacher}, {"sms"});
  s.Advance(3 * 24h);
  s.ExpectNotice(s.TakeOutbox(), "overdue", {kTownshipHead}, {"sms"});
  s.Advance(4 * 24h);
  s.ExpectNotice(s.TakeOutbox(), "overdue", {kEducationBureau}, {"email"});
  EXPECT_EQ(s.Fire(id, kHeadteacher, "persuasion_failed",
                   {{"failure_reason", "外出务工"}}),
            "written_report");
  // The written report within 2 working days, or the bureau is told.
  s.Advance(2 * 24h);
  s.ExpectNotice(s.TakeOutbox(), "overdue", {kHeadteacher}, {"sms"});
  json report = {{"report_submitted_at", Now(s)},
                 {"report_document", "城中〔2026〕3号"},
                 {"report_recipients", {"education_bureau", "township"}}};
  s.Refused(id, kTeacher, "submit_written_report", report, StatusCode::kPermissionDenied);
  // The report names both the county education bureau and the township.
  json bureau_only = report;
  bureau_only["report_recipients"] = {"education_bureau"};
  s.Refused(id, kHeadteacher, "submit_written_report", bureau_only,
            StatusCode::kFailedPrecondition);
  json unnamed = report;
  unnamed.erase("report_recipients");
  s.Refused(id, kHeadteacher, "submit_written_report", unnamed, StatusCode::kInvalidArgument);
  EXPECT_EQ(s.Fire(id, kHeadteacher, "submit_written_report", report), "measures");
  // And goes to both: the bureau, the township's head and its case worker.
  auto out = s.TakeOutbox();
  auto sent = s.ExpectNotice(out, "written_report", {kEducationBureau, kCaseWorker, kTownshipHead},
                             {"email", "sms"});
  EXPECT_EQ(sent.context.data["report_recipients"], json({"education_bureau", "township"}));
  // The bureau owns the measures; each measure restarts the monthly review.
  Instant review = *s.TimerDue(id, "measures_review");
  s.Advance(20 * 24h);
  s.Refused(id, kHeadteacher, "take_measure",
            {{"measure", "written_order_to_guardian"}, {"measure_note", "责令送返"}},
            StatusCode::kPermissionDenied);
  EXPECT_EQ(s.Fire(id, kEducationBureau, "take_measure",
                   {{"measure", "written_order_to_guardian"}, {"measure_note", "书面责令监护人送返"}}),
            "measures");
  EXPECT_GT(*s.TimerDue(id, "measures_review"), review);
  // A month with no new measure: the bureau, then the county.
  s.AdvanceTo(*s.TimerDue(id, "measures_review"));
  s.ExpectNotice(s.TakeOutbox(), "measures_review", {kEducationBureau}, {"email"});
  s.Advance(7 * 24h);
  s.ExpectNotice(s.TakeOutbox(), "measures_review", kCounty, {"email"});
  EXPECT_EQ(s.Fire(id, kHeadteacher, "return_to_school", {{"returned_at", Now(s)}}),
            "returned");
}

SCENARIO(DropoutReturn, ClosedWithoutReturn) {
  // Transferred school before persuasion began.
  std::string a = Register(s);
  EXPECT_EQ(s.Fire(a, kHeadteacher, "close", {{"closure_reason", "transferred_school"}}),
            "closed");
  // Moved away during persuasion.
  std::string b = Register(s, kHeadteacher);
  StartPersuasion(s, b);
  s.Refused(b, kTeacher, "close", {{"closure_reason", "moved_away"}},
            StatusCode::kPermissionDenied);
  EXPECT_EQ(s.Fire(b, kHeadteacher, "close", {{"closure_reason", "moved_away"}}), "closed");
  // Medical exemption while measures ran, closed by the bureau.
  std::string c = Register(s);
  StartPersuasion(s, c);
  s.Fire(c, kHeadteacher, "persuasion_failed", {{"failure_reason", "病休"}});
  s.Fire(c, kHeadteacher, "submit_written_report",
         {{"report_submitted_at", Now(s)}, {"report_document", "城中〔2026〕5号"},
          {"report_recipients", {"township", "education_bureau"}}});
  s.Refused(c, kEducationBureau, "close", {{"closure_reason", "graduated"}},
            StatusCode::kInvalidArgument);
  EXPECT_EQ(s.Fire(c, kEducationBureau, "close", {{"closure_reason", "medical_exemption"}}),
            "closed");
  EXPECT_TRUE(s.Case(c).timers.empty());
}

}  // namespace
}  // namespace shouhu::scenario
