// Deadlines and escalations of the mandatory report as the rules read
// (issue 14, items 5, 6, 7 and 8): a late 3-day feedback escalates to the
// police who owe it even after the case moved on, as one deadline carried
// across the states (not restarted); an escalation leaves "waiting for me"
// once its obligation is met; a step owed by "the owner" of an unowned case
// waits for the holders of the step's role.
//
// The 24-hour township notice (通报乡镇人民政府, item 5) is counted from
// acceptance in every branch, one deadline carried across the branch's
// records (never re-armed by them), present in temporary care, and possible
// while the response is still under way -- a missing child still searched
// for, a shelter still sought -- after which the branch goes straight on to
// the assessment with its last record.
#include "scenario/scenario.h"
#include "shouhu/escalations.h"

#include <algorithm>
#include "../support/test_paths.h"

namespace shouhu::scenario {
namespace {

using namespace std::chrono_literals;

const char* kTeacher = "u0021";        // 城关镇中心小学 班主任
const char* kOfficer = "u0008";        // 城关派出所民警
const char* kStationChief = "u0010";   // 城关派出所所长
const char* kCaseWorker = "u0011";     // 城关镇儿童督导员
const char* kTownshipHead = "u0012";   // 分管副镇长
const std::vector<std::string> kOfficers = {"u0008", "u0009"};

std::string Now(Scenario& s) { return FormatInstant(s.Now()); }

std::string FileAndAccept(Scenario& s, const std::string& category,
                          const std::string& name = "陈小军") {
  std::string id = s.Open(kTeacher, "mandatory_report",
                          {{"child_name", name},
                           {"child_birth_date", "2016-01-20"},
                           {"child_unit", "chengguan-primary"},
                           {"category", category},
                           {"reporter_kind", "mandated"},
                           {"reporter_category", "school"},
                           {"discovered_at", "2026-03-02T08:30:00+08:00"}});
  EXPECT_EQ(s.Fire(id, kOfficer, "accept",
                   {{"intake_kind", "administrative"}, {"accepted_at", Now(s)}}),
            "police_intake");
  s.TakeOutbox();
  return id;
}

// The police respond, entrust a relative and notify the township, without
// the 3-day feedback: the township holds the assessment.
void ToAssessment(Scenario& s, const std::string& id) {
  EXPECT_EQ(s.Fire(id, kOfficer, "respond", {{"responded_at", Now(s)}}), "guardian_response");
  NameEntrustedGuardian(s, id, kOfficer);
  EXPECT_EQ(s.Fire(id, kOfficer, "arrange_guardian",
                   {{"guardian_arrangement", "relative_entrusted"}}),
            "township_notice");
  EXPECT_EQ(s.Fire(id, kOfficer, "notify_township", {{"township_notified_at", Now(s)}}),
            "assessment");
}

// The case is with the township by the time the 3-day feedback is late: it
// still escalates to the station's officers, then its chief, then the county.
SCENARIO(Deadlines, LateFeedbackEscalatesToThePoliceAfterTheyMovedOn) {
  Instant accepted = s.Now();
  std::string id = FileAndAccept(s, "guardian_neglect");
  ToAssessment(s, id);
  s.TakeOutbox();
  EXPECT_EQ(s.AdvanceTo(accepted + 72h), 1u);
  auto out = s.TakeOutbox();
  EXPECT_TRUE(s.TimerDue(id, "feedback_overdue#1").has_value());
  s.ExpectNotice(out, "feedback_overdue", kOfficers, {"sms"});
  EXPECT_EQ(out.size(), 1u);  // not the township case worker who owns the step
  EXPECT_EQ(s.Advance(24h), 1u);
  s.ExpectNotice(s.TakeOutbox(), "feedback_overdue", {kStationChief}, {"sms", "email"});
}

// "Escalations waiting for me" (items 7 and 8).
size_t Waiting(Scenario& s, const std::string& id, const std::string& user) {
  CaseRecord c = s.Case(id);
  std::vector<DefinitionError> errors;
  static const Catalog catalog =
      Catalog::Load({SourceTree("/workflows")}, &errors);
  auto w = catalog.Find(c.workflow_id, c.workflow_version);
  EXPECT_NE(w, nullptr);
  std::vector<HistoryEntry> history = s.History(id);
  return w ? EscalationsWaiting(s.org(), *w, c, history, *s.org().FindUser(user)).size() : 0;
}

size_t EscalationsIn(const std::vector<HistoryEntry>& history) {
  return std::count_if(history.begin(), history.end(),
                       [](const HistoryEntry& h) { return h.kind == "escalation"; });
}

// An escalation ends when its obligation is met: the late feedback, once
// sent, leaves the officers' and the chief's lists; the history keeps it.
SCENARIO(Deadlines, EscalationEndsWhenTheFeedbackIsSent) {
  Instant accepted = s.Now();
  std::string id = FileAndAccept(s, "guardian_neglect");
  ToAssessment(s, id);
  s.AdvanceTo(accepted + 96h);
  EXPECT_EQ(Waiting(s, id, kOfficer), 1u);
  EXPECT_EQ(Waiting(s, id, kStationChief), 1u);
  EXPECT_EQ(Waiting(s, id, kCaseWorker), 0u);
  EXPECT_EQ(s.Fire(id, kOfficer, "send_feedback",
                   {{"feedback_sent_at", Now(s)}, {"feedback_summary", "已受案，已委托亲属监护"}}),
            "assessment");
  EXPECT_EQ(Waiting(s, id, kOfficer), 0u);
  EXPECT_EQ(Waiting(s, id, kStationChief), 0u);
  EXPECT_EQ(EscalationsIn(s.History(id)), 2u);
}

// Nobody owns the report yet: the acceptance escalation addressed to "the
// owner" waits for the station's officers, who hold the step's role.
SCENARIO(Deadlines, UnownedStepEscalatesToTheRoleHolders) {
  std::string id = s.Open(kTeacher, "mandatory_report",
                          {{"child_name", "赵小红"},
                           {"child_unit", "chengguan-v02"},
                           {"category", "living_alone"},
                           {"reporter_kind", "mandated"},
                           {"reporter_category", "school"},
                           {"discovered_at", "2026-03-02T08:30:00+08:00"}});
  s.TakeOutbox();
  EXPECT_EQ(s.Advance(2h), 1u);
  EXPECT_TRUE(s.Case(id).owner.empty());
  s.ExpectNotice(s.TakeOutbox(), "overdue", kOfficers, {"sms"});
  EXPECT_EQ(Waiting(s, id, "u0008"), 1u);
  EXPECT_EQ(Waiting(s, id, "u0009"), 1u);
  EXPECT_EQ(Waiting(s, id, "u0212"), 0u);  // another station
  // Once owned, it waits for the owner only.
  s.Assign(id, kStationChief, "u0009");
  EXPECT_EQ(Waiting(s, id, "u0008"), 0u);
  EXPECT_EQ(Waiting(s, id, "u0009"), 1u);
  // Accepted, the acceptance escalation is over.
  s.Advance(10min);
  EXPECT_EQ(s.Fire(id, "u0009", "accept",
                   {{"intake_kind", "administrative"}, {"accepted_at", Now(s)}}),
            "police_intake");
  EXPECT_EQ(Waiting(s, id, "u0009"), 0u);
}

void NotifyDuringResponse(Scenario& s, const std::string& id) {
  std::string state = s.State(id);
  EXPECT_EQ(s.Fire(id, kOfficer, "notify_township_during_response",
                   {{"township_notified_at", Now(s)}}),
            state);
  s.ExpectNotice(s.TakeOutbox(), "township_notice_early", {kCaseWorker, kTownshipHead},
                 {"sms", "email"});
  EXPECT_FALSE(s.TimerDue(id, "township_notice_due").has_value());
}

// Each branch record leaves the deadline where acceptance put it; at 24 h
// the officers who owe the notice are told, whatever step the case is at.
SCENARIO(TownshipNotice, CountedFromAcceptanceNotFromTheBranchRecord) {
  Instant accepted = s.Now();
  std::string id = FileAndAccept(s, "guardian_neglect", "周小丽");
  EXPECT_EQ(s.TimerDue(id, "township_notice_due"), accepted + 24h);
  s.Advance(3h);
  EXPECT_EQ(s.Fire(id, kOfficer, "respond", {{"responded_at", Now(s)}}), "guardian_response");
  EXPECT_EQ(s.TimerDue(id, "township_notice_due"), accepted + 24h);
  s.Advance(17h);
  NameEntrustedGuardian(s, id, kOfficer);
  EXPECT_EQ(s.Fire(id, kOfficer, "arrange_guardian",
                   {{"guardian_arrangement", "relative_entrusted"}}),
            "township_notice");
  EXPECT_EQ(s.TimerDue(id, "township_notice_due"), accepted + 24h);  // not re-armed
  EXPECT_TRUE(s.TakeOutbox().empty());
  EXPECT_EQ(s.AdvanceTo(accepted + 24h), 1u);
  auto out = s.TakeOutbox();
  ASSERT_EQ(out.size(), 1u);
  s.ExpectNotice(out, "township_notice_overdue", kOfficers, {"sms"});
  EXPECT_EQ(s.Advance(4h), 1u);
  s.ExpectNotice(s.TakeOutbox(), "overdue", {kStationChief}, {"sms"});
  // Notified at last: the chain stops, the assessment starts.
  EXPECT_EQ(s.Fire(id, kOfficer, "notify_township", {{"township_notified_at", Now(s)}}),
            "assessment");
  s.ExpectNotice(s.TakeOutbox(), "township_notice", {kCaseWorker, kTownshipHead},
                 {"sms", "email"});
  EXPECT_FALSE(s.TimerDue(id, "township_notice_overdue#2").has_value());
  s.Advance(48h);
  for (const OutboxEntry& e : s.TakeOutbox()) {
    EXPECT_NE(e.template_id, "overdue") << "the met notice still escalates";
  }
}

// The child is still missing at 20 h: the township is notified while the
// search goes on, nothing escalates at 24 h, and the child found unharmed
// goes straight to the assessment; found harmed, after the evidence.
SCENARIO(TownshipNotice, WhileAMissingChildIsStillSearchedFor) {
  for (const char* condition : {"unharmed", "harmed"}) {
    Instant accepted = s.Now();
    std::string id = FileAndAccept(s, "missing", std::string("吴小东") + condition);
    EXPECT_EQ(s.Fire(id, kOfficer, "respond", {{"responded_at", Now(s)}}), "searching");
    s.Fire(id, kOfficer, "launch_search", {{"search_launched_at", Now(s)}});
    s.Advance(20h);
    s.TakeOutbox();  // the six-hourly search reports
    NotifyDuringResponse(s, id);
    s.AdvanceTo(accepted + 30h);
    for (const OutboxEntry& e : s.TakeOutbox()) {
      EXPECT_EQ(e.template_id, "search_ongoing") << "a notice made was escalated";
    }
    std::string next = s.Fire(id, kOfficer, "found",
                              {{"found_at", Now(s)}, {"child_condition", condition}});
    if (std::string(condition) == "unharmed") {
      EXPECT_EQ(next, "assessment");
    } else {
      EXPECT_EQ(next, "evidence_and_medical");
      EXPECT_EQ(s.Fire(id, kOfficer, "record_evidence",
                       {{"evidence_collected", true}, {"medical_care", "treated"},
                        {"injury_assessment", "requested"}}),
                "assessment");
    }
    EXPECT_FALSE(s.TimerDue(id, "township_notice_due").has_value());
    EXPECT_EQ(s.Case(id).data.value("township_notified_at", ""),
              FormatInstant(accepted + 20h));
  }
}

// Every branch may notify the township before its own records are done,
// and then goes on to the assessment with its last record.
SCENARIO(TownshipNotice, EveryBranchMayNotifyBeforeItEnds) {
  struct Branch {
    const char* category;
    const char* state;
    std::vector<std::pair<std::string, json>> records;  // the last leads on
  };
  const std::vector<Branch> branches = {
      {"living_alone", "living_alone_response",
       {{"order_parents", {{"ordered_at", "2026-03-02T09:00:00+08:00"}}},
        {"reprimand_parents", {{"reprimanded_at", "2026-03-02T09:00:00+08:00"},
                               {"reprimand_note", "当面训诫"}}},
        {"order_return", {{"guardian_arrangement", "parent_returned"}}}}},
      {"guardian_incapable", "guardian_response",
       {{"arrange_guardian", {{"guardian_arrangement", "parent_returned"}}}}},
      {"domestic_violence", "violence_response",
       {{"stop_violence", {{"violence_stopped", true}, {"shelter_needed", false}}},
        {"record_evidence", {{"evidence_collected", true}, {"medical_care", "none_needed"},
                             {"injury_assessment", "not_needed"}}}}},
      {"unlawful_harm", "harm_response",
       {{"stop_harm", {{"protective_measures", "责令离开"}}},
        {"record_evidence", {{"evidence_collected", true}, {"medical_care", "treated"},
                             {"injury_assessment", "completed"}}}}},
  };
  int n = 0;
  for (const Branch& b : branches) {
    SCOPED_TRACE(b.category);
    std::string id = FileAndAccept(s, b.category, "郑小" + std::to_string(++n));
    EXPECT_EQ(s.Fire(id, kOfficer, "respond", {{"responded_at", Now(s)}}), b.state);
    NotifyDuringResponse(s, id);
    for (size_t i = 0; i < b.records.size(); ++i) {
      std::string next = s.Fire(id, kOfficer, b.records[i].first, b.records[i].second);
      if (i + 1 == b.records.size()) {
        EXPECT_EQ(next, "assessment");
      }
    }
  }
  // From the evidence step too: the harm stopped, the notice made while the
  // injury assessment is awaited.
  std::string id = FileAndAccept(s, "accidental_injury", "郑小伤");
  s.Fire(id, kOfficer, "respond", {{"responded_at", Now(s)}});
  EXPECT_EQ(s.Fire(id, kOfficer, "stop_harm", {{"protective_measures", "送医"}}),
            "evidence_and_medical");
  NotifyDuringResponse(s, id);
  EXPECT_EQ(s.Fire(id, kOfficer, "record_evidence",
                   {{"evidence_collected", true}, {"medical_care", "hospitalised"},
                    {"injury_assessment", "completed"}}),
            "assessment");
}

// Temporary care, where the parents may stay unreachable for days, has the
// notice's deadline, carried from acceptance.
SCENARIO(TownshipNotice, TemporaryCareHasTheDeadline) {
  Instant accepted = s.Now();
  std::string id = FileAndAccept(s, "guardian_incapable", "冯小北");
  s.Fire(id, kOfficer, "respond", {{"responded_at", Now(s)}});
  s.Advance(5h);
  EXPECT_EQ(s.Fire(id, kOfficer, "parents_unreachable",
                   {{"temporary_carer", "near_relative"}}),
            "temporary_care");
  s.TakeOutbox();
  EXPECT_EQ(s.TimerDue(id, "township_notice_due"), accepted + 24h);
  EXPECT_EQ(s.AdvanceTo(accepted + 24h), 1u);
  s.ExpectNotice(s.TakeOutbox(), "township_notice_overdue", kOfficers, {"sms"});
}


// Late reports (迟报, item 10): a report filed more than the `reporting`
// level (24 h) after the discovery is flagged on the case when it is opened;
// one filed in time is marked not late. Supervisors count them (GET
// /api/v1/stats, tests/unit/api/directory_routes_test.cc).
SCENARIO(LateReports, FlaggedWhenFiledLongAfterTheDiscovery) {
  json report = {{"child_name", "钱小迟"},
                 {"child_unit", "chengguan-v02"},
                 {"category", "guardian_neglect"},
                 {"reporter_kind", "mandated"},
                 {"reporter_category", "school"}};
  report["discovered_at"] = FormatInstant(s.Now() - 30h);
  std::string late = s.Open(kTeacher, "mandatory_report", report);
  EXPECT_EQ(s.Case(late).data.value("late_report", false), true);
  report["discovered_at"] = FormatInstant(s.Now() - 24h);  // exactly in time
  std::string on_time = s.Open(kTeacher, "mandatory_report", report);
  EXPECT_EQ(s.Case(on_time).data.value("late_report", true), false);
  // The flag is the engine's: a reporter cannot set it.
  report["late_report"] = false;
  s.OpenRefused(kTeacher, "mandatory_report", report, StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shouhu::scenario
