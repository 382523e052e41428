// Police intake has all its outcomes (issue 14, item 14): administrative or
// criminal acceptance (受案/立案); not a case (不予立案), with reasons, closing
// with feedback to the reporter; a criminal case opened later after an
// administrative acceptance; and referral for prosecution (移送审查起诉) with
// its notice to the reporter. A transfer (移送, item 4) goes only to a
// competent unit: the workflow names the unit types that may receive one.
#include "scenario/scenario.h"

namespace shouhu::scenario {
namespace {

using namespace std::chrono_literals;

const char* kTeacher = "u0021";      // 城关镇中心小学 班主任
const char* kOfficer = "u0008";      // 城关派出所民警
const char* kStationChief = "u0010";

std::string Now(Scenario& s) { return FormatInstant(s.Now()); }

std::string File(Scenario& s, const std::string& category, const std::string& name) {
  std::string id = s.Open(kTeacher, "mandatory_report",
                          {{"child_name", name},
                           {"child_unit", "chengguan-v04"},
                           {"category", category},
                           {"reporter_kind", "mandated"},
                           {"reporter_category", "school"},
                           {"discovered_at", Now(s)}});
  s.TakeOutbox();
  return id;
}

// Not a case: the reasons and the feedback are required; the reporter is
// told the reasons and the case closes with no deadline left.
SCENARIO(IntakeOutcomes, NotACaseClosesWithReasonsToTheReporter) {
  std::string id = File(s, "accidental_injury", "林小意");
  s.Refused(id, kOfficer, "decline",
            {{"feedback_sent_at", Now(s)}, {"feedback_summary", "经核实系意外"}},
            StatusCode::kInvalidArgument);
  s.Refused(id, kTeacher, "decline",
            {{"not_a_case_reasons", "x"}, {"feedback_sent_at", Now(s)}, {"feedback_summary", "x"}},
            StatusCode::kPermissionDenied);
  EXPECT_EQ(s.Fire(id, kOfficer, "decline",
                   {{"not_a_case_reasons", "经核实系玩耍时意外摔伤，监护到位，无侵害"},
                    {"feedback_sent_at", Now(s)}, {"feedback_summary", "不予立案"}}),
            "not_a_case");
  auto out = s.TakeOutbox();
  auto notice = s.ExpectNotice(out, "not_a_case_notice", {kTeacher}, {"sms"});
  EXPECT_EQ(notice.context.data.value("not_a_case_reasons", ""),
            "经核实系玩耍时意外摔伤，监护到位，无侵害");
  EXPECT_TRUE(s.Case(id).timers.empty());
  s.Refused(id, kOfficer, "accept", {{"intake_kind", "administrative"}, {"accepted_at", Now(s)}},
            StatusCode::kFailedPrecondition);
}

// Accepted as an administrative case, opened as a criminal case later, in
// intake or as the harm and the injury come to light; then referred for
// prosecution, the reporter told each time.
SCENARIO(IntakeOutcomes, LaterCriminalCaseAndReferralForProsecution) {
  // Opened as criminal in intake; referred from the evidence step.
  std::string a = File(s, "unlawful_harm", "林小甲");
  s.Fire(a, kOfficer, "accept", {{"intake_kind", "administrative"}, {"accepted_at", Now(s)}});
  EXPECT_EQ(s.Fire(a, kOfficer, "open_criminal_case", {{"criminal_case_at", Now(s)}}),
            "police_intake");
  s.Fire(a, kOfficer, "respond", {{"responded_at", Now(s)}});
  s.Fire(a, kOfficer, "stop_harm", {{"protective_measures", "隔离"}});
  EXPECT_EQ(s.Fire(a, kStationChief, "refer_for_prosecution", {{"prosecution_referred_at", Now(s)}}),
            "evidence_and_medical");
  s.ExpectNotice(s.TakeOutbox(), "prosecution_notice", {kTeacher}, {"sms"});

  // Opened as criminal during the response; referred at the township notice.
  std::string b = File(s, "unlawful_harm", "林小乙");
  s.Fire(b, kOfficer, "accept", {{"intake_kind", "administrative"}, {"accepted_at", Now(s)}});
  s.Fire(b, kOfficer, "respond", {{"responded_at", Now(s)}});
  // Not yet a criminal case: no referral.
  s.Fire(b, kOfficer, "stop_harm", {{"protective_measures", "隔离"}});
  s.Refused(b, kOfficer, "refer_for_prosecution", {{"prosecution_referred_at", Now(s)}},
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.Fire(b, kOfficer, "open_criminal_case", {{"criminal_case_at", Now(s)}}),
            "evidence_and_medical");
  s.Fire(b, kOfficer, "record_evidence",
         {{"evidence_collected", true}, {"medical_care", "treated"}, {"injury_assessment", "completed"}});
  EXPECT_EQ(s.Fire(b, kOfficer, "refer_for_prosecution", {{"prosecution_referred_at", Now(s)}}),
            "township_notice");
  s.ExpectNotice(s.TakeOutbox(), "prosecution_notice", {kTeacher}, {"sms"});

  // Opened as criminal during the harm response.
  std::string c = File(s, "unlawful_harm", "林小丙");
  s.Fire(c, kOfficer, "accept", {{"intake_kind", "administrative"}, {"accepted_at", Now(s)}});
  s.Fire(c, kOfficer, "respond", {{"responded_at", Now(s)}});
  EXPECT_EQ(s.Fire(c, kOfficer, "open_criminal_case", {{"criminal_case_at", Now(s)}}),
            "harm_response");
  // Criminal from the start: it cannot be "opened later"; referred once the
  // assessment runs.
  std::string d = File(s, "unlawful_harm", "林小丁");
  s.Fire(d, kOfficer, "accept", {{"intake_kind", "criminal"}, {"accepted_at", Now(s)}});
  s.Refused(d, kOfficer, "open_criminal_case", {{"criminal_case_at", Now(s)}},
            StatusCode::kFailedPrecondition);
  s.Fire(d, kOfficer, "respond", {{"responded_at", Now(s)}});
  s.Fire(d, kOfficer, "stop_harm", {{"protective_measures", "隔离"}});
  s.Fire(d, kOfficer, "record_evidence",
         {{"evidence_collected", true}, {"medical_care", "none_needed"}, {"injury_assessment", "not_needed"}});
  s.Fire(d, kOfficer, "notify_township", {{"township_notified_at", Now(s)}});
  s.TakeOutbox();
  EXPECT_EQ(s.Fire(d, kOfficer, "refer_for_prosecution", {{"prosecution_referred_at", Now(s)}}),
            "assessment");
  s.ExpectNotice(s.TakeOutbox(), "prosecution_notice", {kTeacher}, {"sms"});
}

// Transferred only to a police station or the public security bureau of the
// organisation, named by its id: not to a school, not to free text.
SCENARIO(IntakeOutcomes, TransferOnlyToACompetentUnit) {
  std::string id = File(s, "accidental_injury", "林小移");
  for (const char* not_competent : {"chengguan-primary", "chengguan", "邻县公安局"}) {
    SCOPED_TRACE(not_competent);
    s.Refused(id, kOfficer, "transfer", {{"transfer_to", not_competent}},
              StatusCode::kInvalidArgument);
  }
  // The station serving another township, before acceptance.
  EXPECT_EQ(s.Fire(id, kOfficer, "transfer", {{"transfer_to", "dongfeng-police"}}), "transferred");
  auto notice = s.ExpectNotice(s.TakeOutbox(), "transfer_notice", {kTeacher}, {"sms"});
  EXPECT_EQ(notice.context.data.value("transfer_to", ""), "dongfeng-police");
  // The county bureau, after acceptance.
  std::string after = File(s, "unlawful_harm", "林小县");
  s.Fire(after, kOfficer, "accept", {{"intake_kind", "criminal"}, {"accepted_at", Now(s)}});
  EXPECT_EQ(s.Fire(after, kStationChief, "transfer", {{"transfer_to", "qingshan-police"}}),
            "transferred");
}

}  // namespace
}  // namespace shouhu::scenario
