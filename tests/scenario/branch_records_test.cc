// Each emergency branch's actions recorded one by one, as they happen, with
// the data the rule names (issue 14, item 11; [004] 三 (二)): the order to
// return and the reprimand (训诫) separately; the entrusted guardian's name
// and phone, which then update the child's file; the fast search's launch
// and progress; the shelter placement; evidence, medical care and the injury
// assessment. Temporary care, when the parents cannot be reached, stays open
// with its daily reminder until they are reached or a new guardian is named;
// the township notice alone does not end it.
#include "scenario/scenario.h"

namespace shouhu::scenario {
namespace {

using namespace std::chrono_literals;

const char* kTeacher = "u0021";        // 城关镇中心小学 班主任
const char* kOfficer = "u0008";        // 城关派出所民警
const char* kStationChief = "u0010";   // 城关派出所所长
const char* kCivilAffairs = "u0003";   // 县民政局
const std::vector<std::string> kOfficers = {"u0008", "u0009"};

std::string Now(Scenario& s) { return FormatInstant(s.Now()); }

// A report about a child of 和平村 (城关镇), accepted and responded to: the
// case is in its category's branch.
std::string Responded(Scenario& s, const std::string& category, const std::string& name) {
  std::string id = s.Open(kTeacher, "mandatory_report",
                          {{"child_name", name},
                           {"child_birth_date", "2014-05-01"},
                           {"child_unit", "chengguan-v02"},
                           {"guardian_name", "李奶奶"},
                           {"guardian_phone", "13900000000"},
                           {"category", category},
                           {"reporter_kind", "mandated"},
                           {"reporter_category", "school"},
                           {"discovered_at", "2026-03-02T08:30:00+08:00"}});
  s.Fire(id, kOfficer, "accept", {{"intake_kind", "administrative"}, {"accepted_at", Now(s)}});
  s.Fire(id, kOfficer, "respond", {{"responded_at", Now(s)}});
  s.TakeOutbox();
  return id;
}

// The events recorded on the case since it was opened, in order.
std::vector<std::string> Records(Scenario& s, const std::string& id) {
  std::vector<std::string> out;
  for (const HistoryEntry& h : s.History(id)) {
    if (h.kind == "event") out.push_back(h.name);
  }
  return out;
}

SCENARIO(BranchRecords, LivingAloneOrderReprimandAndGuardianEachRecorded) {
  std::string id = Responded(s, "living_alone", "李小单");
  std::string child = s.Case(id).child_id;
  EXPECT_EQ(s.Fire(id, kOfficer, "order_parents",
                   {{"ordered_at", Now(s)}, {"order_note", "责令父母立即返回或确定受委托监护人"}}),
            "living_alone_response");
  // Neither the order alone nor a named guardian ends the branch: the
  // parents are reprimanded too.
  NameEntrustedGuardian(s, id, kOfficer);
  s.Refused(id, kOfficer, "order_return", {{"guardian_arrangement", "entrusted_guardian"}},
            StatusCode::kFailedPrecondition);
  s.Refused(id, kOfficer, "reprimand_parents", {{"reprimanded_at", Now(s)}},
            StatusCode::kInvalidArgument);  // what was said is part of the record
  s.Advance(2h);
  EXPECT_EQ(s.Fire(id, kOfficer, "reprimand_parents",
                   {{"reprimanded_at", Now(s)}, {"reprimand_note", "对父亲当面训诫"}}),
            "living_alone_response");
  EXPECT_EQ(s.Fire(id, kOfficer, "order_return", {{"guardian_arrangement", "entrusted_guardian"}}),
            "township_notice");
  EXPECT_EQ(Records(s, id),
            (std::vector<std::string>{"accept", "respond", "order_parents",
                                      "name_entrusted_guardian", "reprimand_parents",
                                      "order_return"}));
  // The entrusted guardian's name and phone are the child's file now, by the
  // officer, from this case.
  auto file = s.runtime().GetChild(child, std::nullopt);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->fields.value("guardian_name", ""), "王舅舅");
  EXPECT_EQ(file->fields.value("guardian_phone", ""), "13900001111");
  EXPECT_EQ(file->fields.value("guardian_relation", ""), "舅舅");
  auto history = s.runtime().ChildHistory(child);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->back().actor, kOfficer);
  EXPECT_EQ(history->back().case_id, id);
  EXPECT_EQ(history->back().changes.value("guardian_phone", ""), "13900001111");
}

