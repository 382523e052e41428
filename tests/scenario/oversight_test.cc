// Oversight of the mandatory report (issue 19, items 2 and 3): the reply to
// the reporter on the process or result within 3 months of acceptance, the
// flags that show both replies late (the 3-day feedback yellow, the 3-month
// reply red), and the county procuratorate's watch — the escalations that
// reach it and the supervision opinion the police must answer in time.
#include <algorithm>

#include "scenario/scenario.h"
#include "shouhu/flags.h"
#include "../support/test_paths.h"

namespace shouhu::scenario {
namespace {

using namespace std::chrono_literals;

// The sample county's people (deploy/county/organisation.json), 城关镇.
const char* kTeacher = "u0021";       // 城关镇中心小学 班主任 (reporter)
const char* kOfficer = "u0008";       // 城关派出所民警
const char* kOfficer2 = "u0009";
const char* kStationChief = "u0010";  // 城关派出所所长 (police_supervisor)
const char* kCountyPolice = "u0006";  // 县公安局治安大队 (police_supervisor)
const char* kCaseWorker = "u0011";    // 城关镇儿童督导员
const char* kDirector = "u0013";      // 城关新社区儿童主任
const char* kProcurator = "u0293";    // 县人民检察院 (procurator)
const char* kProcurator2 = "u0294";

const std::vector<std::string> kOfficers = {kOfficer, kOfficer2};
const std::vector<std::string> kCounty = {"u0001", "u0002"};
const std::vector<std::string> kProcurators = {kProcurator, kProcurator2};

std::string Now(Scenario& s) { return FormatInstant(s.Now()); }

json Report(const std::string& category, const std::string& name) {
  return {{"child_name", name},
          {"child_birth_date", "2016-09-01"},
          {"category", category},
          {"reporter_kind", "mandated"},
          {"reporter_category", "school"},
          {"discovered_at", "2026-03-02T08:30:00+08:00"}};
}

// The ids of the flags the case raises now (shouhu/flags.h), on the
// definitions in workflows/.
std::vector<std::string> Flags(Scenario& s, const std::string& id) {
  static const Catalog catalog = [] {
    std::vector<DefinitionError> errors;
    Catalog c = Catalog::Load({SourceTree("/workflows")}, &errors);
    EXPECT_TRUE(errors.empty());
    return c;
  }();
  CaseRecord c = s.Case(id);
  auto w = catalog.Find(c.workflow_id, c.workflow_version);
  EXPECT_TRUE(w);
  std::vector<std::string> out;
  if (!w) return out;
  for (const FlagDef* f : RaisedFlags(*w, c)) out.push_back(f->id);
  return out;
}

// Opens a report and accepts it at once; returns the case id.
std::string Accepted(Scenario& s, const std::string& category, const std::string& child) {
  std::string id = s.Open(kTeacher, "mandatory_report", Report(category, child));
  EXPECT_EQ(s.Fire(id, kOfficer, "accept",
                   {{"intake_kind", "administrative"}, {"accepted_at", Now(s)}}),
            "police_intake");
  s.TakeOutbox();
  return id;
}

// --- item 2: the reply on the process or result within 3 months ----------

SCENARIO(ResultReply, DueThreeMonthsAfterAcceptanceFlaggedRedAndEscalated) {
  std::string id = Accepted(s, "guardian_neglect", "韩小雪");
  const Instant accepted = s.Now();
  // Three calendar months in Beijing time: 2 March → 2 June.
  const Instant due = At("2026-06-02T09:00:00+08:00");
  EXPECT_EQ(s.TimerDue(id, "result_reply_due"), due);
  EXPECT_TRUE(Flags(s, id).empty());
  // The 3-day feedback, on time; the case moves on: the 3-month deadline
  // stays where acceptance put it.
  EXPECT_EQ(s.Fire(id, kOfficer, "send_feedback",
                   {{"feedback_sent_at", Now(s)}, {"feedback_summary", "已受案"}}),
            "police_intake");
  s.Fire(id, kOfficer, "respond", {{"responded_at", Now(s)}});
  s.Fire(id, kOfficer, "arrange_guardian", {{"guardian_arrangement", "parent_returned"}});
  EXPECT_EQ(s.State(id), "township_notice");
  EXPECT_EQ(s.TimerDue(id, "result_reply_due"), due);
  s.Fire(id, kOfficer, "notify_township", {{"township_notified_at", Now(s)}});
  s.Fire(id, kCaseWorker, "assess",
         {{"safety_situation", "安全"}, {"guardianship_situation", "亲属照料"},
          {"health_situation", "良好"}, {"risk_level", "low"},
          {"co_assessors", {"civil_affairs", "police"}}, {"assessed_at", Now(s)}});
  EXPECT_EQ(s.State(id), "assistance_planning");
  EXPECT_EQ(s.TimerDue(id, "result_reply_due"), due);

  // One instant before the deadline: nothing; at it, the officers who owe
  // the reply are told and the case is flagged red.
  s.AdvanceTo(due - 1ms);
  s.TakeOutbox();
  EXPECT_TRUE(Flags(s, id).empty());
  s.Advance(1ms);
  auto out = s.TakeOutbox();
  s.ExpectNotice(out, "result_reply_overdue", kOfficers, {"sms"});
  EXPECT_EQ(Flags(s, id), std::vector<std::string>{"result_reply_late"});
  // +3 days the station chief, +7 days the county and the procuratorate.
  EXPECT_EQ(s.TimerDue(id, "result_reply_overdue#1"), due + std::chrono::days(3));
  s.AdvanceTo(due + std::chrono::days(3));
  s.ExpectNotice(s.TakeOutbox(), "result_reply_overdue", {kStationChief}, {"sms", "email"});
  s.AdvanceTo(due + std::chrono::days(7));
  out = s.TakeOutbox();
  s.ExpectNotice(out, "result_reply_overdue", kCounty, {"email", "webhook"});
  s.ExpectNotice(out, "result_reply_overdue", kProcurators, {"sms", "email"});
  EXPECT_EQ(out.size(), 2u);
  EXPECT_EQ(Flags(s, id), std::vector<std::string>{"result_reply_late"});

  // The reporter cannot send it; the police can, from any step: the flag
  // goes, the reporter is told.
  json reply = {{"result_reply_sent_at", Now(s)},
                {"result_reply_summary", "已委托亲属监护，乡镇已完成评估"}};
  s.Refused(id, kTeacher, "send_result_reply", reply, StatusCode::kPermissionDenied);
  EXPECT_EQ(s.Fire(id, kStationChief, "send_result_reply", reply), "assistance_planning");
  s.ExpectNotice(s.TakeOutbox(), "result_reply_to_reporter", {kTeacher}, {"sms"});
  EXPECT_TRUE(Flags(s, id).empty());
  EXPECT_FALSE(s.TimerDue(id, "result_reply_due").has_value());
  // Its reply date cannot precede the acceptance.
  s.Refused(id, kOfficer, "send_result_reply",
            {{"result_reply_sent_at", FormatInstant(accepted - 1min)},
             {"result_reply_summary", "x"}},
            StatusCode::kInvalidArgument);
}

SCENARIO(ResultReply, BothRepliesLateShowYellowAndRed) {
  std::string id = Accepted(s, "living_alone", "吕小河");
  EXPECT_TRUE(Flags(s, id).empty());
  // No feedback in 3 days: yellow.
  s.Advance(72h);
  EXPECT_EQ(Flags(s, id), std::vector<std::string>{"feedback_late"});
  // Still none 3 months after acceptance: yellow and red.
  s.AdvanceTo(At("2026-06-02T09:00:00+08:00"));
  EXPECT_EQ(Flags(s, id), (std::vector<std::string>{"feedback_late", "result_reply_late"}));
  // The feedback sent: the red flag stays until the result is replied.
  s.Fire(id, kOfficer, "send_feedback",
         {{"feedback_sent_at", Now(s)}, {"feedback_summary", "已受案"}});
  EXPECT_EQ(Flags(s, id), std::vector<std::string>{"result_reply_late"});
  s.Fire(id, kOfficer, "send_result_reply",
         {{"result_reply_sent_at", Now(s)}, {"result_reply_summary", "父母已返回"}});
  EXPECT_TRUE(Flags(s, id).empty());
}

SCENARIO(ResultReply, VisitsInMonitoringDoNotRepeatTheLateReplysEscalation) {
  std::string id = Accepted(s, "guardian_neglect", "程小溪");
  s.Fire(id, kOfficer, "send_feedback",
         {{"feedback_sent_at", Now(s)}, {"feedback_summary", "已受案"}});
  s.Fire(id, kOfficer, "respond", {{"responded_at", Now(s)}});
  s.Fire(id, kOfficer, "arrange_guardian", {{"guardian_arrangement", "parent_returned"}});
  s.Fire(id, kOfficer, "notify_township", {{"township_notified_at", Now(s)}});
  s.Fire(id, kCaseWorker, "assess",
         {{"safety_situation", "安全"}, {"guardianship_situation", "父亲返回"},
          {"health_situation", "良好"}, {"risk_level", "low"},
          {"co_assessors", {"civil_affairs", "police"}}, {"assessed_at", Now(s)}});
  s.Fire(id, kCaseWorker, "plan_assistance",
         {{"services", {"family_education"}}, {"service_provider", "镇社工站"},
          {"services_due_at", FormatInstant(s.Now() + 24h)}, {"social_assistance", "not_eligible"}});
  json visit = {{"visit_kind", "home_visit"}, {"visited_at", Now(s)},
                {"checklist", {"health", "mood", "study", "peers", "family"}}};
  s.Fire(id, kDirector, "log_visit_during_assistance", visit);
  EXPECT_EQ(s.Fire(id, kCaseWorker, "record_delivery",
                   {{"delivery_record", "家庭教育指导"}, {"delivered_at", Now(s)}}),
            "monitoring_low");
  s.TakeOutbox();
  // Monthly visits on time until the reply is a week late.
  const Instant due = At("2026-06-02T09:00:00+08:00");
  while (s.Now() < due + std::chrono::days(8)) {
    s.Advance(std::chrono::days(25));
    visit["visited_at"] = Now(s);
    EXPECT_EQ(s.Fire(id, kDirector, "log_visit", visit), "monitoring_low");
  }
  int told = 0;
  for (const OutboxEntry& e : s.TakeOutbox()) {
    if (e.template_id == "result_reply_overdue") ++told;
    else ADD_FAILURE() << "a visit on time was escalated: " << e.template_id;
  }
  // The chain's four steps (officers, chief, county, procuratorate), once
  // each: a logged visit re-enters the state without re-arming the
  // deadline, which stays fired, nor restarting its chain.
  EXPECT_EQ(told, 4);
  EXPECT_EQ(Flags(s, id), std::vector<std::string>{"result_reply_late"});
  s.Advance(std::chrono::days(20));
  visit["visited_at"] = Now(s);
  s.Fire(id, kDirector, "log_visit", visit);
  s.Advance(std::chrono::days(20));
  EXPECT_TRUE(s.TakeOutbox().empty());
}

// Every step after the acceptance carries the 3-month deadline, as one
// deadline counted from the acceptance (a step added later without it would
// stop the clock).
TEST(ResultReply, EveryStepAfterTheAcceptanceHasTheDeadline) {
  std::vector<DefinitionError> errors;
  Catalog catalog = Catalog::Load({SourceTree("/workflows")}, &errors);
  ASSERT_TRUE(errors.empty());
  auto w = catalog.Newest("mandatory_report");
  ASSERT_TRUE(w);
  for (const StateDef& st : w->states) {
    if (st.terminal || st.id == w->initial_state) continue;
    auto t = std::find_if(st.timers.begin(), st.timers.end(),
                          [](const TimerDef& x) { return x.id == "result_reply_due"; });
    ASSERT_NE(t, st.timers.end()) << st.id;
    EXPECT_EQ(t->from_field, "accepted_at") << st.id;
    EXPECT_EQ(t->until_field, "result_reply_sent_at") << st.id;
    EXPECT_EQ(t->service_level, "result_reply") << st.id;
    EXPECT_EQ(t->escalation, "result_reply_overdue") << st.id;
    EXPECT_TRUE(t->keep) << st.id;
    const EventDef* reply = w->FindEvent("send_result_reply");
    ASSERT_TRUE(reply);
    EXPECT_NE(std::find(reply->from.begin(), reply->from.end(), st.id), reply->from.end())
        << "no reply from " << st.id;
  }
}

// --- item 3: the procuratorate's watch -------------------------------------

SCENARIO(Procuratorate, HearsOfALateIntakeAndALateFeedback) {
  std::string id = s.Open(kTeacher, "mandatory_report", Report("missing", "邵小云"));
  s.TakeOutbox();
  // Acceptance overdue (2 h): the officers, +1 h the chief, +4 h the county
  // with the procuratorate.
  s.Advance(2h + 4h);
  auto out = s.TakeOutbox();
  s.ExpectNotice(out, "overdue", kCounty, {"sms", "email", "webhook"});
  s.ExpectNotice(out, "overdue", kProcurators, {"sms", "email"});
  EXPECT_EQ(out.size(), 4u);
  s.Fire(id, kOfficer, "accept", {{"intake_kind", "criminal"}, {"accepted_at", Now(s)}});
  s.TakeOutbox();
  // The 3-day feedback: the officers, +1 d the chief, +2 d the county with
  // the procuratorate.
  s.Advance(72h + 48h);
  out = s.TakeOutbox();
  s.ExpectNotice(out, "feedback_overdue", kOfficers, {"sms"});
  s.ExpectNotice(out, "feedback_overdue", {kStationChief}, {"sms", "email"});
  s.ExpectNotice(out, "feedback_overdue", kCounty, {"email", "webhook"});
  s.ExpectNotice(out, "feedback_overdue", kProcurators, {"sms", "email"});
}

SCENARIO(Procuratorate, SupervisionOpinionAnsweredInTimeOrEscalated) {
  std::string id = Accepted(s, "domestic_violence", "尹小禾");
  EXPECT_FALSE(s.TimerDue(id, "supervision_answer_due").has_value());
  json opinion = {{"supervision_kind", "correction_notice"},
                  {"supervision_opinion", "受案后未及时出警，请纠正并书面回复"},
                  {"supervision_opinion_at", Now(s)}};
  // Only the procuratorate gives one.
  s.Refused(id, kStationChief, "record_supervision_opinion", opinion,
            StatusCode::kPermissionDenied);
  EXPECT_EQ(s.Fire(id, kProcurator, "record_supervision_opinion", opinion), "police_intake");
  s.ExpectNotice(s.TakeOutbox(), "supervision_opinion", {kOfficer, kOfficer2, kStationChief},
                 {"sms", "email"});
  // A notice to correct a violation: 15 days (the level by kind).
  const Instant due = s.Now() + std::chrono::days(15);
  EXPECT_EQ(s.TimerDue(id, "supervision_answer_due"), due);
  // The case moves on; the deadline with it.
  s.Fire(id, kOfficer, "respond", {{"responded_at", Now(s)}});
  EXPECT_EQ(s.State(id), "violence_response");
  EXPECT_EQ(s.TimerDue(id, "supervision_answer_due"), due);
  // The procuratorate cannot answer its own opinion.
  json answer = {{"supervision_answer", "已出警处置，并对相关民警批评教育"},
                 {"supervision_answered_at", Now(s)}};
  s.Refused(id, kProcurator, "answer_supervision_opinion", answer,
            StatusCode::kPermissionDenied);

  // Unanswered at the deadline: the station chief, +1 d the county police
  // and the procuratorate; flagged red.
  s.AdvanceTo(due);
  auto out = s.TakeOutbox();
  s.ExpectNotice(out, "supervision_answer_overdue", {kStationChief}, {"sms", "email"});
  auto flags = Flags(s, id);
  EXPECT_NE(std::find(flags.begin(), flags.end(), "supervision_answer_late"), flags.end());
  s.Advance(24h);
  out = s.TakeOutbox();
  s.ExpectNotice(out, "supervision_answer_overdue", {kCountyPolice}, {"sms", "email"});
  s.ExpectNotice(out, "supervision_answer_overdue", kProcurators, {"sms", "email"});

  // Answered: the procuratorate is told, the flag and the deadline go.
  answer["supervision_answered_at"] = Now(s);
  EXPECT_EQ(s.Fire(id, kStationChief, "answer_supervision_opinion", answer),
            "violence_response");
  s.ExpectNotice(s.TakeOutbox(), "supervision_answered", kProcurators, {"sms", "email"});
  flags = Flags(s, id);
  EXPECT_EQ(std::find(flags.begin(), flags.end(), "supervision_answer_late"), flags.end());
  EXPECT_FALSE(s.TimerDue(id, "supervision_answer_due").has_value());

  // A procuratorial suggestion later: two months to answer, counted afresh.
  s.Advance(24h);
  opinion = {{"supervision_kind", "procuratorial_suggestion"},
             {"supervision_opinion", "建议完善家庭暴力案件出警处置机制"},
             {"supervision_opinion_at", Now(s)}};
  s.Fire(id, kProcurator2, "record_supervision_opinion", opinion);
  EXPECT_FALSE(s.Case(id).data.contains("supervision_answered_at")) << "the old answer is cleared";
  EXPECT_EQ(s.TimerDue(id, "supervision_answer_due"), At("2026-05-19T09:00:00+08:00"));
}

// The procuratorate may give an opinion at every step of an open case, and
// the police answer it and reply to the reporter there, staying where they
// are (and the coverage check sees each event fired from each step).
void OverseeHere(Scenario& s, const std::string& id) {
  std::string state = s.State(id);
  SCOPED_TRACE(state);
  EXPECT_EQ(s.Fire(id, kProcurator, "record_supervision_opinion",
                   {{"supervision_kind", "supervision_opinion"},
                    {"supervision_opinion", "请说明当前处置进展"},
                    {"supervision_opinion_at", Now(s)}}),
            state);
  EXPECT_TRUE(s.TimerDue(id, "supervision_answer_due").has_value());
  EXPECT_EQ(s.Fire(id, kOfficer, "answer_supervision_opinion",
                   {{"supervision_answer", "已说明"}, {"supervision_answered_at", Now(s)}}),
            state);
  EXPECT_FALSE(s.TimerDue(id, "supervision_answer_due").has_value());
  if (state != "reported") {
    EXPECT_EQ(s.Fire(id, kOfficer, "send_result_reply",
                     {{"result_reply_sent_at", Now(s)}, {"result_reply_summary", "处置中"}}),
              state);
  }
  s.TakeOutbox();
}

SCENARIO(Procuratorate, OpinionsAnswersAndRepliesAtEveryStep) {
  auto accept = [&](const std::string& id) {
    OverseeHere(s, id);
    s.Fire(id, kOfficer, "accept", {{"intake_kind", "criminal"}, {"accepted_at", Now(s)}});
    OverseeHere(s, id);
    s.Fire(id, kOfficer, "respond", {{"responded_at", Now(s)}});
    OverseeHere(s, id);
  };
  json assessed = {{"safety_situation", "安全"}, {"guardianship_situation", "有人监护"},
                   {"health_situation", "良好"}, {"co_assessors", {"civil_affairs", "police"}}};
  auto monitor = [&](const std::string& id, const std::string& risk) {
    assessed["risk_level"] = risk;
    assessed["assessed_at"] = Now(s);
    s.Fire(id, kCaseWorker, "assess", assessed);
    OverseeHere(s, id);  // assistance_planning
    s.Fire(id, kCaseWorker, "plan_assistance",
           {{"services", {"after_school_care"}}, {"service_provider", "村儿童之家"},
            {"services_due_at", FormatInstant(s.Now() + 24h)},
            {"social_assistance", "not_eligible"}});
    OverseeHere(s, id);  // assistance
    EXPECT_EQ(s.Fire(id, kCaseWorker, "record_delivery",
                     {{"delivery_record", "已安排"}, {"delivered_at", Now(s)}}),
              "monitoring_" + risk);
    OverseeHere(s, id);
  };
  // Living alone, parents unreachable: temporary care, then the township's
  // assessment and monitoring at each risk level.
  std::string a = s.Open(kTeacher, "mandatory_report", Report("living_alone", "甲小一"));
  accept(a);  // reported, police_intake, living_alone_response
  s.Fire(a, kOfficer, "parents_unreachable", {{"temporary_carer", "near_relative"}});
  OverseeHere(s, a);  // temporary_care
  // The notice goes out while care goes on (issue 14); the care ends once
  // the parents are reached.
  s.Fire(a, kOfficer, "notify_township_during_response", {{"township_notified_at", Now(s)}});
  s.Fire(a, kOfficer, "parents_reached", {{"parents_reached_at", Now(s)}});
  OverseeHere(s, a);  // care_handover
  EXPECT_EQ(s.Fire(a, kOfficer, "end_temporary_care", {{"care_ended_at", Now(s)}}), "assessment");
  OverseeHere(s, a);  // assessment
  for (const char* risk : {"high", "medium", "low"}) {
    monitor(a, risk);
    if (std::string(risk) != "low") {
      s.Fire(a, kCaseWorker, "reassess", {{"reassessment_reason", "复核"}});
    }
  }
  // Missing, found harmed: evidence and medical care, then the notice.
  std::string b = s.Open(kTeacher, "mandatory_report", Report("missing", "乙小二"));
  accept(b);  // ... searching
  s.Fire(b, kOfficer, "found", {{"found_at", Now(s)}, {"child_condition", "harmed"}});
  OverseeHere(s, b);  // evidence_and_medical
  s.Fire(b, kOfficer, "record_evidence",
         {{"evidence_collected", true}, {"medical_care", "treated"},
          {"injury_assessment", "requested"}});
  OverseeHere(s, b);  // township_notice
  std::string c = s.Open(kTeacher, "mandatory_report", Report("guardian_neglect", "丙小三"));
  accept(c);  // ... guardian_response
  std::string d = s.Open(kTeacher, "mandatory_report", Report("domestic_violence", "丁小四"));
  accept(d);  // ... violence_response
  s.Fire(d, kOfficer, "stop_violence", {{"violence_stopped", true}, {"shelter_needed", true}});
  OverseeHere(s, d);  // shelter_placement
  std::string e = s.Open(kTeacher, "mandatory_report", Report("unlawful_harm", "戊小五"));
  accept(e);  // ... harm_response
}

}  // namespace
}  // namespace shouhu::scenario
