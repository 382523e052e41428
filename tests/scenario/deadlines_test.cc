// Deadlines and escalations of the mandatory report as the rules read
// (issue 14, items 6, 7 and 8): a late 3-day feedback escalates to the police
// who owe it even after the case moved on, as one deadline carried across the
// states (not restarted); an escalation leaves "waiting for me" once its
// obligation is met; a step owed by "the owner" of an unowned case waits for
// the holders of the step's role.
#include "scenario/scenario.h"
#include "shouhu/escalations.h"

#include <algorithm>

namespace shouhu::scenario {
namespace {

using namespace std::chrono_literals;

const char* kTeacher = "u0021";        // 城关镇中心小学 班主任
const char* kOfficer = "u0008";        // 城关派出所民警
const char* kStationChief = "u0010";   // 城关派出所所长
const char* kCaseWorker = "u0011";     // 城关镇儿童督导员
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
      Catalog::Load({std::string(SHOUHU_SOURCE_DIR) + "/workflows"}, &errors);
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

}  // namespace
}  // namespace shouhu::scenario