SCENARIO(BranchRecords, GuardianUnableParentsContactedThenRelativeNamed) {
  std::string id = Responded(s, "guardian_incapable", "李小托");
  EXPECT_EQ(s.Fire(id, kOfficer, "contact_parents",
                   {{"parents_contacted_at", Now(s)}, {"contact_note", "父亲在外务工，无法返回"}}),
            "guardian_response");
  NameEntrustedGuardian(s, id, kOfficer);
  EXPECT_EQ(s.Fire(id, kOfficer, "arrange_guardian",
                   {{"guardian_arrangement", "relative_entrusted"}}),
            "township_notice");
}

// The parents cannot be reached: temporary care, a daily reminder to keep
// trying, until they are reached; the township was notified meanwhile, which
// did not end it.
SCENARIO(BranchRecords, TemporaryCareUntilTheParentsAreReached) {
  std::string id = Responded(s, "living_alone", "李小临");
  EXPECT_EQ(s.Fire(id, kOfficer, "parents_unreachable", {{"temporary_carer", "village_committee"}}),
            "temporary_care");
  s.TakeOutbox();
  EXPECT_EQ(s.Fire(id, kOfficer, "notify_township_during_response",
                   {{"township_notified_at", Now(s)}}),
            "temporary_care");
  s.TakeOutbox();
  // Day after day the reminder comes, while the police keep trying.
  for (int day = 1; day <= 3; ++day) {
    s.Advance(24h);
    bool reminded = false;
    for (const OutboxEntry& e : s.TakeOutbox()) {
      if (e.template_id == "parents_unreachable") reminded = true;
    }
    EXPECT_TRUE(reminded) << "day " << day;
    EXPECT_EQ(s.Fire(id, kOfficer, "contact_parents",
                     {{"parents_contacted_at", Now(s)}, {"contact_note", "电话未接通"}}),
              "temporary_care");
  }
  EXPECT_EQ(s.State(id), "temporary_care");
  // Care ends only once the parents are reached (or a guardian is named).
  s.Refused(id, kOfficer, "end_temporary_care", {{"care_ended_at", Now(s)}},
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.Fire(id, kOfficer, "parents_reached",
                   {{"parents_reached_at", Now(s)}, {"contact_note", "母亲当日返回"}}),
            "care_handover");
  EXPECT_FALSE(s.TimerDue(id, "parent_contact").has_value());  // no more reminders
  s.Advance(24h);
  for (const OutboxEntry& e : s.TakeOutbox()) EXPECT_NE(e.template_id, "parents_unreachable");
  s.Fire(id, kOfficer, "send_feedback",
         {{"feedback_sent_at", Now(s)}, {"feedback_summary", "已联系上父母"}});
  EXPECT_EQ(s.Fire(id, kOfficer, "end_temporary_care", {{"care_ended_at", Now(s)}}),
            "assessment");
}

// A new entrusted guardian named in temporary care: on the child's file, and
// care ends before the township was notified, which then follows.
SCENARIO(BranchRecords, TemporaryCareUntilANewGuardianIsNamed) {
  std::string id = Responded(s, "guardian_neglect", "李小新");
  std::string child = s.Case(id).child_id;
  s.Fire(id, kOfficer, "parents_unreachable", {{"temporary_carer", "near_relative"}});
  EXPECT_EQ(s.Fire(id, kOfficer, "name_guardian_in_care",
                   {{"guardian_name", "李姑姑"}, {"guardian_phone", "13700002222"},
                    {"guardian_relation", "姑姑"}, {"guardian_named_at", Now(s)}}),
            "care_handover");
  auto file = s.runtime().GetChild(child, std::nullopt);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->fields.value("guardian_name", ""), "李姑姑");
  EXPECT_EQ(file->fields.value("guardian_phone", ""), "13700002222");
  EXPECT_EQ(s.Fire(id, kOfficer, "notify_township_during_response",
                   {{"township_notified_at", Now(s)}}),
            "care_handover");
  s.TakeOutbox();
  // Another case, whose care ends before any notice: the notice follows.
  std::string other = Responded(s, "guardian_neglect", "李小后");
  s.Fire(other, kOfficer, "parents_unreachable", {{"temporary_carer", "welfare_institution"}});
  s.Fire(other, kOfficer, "parents_reached", {{"parents_reached_at", Now(s)}});
  EXPECT_EQ(s.Fire(other, kOfficer, "end_temporary_care", {{"care_ended_at", Now(s)}}),
            "township_notice");
  EXPECT_EQ(s.Fire(other, kOfficer, "notify_township", {{"township_notified_at", Now(s)}}),
            "assessment");
  EXPECT_EQ(s.Fire(id, kOfficer, "end_temporary_care", {{"care_ended_at", Now(s)}}),
            "assessment");
}

// The fast search is launched at once (or the response escalates), and its
// progress is logged: each log restarts the six-hourly reminder.
SCENARIO(BranchRecords, FastSearchLaunchedAndItsProgressLogged) {
  std::string id = Responded(s, "missing", "李小寻");
  EXPECT_TRUE(s.TimerDue(id, "search_launch").has_value());
  s.Refused(id, kOfficer, "log_search_progress",
            {{"search_progress_at", Now(s)}, {"search_progress", "走访邻居"}},
            StatusCode::kFailedPrecondition);  // nothing launched yet
  EXPECT_EQ(s.Fire(id, kOfficer, "launch_search", {{"search_launched_at", Now(s)}}),
            "searching");
  EXPECT_FALSE(s.TimerDue(id, "search_launch").has_value());
  Instant reminder = *s.TimerDue(id, "search_update");
  s.Advance(5h);
  EXPECT_EQ(s.Fire(id, kStationChief, "log_search_progress",
                   {{"search_progress_at", Now(s)}, {"search_progress", "调取车站监控，发现线索"}}),
            "searching");
  EXPECT_EQ(*s.TimerDue(id, "search_update"), reminder + 5h);
  EXPECT_TRUE(s.TakeOutbox().empty());
  // Not launched in time: the response is overdue.
  std::string late = Responded(s, "missing", "李小迟");
  s.Advance(2h);
  s.ExpectNotice(s.TakeOutbox(), "overdue", kOfficers, {"sms"});
  s.Fire(late, kOfficer, "launch_search", {{"search_launched_at", Now(s)}});
  EXPECT_EQ(s.Fire(id, kOfficer, "found", {{"found_at", Now(s)}, {"child_condition", "harmed"}}),
            "evidence_and_medical");
}

// Evidence, medical care and the injury assessment, each as it comes; the
// branch moves on once all three are recorded.
SCENARIO(BranchRecords, EvidenceMedicalCareAndInjuryAssessmentOneByOne) {
  std::string id = Responded(s, "unlawful_harm", "李小伤");
  s.Fire(id, kOfficer, "stop_harm", {{"protective_measures", "隔离加害人"}});
  EXPECT_EQ(s.Fire(id, kOfficer, "record_medical_care",
                   {{"medical_care", "hospitalised"}, {"medical_note", "县人民医院外科住院"}}),
            "evidence_and_medical");
  s.Refused(id, kOfficer, "record_evidence", json::object(), StatusCode::kFailedPrecondition);
  s.Advance(3h);
  EXPECT_EQ(s.Fire(id, kOfficer, "record_evidence_collected",
                   {{"evidence_collected_at", Now(s)}, {"evidence_note", "现场勘验、询问笔录"}}),
            "evidence_and_medical");
  s.Refused(id, kOfficer, "record_evidence", json::object(), StatusCode::kFailedPrecondition);
  s.Advance(1h);
  EXPECT_EQ(s.Fire(id, kOfficer, "record_injury_assessment",
                   {{"injury_assessment", "requested"}, {"injury_assessment_note", "已委托鉴定"}}),
            "evidence_and_medical");
  EXPECT_EQ(s.Fire(id, kOfficer, "record_evidence", json::object()), "township_notice");
  EXPECT_EQ(Records(s, id),
            (std::vector<std::string>{"accept", "respond", "stop_harm", "record_medical_care",
                                      "record_evidence_collected", "record_injury_assessment",
                                      "record_evidence"}));
  json data = s.Case(id).data;
  EXPECT_EQ(data.value("medical_care", ""), "hospitalised");
  EXPECT_EQ(data.value("injury_assessment", ""), "requested");
  // The shelter placement names the place and when.
  std::string dv = Responded(s, "domestic_violence", "李小护");
  s.Fire(dv, kOfficer, "stop_violence", {{"violence_stopped", true}, {"shelter_needed", true}});
  s.Refused(dv, kCivilAffairs, "place_in_shelter", {{"shelter_name", "县救助站"}},
            StatusCode::kInvalidArgument);
  EXPECT_EQ(s.Fire(dv, kCivilAffairs, "place_in_shelter",
                   {{"shelter_name", "县救助站"}, {"shelter_kind", "temporary_shelter"},
                    {"sheltered_at", Now(s)}}),
            "evidence_and_medical");
  EXPECT_EQ(s.Case(dv).data.value("shelter_kind", ""), "temporary_shelter");
}

}  // namespace
}  // namespace shouhu::scenario
