// Scenarios of the mandatory report (强制报告, workflows/mandatory_report.json
// v4): one per emergency branch, each from the report to the close, and the
// deadlines: police acceptance, the legal 3-day feedback, the township notice,
// the assessment in working days, services, visits by risk and the six-month
// review, each escalating up the sample county's tree.
#include "scenario/scenario.h"

namespace shouhu::scenario {
namespace {

using namespace std::chrono_literals;

// The sample county's people (deploy/county/organisation.json), 城关镇.
const char* kTeacher = "u0021";        // 城关镇中心小学 班主任 (reporter)
const char* kVolunteer = "u0278";      // 社会组织志愿者 (voluntary_reporter)
const char* kOfficer = "u0008";        // 派出所民警
const char* kOfficer2 = "u0009";
const char* kStationChief = "u0010";   // 派出所所长 (police_supervisor)
const char* kCountyPolice = "u0006";   // 县公安局 (police_supervisor)
const char* kCaseWorker = "u0011";     // 乡镇儿童督导员
const char* kTownshipHead = "u0012";   // 分管副镇长 (township_supervisor)
const char* kDirector = "u0013";       // 城关新社区儿童主任
const char* kCivilAffairs = "u0003";   // 县民政局
const char* kCivilAffairs2 = "u0004";
const char* kCountySupervisor = "u0001";
const char* kCountySupervisor2 = "u0002";

const std::vector<std::string> kOfficers = {kOfficer, kOfficer2};
const std::vector<std::string> kCounty = {kCountySupervisor, kCountySupervisor2};

std::string Now(Scenario& s) { return FormatInstant(s.Now()); }

json Report(const std::string& category, const std::string& name = "王小明") {
  return {{"child_name", name},
          {"child_birth_date", "2015-04-12"},
          {"child_gender", "male"},
          {"school", "城关镇中心小学"},
          {"grade", "五年级"},
          {"guardian_type", "grandparents"},
          {"guardian_name", "王奶奶"},
          {"category", category},
          {"reporter_kind", "mandated"},
          {"reporter_category", "school"},
          {"discovered_at", "2026-03-02T08:30:00+08:00"}};
}

// The teacher files a report: the station's officers are told at once, and
// the police have the "immediate" service level (2 h) to accept it.
std::string FileReport(Scenario& s, const std::string& category) {
  std::string id = s.Open(kTeacher, "mandatory_report", Report(category));
  EXPECT_EQ(s.State(id), "reported");
  EXPECT_EQ(s.Case(id).workflow_version, 4);
  EXPECT_EQ(s.Case(id).unit, "chengguan-primary");
  EXPECT_EQ(s.TimerDue(id, "acceptance_sla"), s.Now() + 2h);
  auto out = s.TakeOutbox();
  EXPECT_EQ(out.size(), 1u);
  EXPECT_TRUE(s.ExpectNotice(out, "new_report", kOfficers, {"sms", "webhook"}).urgent);
  // Only the police accept; the reporter cannot.
  s.Refused(id, kTeacher, "accept",
            {{"intake_kind", "administrative"}, {"accepted_at", Now(s)}},
            StatusCode::kPermissionDenied);
  return id;
}

// The police accept (受案) and respond; returns the state of the branch.
std::string AcceptAndRespond(Scenario& s, const std::string& id,
                             const std::string& intake = "administrative") {
  s.Advance(30min);
  s.Refused(id, kOfficer, "accept", {{"intake_kind", "administrative"}},
            StatusCode::kInvalidArgument);  // accepted_at is required
  EXPECT_EQ(s.Fire(id, kOfficer, "accept",
                   {{"intake_kind", intake}, {"accepted_at", Now(s)}}),
            "police_intake");
  EXPECT_EQ(s.TimerNames(id), (std::vector<std::string>{"feedback_due", "response_sla",
                                                        "result_reply_due",
                                                        "township_notice_due"}));
  EXPECT_EQ(s.TimerDue(id, "feedback_due"), s.Now() + std::chrono::hours(72));
  EXPECT_EQ(s.TimerDue(id, "response_sla"), s.Now() + 24h);
  // The township notice is due 24 h after acceptance, whatever the branch.
  EXPECT_EQ(s.TimerDue(id, "township_notice_due"), s.Now() + 24h);
  EXPECT_TRUE(s.TakeOutbox().empty());
  s.Advance(20min);
  return s.Fire(id, kOfficer, "respond", {{"responded_at", Now(s)}});
}

// The 3-day feedback to the reporting unit: sent, it stops the deadline.
void SendFeedback(Scenario& s, const std::string& id) {
  std::string state = s.State(id);
  s.Refused(id, kTeacher, "send_feedback",
            {{"feedback_sent_at", Now(s)}, {"feedback_summary", "已受案"}},
            StatusCode::kPermissionDenied);
  EXPECT_EQ(s.Fire(id, kOfficer, "send_feedback",
                   {{"feedback_sent_at", Now(s)}, {"feedback_summary", "已受案，正在处置"}}),
            state);
  EXPECT_FALSE(s.TimerDue(id, "feedback_due").has_value());
  auto out = s.TakeOutbox();
  s.ExpectNotice(out, "feedback_to_reporter", {kTeacher}, {"sms"});
}

// Every branch ends with the police notifying the township (通报乡镇).
void NotifyTownship(Scenario& s, const std::string& id) {
  EXPECT_EQ(s.Fire(id, kOfficer, "notify_township", {{"township_notified_at", Now(s)}}),
            "assessment");
  auto out = s.TakeOutbox();
  EXPECT_TRUE(s.ExpectNotice(out, "township_notice", {kCaseWorker, kTownshipHead},
                             {"sms", "email"}).urgent);
}

// Evidence fixed, medical care and the injury assessment recorded: on to
// the township notice, or to the assessment when the township was notified
// while the response was under way.
void RecordEvidence(Scenario& s, const std::string& id, const std::string& care,
                    const std::string& injury, const std::string& next = "township_notice") {
  EXPECT_EQ(s.Fire(id, kOfficer, "record_evidence",
                   {{"evidence_collected", true}, {"medical_care", care},
                    {"injury_assessment", injury}}),
            next);
}

// Assessment → assistance → monitoring by risk → closed.
void AssessAssistMonitorClose(Scenario& s, const std::string& id,
                              const std::string& risk) {
  ASSERT_EQ(s.State(id), "assessment");
  json assessment = {{"safety_situation", "暂时安全"},
                     {"guardianship_situation", "祖辈监护，能力不足"},
                     {"health_situation", "身体健康，情绪低落"},
                     {"risk_level", risk},
                     {"co_assessors", {"civil_affairs", "police", "school"}},
                     {"assessed_at", Now(s)},
                     {"guardian_phone", "13912340000"}};
  // The township leads, with civil affairs and the police.
  s.Refused(id, kOfficer, "assess", assessment, StatusCode::kPermissionDenied);
  json without_police = assessment;
  without_police["co_assessors"] = {"civil_affairs", "school"};
  s.Refused(id, kCaseWorker, "assess", without_police, StatusCode::kFailedPrecondition);
  s.Advance(2h);
  EXPECT_EQ(s.Fire(id, kCaseWorker, "assess", assessment), "assistance_planning");
  EXPECT_TRUE(s.TimerDue(id, "plan_sla").has_value());

  s.Advance(1h);
  Instant services_due = s.Now() + std::chrono::days(10);
  EXPECT_EQ(s.Fire(id, kCaseWorker, "plan_assistance",
                   {{"services", {"guardianship_guidance", "psychological_counselling"}},
                    {"service_provider", "县未成年人救助保护中心"},
                    {"services_due_at", FormatInstant(services_due)},
                    {"social_assistance", "enrolled"}}),
            "assistance");
  // The services' deadline is the date the plan set.
  EXPECT_EQ(s.TimerDue(id, "services_due"), services_due);
  // The first visit after the assessment is due by risk level; the village's
  // child director makes it the next day, during the assistance.
  EXPECT_GT(*s.TimerDue(id, "first_visit"), s.Now());
  s.Advance(24h);
  json first = {{"visit_kind", "home_visit"}, {"visited_at", Now(s)},
                {"checklist", {"health", "mood", "study", "peers", "family"}}};
  EXPECT_EQ(s.Fire(id, kDirector, "log_visit_during_assistance", first), "assistance");
  Instant visited = s.Now();
  EXPECT_FALSE(s.TimerDue(id, "first_visit").has_value());
  s.Advance(std::chrono::days(6));
  std::string monitoring = s.Fire(id, kCaseWorker, "record_delivery",
                                  {{"delivery_record", "监护指导2次，心理疏导3次"},
                                   {"delivered_at", Now(s)}});
  EXPECT_EQ(monitoring, "monitoring_" + risk);
  auto visit_every = risk == "high"     ? std::chrono::days(7)
                     : risk == "medium" ? std::chrono::days(14)
                                        : std::chrono::days(30);  // unused
  Instant review = *s.TimerDue(id, "six_month_review");
  // Then visits at the level's cadence, counted from the last visit.
  Instant first_visit = *s.TimerDue(id, "visit");
  if (risk != "low") {
    EXPECT_EQ(first_visit, visited + visit_every);
  }
  EXPECT_GT(first_visit, s.Now());

  // A visit with the whole checklist re-arms the visit cadence and keeps the
  // six-month review where it was.
  s.Assign(id, kCaseWorker, kDirector);
  s.Advance(12h);
  json visit = {{"visit_kind", "home_visit"},
                {"visited_at", Now(s)},
                {"checklist", {"health", "mood", "study", "peers"}}};
  s.Refused(id, kDirector, "log_visit", visit, StatusCode::kFailedPrecondition);
  visit["checklist"].push_back("family");
  s.Refused(id, kTeacher, "log_visit", visit, StatusCode::kPermissionDenied);
  EXPECT_EQ(s.Fire(id, kDirector, "log_visit", visit), monitoring);
  EXPECT_EQ(s.TimerDue(id, "six_month_review"), review);
  EXPECT_GT(*s.TimerDue(id, "visit"), first_visit);
  EXPECT_TRUE(s.TakeOutbox().empty());

  json closing = {{"closure_reason", "risk_resolved"}, {"closure_note", "父亲返乡照料"}};
  if (risk == "high") {
    // A high-risk case cannot be closed; it is reassessed first.
    EXPECT_EQ(s.Fire(id, kCaseWorker, "reassess", {{"reassessment_reason", "父亲返乡"}}),
              "assessment");
    assessment["risk_level"] = "medium";
    EXPECT_EQ(s.Fire(id, kCaseWorker, "assess", assessment), "assistance_planning");
    EXPECT_EQ(s.Fire(id, kCaseWorker, "plan_assistance",
                     {{"services", {"family_education"}},
                      {"service_provider", "镇社工站"},
                      {"services_due_at", FormatInstant(s.Now() + std::chrono::days(5))},
                      {"social_assistance", "not_eligible"}}),
              "assistance");
    EXPECT_EQ(s.Fire(id, kCaseWorker, "record_delivery",
                     {{"delivery_record", "家庭教育指导"}, {"delivered_at", Now(s)}}),
              "monitoring_medium");
    s.TakeOutbox();
  }
  s.Refused(id, kCaseWorker, "close", closing, StatusCode::kPermissionDenied);
  s.Assign(id, kTownshipHead, kDirector);
  EXPECT_EQ(s.Fire(id, kTownshipHead, "close", closing), "closed");
  EXPECT_TRUE(s.Case(id).timers.empty());
  auto out = s.TakeOutbox();
  s.ExpectNotice(out, "case_closed", {kTeacher, kDirector}, {"sms"});
}

SCENARIO(MandatoryReport, LivingAloneParentsOrderedBackThenClosed) {
  std::string id = FileReport(s, "living_alone");
  EXPECT_EQ(AcceptAndRespond(s, id), "living_alone_response");
  EXPECT_TRUE(s.TimerDue(id, "action_sla").has_value());
  SendFeedback(s, id);
  // The order to return and the reprimand (训诫) are each recorded, as they
  // happen; the branch ends only after both.
  EXPECT_EQ(s.Fire(id, kOfficer, "order_parents",
                   {{"ordered_at", Now(s)}, {"order_note", "责令父亲三日内返回"}}),
            "living_alone_response");
  s.Refused(id, kOfficer, "order_return", {{"guardian_arrangement", "parent_returned"}},
            StatusCode::kFailedPrecondition);
  s.Advance(10min);
  EXPECT_EQ(s.Fire(id, kOfficer, "reprimand_parents",
                   {{"reprimanded_at", Now(s)}, {"reprimand_note", "电话训诫父亲"}}),
            "living_alone_response");
  EXPECT_EQ(s.Fire(id, kOfficer, "order_return", {{"guardian_arrangement", "parent_returned"}}),
            "township_notice");
  NotifyTownship(s, id);
  AssessAssistMonitorClose(s, id, "low");
}

SCENARIO(MandatoryReport, GuardianNeglectRelativeEntrusted) {
  std::string id = FileReport(s, "guardian_neglect");
  EXPECT_EQ(AcceptAndRespond(s, id, "criminal"), "guardian_response");
  // A relative is entrusted only once named.
  s.Refused(id, kOfficer, "arrange_guardian", {{"guardian_arrangement", "relative_entrusted"}},
            StatusCode::kFailedPrecondition);
  NameEntrustedGuardian(s, id, kOfficer);
  EXPECT_EQ(s.Fire(id, kOfficer, "arrange_guardian",
                   {{"guardian_arrangement", "relative_entrusted"}}),
            "township_notice");
  SendFeedback(s, id);
  NotifyTownship(s, id);
  AssessAssistMonitorClose(s, id, "medium");
}

SCENARIO(MandatoryReport, ParentsUnreachableTemporaryCare) {
  for (const char* category : {"guardian_incapable", "living_alone"}) {
    std::string id = FileReport(s, category);
    AcceptAndRespond(s, id);
    EXPECT_EQ(s.Fire(id, kOfficer, "parents_unreachable",
                     {{"temporary_carer", "relief_institution"}}),
              "temporary_care");
    auto out = s.TakeOutbox();
    s.ExpectNotice(out, "temporary_care", {kCivilAffairs, kCivilAffairs2, kCaseWorker}, {"sms"});
    // The police keep trying the parents: each day without news is escalated.
    // Temporary care has the township notice's deadline too, 24 h from
    // acceptance (20 min before care began): both are late by now.
    EXPECT_EQ(s.TimerDue(id, "township_notice_due"), s.Now() - 20min + 24h);
    EXPECT_EQ(s.Advance(24h), 2u);
    out = s.TakeOutbox();
    s.ExpectNotice(out, "parents_unreachable", kOfficers, {"sms"});
    s.ExpectNotice(out, "township_notice_overdue", kOfficers, {"sms"});
    EXPECT_EQ(s.Advance(4h), 2u);
    out = s.TakeOutbox();
    s.ExpectNotice(out, "parents_unreachable", {kCivilAffairs, kCivilAffairs2}, {"sms"});
    s.ExpectNotice(out, "overdue", {kStationChief}, {"sms"});
    SendFeedback(s, id);
    // The township notice alone does not end temporary care.
    s.Refused(id, kOfficer, "notify_township", {{"township_notified_at", Now(s)}},
              StatusCode::kFailedPrecondition);
    EXPECT_EQ(s.Fire(id, kOfficer, "notify_township_during_response",
                     {{"township_notified_at", Now(s)}}),
              "temporary_care");
    s.TakeOutbox();
    EXPECT_EQ(s.Fire(id, kOfficer, "parents_reached", {{"parents_reached_at", Now(s)}}),
              "care_handover");
    EXPECT_EQ(s.Fire(id, kOfficer, "end_temporary_care", {{"care_ended_at", Now(s)}}),
              "assessment");
    AssessAssistMonitorClose(s, id, "low");
  }
}

SCENARIO(MandatoryReport, MissingChildFoundUnharmed) {
  std::string id = FileReport(s, "missing");
  EXPECT_EQ(AcceptAndRespond(s, id), "searching");
  s.Fire(id, kOfficer, "launch_search", {{"search_launched_at", Now(s)}});
  // The fast search reports to the station chief every six hours.
  EXPECT_EQ(s.Advance(6h), 1u);
  auto out = s.TakeOutbox();
  s.ExpectNotice(out, "search_ongoing", {kStationChief}, {"sms"});
  SendFeedback(s, id);
  s.Refused(id, kOfficer, "found", {{"found_at", Now(s)}}, StatusCode::kInvalidArgument);
  EXPECT_EQ(s.Fire(id, kOfficer, "found",
                   {{"found_at", Now(s)}, {"child_condition", "unharmed"}}),
            "township_notice");
  NotifyTownship(s, id);
  AssessAssistMonitorClose(s, id, "low");
}

SCENARIO(MandatoryReport, MissingChildFoundHarmedGetsEvidenceAndCare) {
  std::string id = FileReport(s, "missing");
  EXPECT_EQ(AcceptAndRespond(s, id, "criminal"), "searching");
  s.Fire(id, kOfficer2, "launch_search", {{"search_launched_at", Now(s)}});
  EXPECT_EQ(s.Fire(id, kOfficer2, "found",
                   {{"found_at", Now(s)}, {"child_condition", "harmed"}}),
            "evidence_and_medical");
  SendFeedback(s, id);
  s.Refused(id, kOfficer, "record_evidence",
            {{"evidence_collected", false}, {"medical_care", "treated"},
             {"injury_assessment", "requested"}},
            StatusCode::kFailedPrecondition);
  RecordEvidence(s, id, "hospitalised", "completed");
  NotifyTownship(s, id);
  AssessAssistMonitorClose(s, id, "high");
}

SCENARIO(MandatoryReport, DomesticViolenceShelterByCivilAffairs) {
  std::string id = FileReport(s, "domestic_violence");
  EXPECT_EQ(AcceptAndRespond(s, id, "criminal"), "violence_response");
  EXPECT_EQ(s.Fire(id, kOfficer, "stop_violence",
                   {{"violence_stopped", true}, {"shelter_needed", true}}),
            "shelter_placement");
  auto out = s.TakeOutbox();
  EXPECT_TRUE(s.ExpectNotice(out, "shelter_request", {kCivilAffairs, kCivilAffairs2},
                             {"sms", "email"}).urgent);
  // The placement may take longer than the township notice's 24 h from
  // acceptance: the police notify the township while it is under way.
  EXPECT_EQ(s.Fire(id, kOfficer, "notify_township_during_response",
                   {{"township_notified_at", Now(s)}}),
            "shelter_placement");
  s.ExpectNotice(s.TakeOutbox(), "township_notice_early", {kCaseWorker, kTownshipHead},
                 {"sms", "email"});
  EXPECT_FALSE(s.TimerDue(id, "township_notice_due").has_value());
  // Civil affairs places the child; the police cannot.
  json placed = {{"shelter_name", "县未成年人救助保护中心"},
                 {"shelter_kind", "relief_institution"},
                 {"sheltered_at", Now(s)}};
  s.Refused(id, kOfficer, "place_in_shelter", placed, StatusCode::kPermissionDenied);
  // Not placed within the "first moment" level (24 h): civil affairs' own
  // step is overdue, then the county supervisors are told.
  EXPECT_EQ(s.Advance(24h), 1u);
  out = s.TakeOutbox();
  s.ExpectNotice(out, "overdue", {kCivilAffairs, kCivilAffairs2}, {"sms"});
  EXPECT_EQ(s.Advance(4h), 1u);
  out = s.TakeOutbox();
  s.ExpectNotice(out, "overdue", kCounty, {"sms", "email"});
  EXPECT_EQ(s.Case(id).priority, Priority::kHigh);
  EXPECT_TRUE(s.Case(id).overdue);
  SendFeedback(s, id);
  placed["sheltered_at"] = Now(s);
  EXPECT_EQ(s.Fire(id, kCivilAffairs, "place_in_shelter", placed), "evidence_and_medical");
  EXPECT_FALSE(s.Case(id).overdue);
  RecordEvidence(s, id, "treated", "requested", "assessment");  // notified already
  AssessAssistMonitorClose(s, id, "medium");
}

SCENARIO(MandatoryReport, DomesticViolenceWithoutShelter) {
  std::string id = FileReport(s, "domestic_violence");
  EXPECT_EQ(AcceptAndRespond(s, id), "violence_response");
  SendFeedback(s, id);
  s.Refused(id, kOfficer, "stop_violence",
            {{"violence_stopped", false}, {"shelter_needed", false}},
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.Fire(id, kOfficer, "stop_violence",
                   {{"violence_stopped", true}, {"shelter_needed", false}}),
            "evidence_and_medical");
  RecordEvidence(s, id, "none_needed", "not_needed");
  NotifyTownship(s, id);
  AssessAssistMonitorClose(s, id, "low");
}

SCENARIO(MandatoryReport, UnlawfulHarmStoppedEvidenceMedical) {
  std::string id = FileReport(s, "unlawful_harm");
  EXPECT_EQ(AcceptAndRespond(s, id, "criminal"), "harm_response");
  SendFeedback(s, id);
  EXPECT_EQ(s.Fire(id, kOfficer, "stop_harm", {{"protective_measures", "隔离加害人"}}),
            "evidence_and_medical");
  RecordEvidence(s, id, "treated", "completed");
  NotifyTownship(s, id);
  AssessAssistMonitorClose(s, id, "high");
}

SCENARIO(MandatoryReport, TransferredOutsideTheStationsArea) {
  // A voluntary report by a volunteer, transferred (移送) before acceptance.
  json voluntary = Report("accidental_injury", "李小红");
  voluntary["reporter_kind"] = "voluntary";
  // A voluntary reporter is not one of the mandated units, and back.
  s.OpenRefused(kVolunteer, "mandatory_report", voluntary, StatusCode::kFailedPrecondition);
  voluntary["reporter_category"] = "citizen";
  s.OpenRefused(kOfficer, "mandatory_report", voluntary, StatusCode::kPermissionDenied);
  std::string id = s.Open(kVolunteer, "mandatory_report", voluntary);
  s.TakeOutbox();
  EXPECT_EQ(s.Fire(id, kOfficer, "transfer", {{"transfer_to", "qingshi-police"}}), "transferred");
  auto out = s.TakeOutbox();
  s.ExpectNotice(out, "transfer_notice", {kVolunteer}, {"sms"});
  EXPECT_TRUE(s.Case(id).timers.empty());
  s.Refused(id, kOfficer, "accept", {{"intake_kind", "administrative"}, {"accepted_at", Now(s)}},
            StatusCode::kFailedPrecondition);

  // And one transferred after acceptance, by the station chief.
  std::string second = FileReport(s, "accidental_injury");
  s.Fire(second, kOfficer, "accept", {{"intake_kind", "administrative"}, {"accepted_at", Now(s)}});
  EXPECT_EQ(s.Fire(second, kStationChief, "transfer", {{"transfer_to", "qingshan-police"}}),
            "transferred");
  out = s.TakeOutbox();
  s.ExpectNotice(out, "transfer_notice", {kTeacher}, {"sms"});
}

SCENARIO(MandatoryReport, AcceptanceOverdueClimbsToTheCounty) {
  std::string id = FileReport(s, "living_alone");
  // 2 h: the owner (the station's officers); 1 h later the station chief;
  // 4 h after the start the county supervisors, each raising the priority.
  EXPECT_EQ(s.Advance(2h), 1u);
  auto out = s.TakeOutbox();
  ASSERT_EQ(out.size(), 1u);
  s.ExpectNotice(out, "overdue", kOfficers, {"sms"});
  EXPECT_TRUE(s.Case(id).overdue);
  EXPECT_EQ(s.Case(id).priority, Priority::kNormal);
  EXPECT_EQ(s.Advance(59min), 0u);
  EXPECT_EQ(s.Advance(1min), 1u);
  out = s.TakeOutbox();
  s.ExpectNotice(out, "overdue", {kStationChief}, {"sms", "email"});
  EXPECT_EQ(s.Case(id).priority, Priority::kHigh);
  EXPECT_EQ(s.Advance(3h), 1u);
  out = s.TakeOutbox();
  s.ExpectNotice(out, "overdue", kCounty, {"sms", "email", "webhook"});
  s.ExpectNotice(out, "overdue", {"u0293", "u0294"}, {"sms", "email"});  // the procuratorate
  EXPECT_EQ(s.Case(id).priority, Priority::kUrgent);
  EXPECT_TRUE(s.Case(id).timers.empty());  // the chain has run out
  // Who was told and when is in the history.
  int escalations = 0;
  for (const HistoryEntry& h : s.History(id)) {
    if (h.kind == "escalation") ++escalations;
  }
  EXPECT_EQ(escalations, 4);
  s.Fire(id, kOfficer, "accept", {{"intake_kind", "administrative"}, {"accepted_at", Now(s)}});
  EXPECT_FALSE(s.Case(id).overdue);
  SendFeedback(s, id);  // at once, still in police intake
  EXPECT_EQ(s.State(id), "police_intake");
}

SCENARIO(MandatoryReport, ThreeDayFeedbackEscalatesUntilSent) {
  std::string id = FileReport(s, "guardian_neglect");
  s.Fire(id, kOfficer, "accept", {{"intake_kind", "criminal"}, {"accepted_at", Now(s)}});
  Instant accepted = s.Now();
  // No response within the "first moment" (24 h): owner, +2 h the station
  // chief, +12 h the county police. The township notice, due 24 h after
  // acceptance too, is late as well: the officers, +4 h the chief.
  EXPECT_EQ(s.Advance(24h), 2u);
  auto late = s.TakeOutbox();
  s.ExpectNotice(late, "overdue", kOfficers, {"sms"});
  s.ExpectNotice(late, "township_notice_overdue", kOfficers, {"sms"});
  EXPECT_EQ(s.Advance(2h), 1u);
  s.ExpectNotice(s.TakeOutbox(), "overdue", {kStationChief}, {"sms"});
  EXPECT_EQ(s.Advance(10h), 2u);
  late = s.TakeOutbox();
  s.ExpectNotice(late, "overdue", {kCountyPolice}, {"sms", "email"});
  s.ExpectNotice(late, "overdue", {kStationChief}, {"sms"});  // the notice, +4 h
  // Moving on keeps the feedback deadline, counted from acceptance.
  Instant responded = s.Now();  // accepted + 36 h
  s.Fire(id, kOfficer, "respond", {{"responded_at", Now(s)}});
  EXPECT_EQ(s.TimerDue(id, "feedback_due"), accepted + std::chrono::hours(72));
  const Instant action_due = responded + std::chrono::hours(24);  // accepted + 60 h
  EXPECT_EQ(s.TimerDue(id, "action_sla"), action_due);
  // The clock jumps to the feedback deadline: the branch's action deadline
  // ran out 12 h before it was found. An escalation chain counts its steps
  // from its timer's due time, not from when it fired, so the action chain's
  // owner step (due +60 h), station chief step (+2 h: +62 h) and county
  // police step (+12 h: +72 h, exactly now) are all due and run at once;
  // the feedback chain starts on time with its owner step; the township
  // notice's chain, carried over from intake, reached the county at +48 h.
  // action_sla, feedback_due, township_notice_overdue#2:
  EXPECT_EQ(s.AdvanceTo(accepted + std::chrono::hours(72)), 3u);
  auto out = s.TakeOutbox();
  s.ExpectNotice(out, "feedback_overdue", kOfficers, {"sms"});
  s.ExpectNotice(out, "overdue", kOfficers, {"sms"});
  s.ExpectNotice(out, "overdue", {kStationChief}, {"sms"});
  s.ExpectNotice(out, "overdue", {kCountyPolice}, {"sms", "email"});
  s.ExpectNotice(out, "overdue", kCounty, {"sms", "email"});
  EXPECT_EQ(out.size(), 5u);
  EXPECT_FALSE(s.TimerDue(id, "feedback_due").has_value());  // fired
  // The action chain has run out; its steps are on the clock of its due time.
  EXPECT_FALSE(s.TimerDue(id, "police_response_overdue#1").has_value());
  EXPECT_FALSE(s.TimerDue(id, "police_response_overdue#2").has_value());
  std::vector<Instant> action_steps;
  for (const HistoryEntry& h : s.History(id)) {
    if (h.kind == "escalation" && h.name == "police_response_overdue" &&
        h.at >= action_due) {
      action_steps.push_back(h.at);
      EXPECT_EQ(h.data["step"], static_cast<int>(action_steps.size()) - 1);
      EXPECT_EQ(h.at, accepted + std::chrono::hours(72));  // run when found
    }
  }
  EXPECT_EQ(action_steps.size(), 3u);
  // The feedback chain's +1 d step is due a day after the feedback deadline.
  EXPECT_EQ(s.TimerDue(id, "feedback_overdue#1"),
            accepted + std::chrono::hours(72 + 24));
  EXPECT_EQ(s.Advance(24h - 1ms), 0u);
  EXPECT_TRUE(s.TakeOutbox().empty());
  EXPECT_EQ(s.Advance(1ms), 1u);
  out = s.TakeOutbox();
  s.ExpectNotice(out, "feedback_overdue", {kStationChief}, {"sms", "email"});
  EXPECT_EQ(out.size(), 1u);
  EXPECT_EQ(s.TimerDue(id, "feedback_overdue#2"),
            accepted + std::chrono::hours(72 + 48));
  // Sending the feedback ends the feedback chain.
  SendFeedback(s, id);
  EXPECT_FALSE(s.TimerDue(id, "feedback_overdue#2").has_value());
  EXPECT_FALSE(s.TimerDue(id, "action_sla").has_value());  // fired
  NameEntrustedGuardian(s, id, kOfficer);
  EXPECT_EQ(s.Fire(id, kOfficer, "arrange_guardian",
                   {{"guardian_arrangement", "entrusted_guardian"}}),
            "township_notice");
  EXPECT_FALSE(s.TimerDue(id, "feedback_due").has_value());  // sent already
  // The branch record does not re-arm the township notice: its deadline ran
  // from acceptance and its chain has run out, so nobody is told again.
  EXPECT_FALSE(s.TimerDue(id, "township_notice_due").has_value());
  EXPECT_EQ(s.Advance(48h), 0u);
  EXPECT_TRUE(s.TakeOutbox().empty());
  NotifyTownship(s, id);
}

SCENARIO(MandatoryReport, AssessmentServicesVisitsAndReviewDeadlines) {
  std::string id = FileReport(s, "guardian_incapable");
  s.Fire(id, kOfficer, "accept", {{"intake_kind", "administrative"}, {"accepted_at", Now(s)}});
  s.Fire(id, kOfficer, "respond", {{"responded_at", Now(s)}});
  NameEntrustedGuardian(s, id, kOfficer);
  s.Fire(id, kOfficer, "arrange_guardian", {{"guardian_arrangement", "relative_entrusted"}});
  // Thursday 2 April 2026, 10:00: five working days skip Qingming (4–6 April)
  // and the weekend, so the assessment is due on Friday 10 April.
  s.AdvanceTo(At("2026-04-02T10:00:00+08:00"));
  s.TakeOutbox();
  NotifyTownship(s, id);
  // The feedback, a month late (its escalations ran meanwhile), sent from
  // the assessment: no feedback deadline is armed any more.
  SendFeedback(s, id);
  EXPECT_FALSE(s.TimerDue(id, "feedback_due").has_value());
  EXPECT_EQ(s.TimerDue(id, "assessment_sla"), At("2026-04-10T10:00:00+08:00"));
  s.AdvanceTo(At("2026-04-10T10:00:00+08:00"));
  s.ExpectNotice(s.TakeOutbox(), "overdue", {kCaseWorker}, {"sms"});
  s.Advance(24h);
  s.ExpectNotice(s.TakeOutbox(), "overdue", {kTownshipHead}, {"sms", "email"});
  s.Advance(48h);
  s.ExpectNotice(s.TakeOutbox(), "overdue", kCounty, {"email", "webhook"});
  s.Fire(id, kCaseWorker, "assess",
         {{"safety_situation", "安全"}, {"guardianship_situation", "亲属代为监护"},
          {"health_situation", "良好"}, {"risk_level", "high"},
          {"co_assessors", {"civil_affairs", "police"}}, {"assessed_at", Now(s)}});
  s.Fire(id, kCaseWorker, "plan_assistance",
         {{"services", {"medical_treatment"}}, {"service_provider", "镇卫生院"},
          {"services_due_at", FormatInstant(s.Now() + std::chrono::days(3))},
          {"social_assistance", "applied"}});
  // The first visit after the assessment, made at once during the assistance.
  s.Fire(id, kDirector, "log_visit_during_assistance",
         {{"visit_kind", "home_visit"}, {"visited_at", Now(s)},
          {"checklist", {"health", "mood", "study", "peers", "family"}}});
  Instant visited = s.Now();
  // Services not delivered by their date: the case worker, then the
  // township head, then the county.
  EXPECT_EQ(s.Advance(std::chrono::days(3)), 1u);
  s.ExpectNotice(s.TakeOutbox(), "overdue", {kCaseWorker}, {"sms"});
  EXPECT_EQ(s.Advance(std::chrono::days(2)), 1u);
  s.ExpectNotice(s.TakeOutbox(), "overdue", {kTownshipHead}, {"sms", "email"});
  s.Fire(id, kCaseWorker, "record_delivery",
         {{"delivery_record", "已就医"}, {"delivered_at", Now(s)}});
  ASSERT_EQ(s.State(id), "monitoring_high");
  Instant entered = s.Now();
  s.Assign(id, kCaseWorker, kDirector);
  // High risk: a visit a week, counted from the last one. None logged since
  // the first: the director, 3 days later the township head, 7 days later
  // the county.
  EXPECT_EQ(s.TimerDue(id, "visit"), visited + std::chrono::days(7));
  EXPECT_EQ(s.AdvanceTo(visited + std::chrono::days(7)), 1u);
  s.ExpectNotice(s.TakeOutbox(), "visit_overdue", {kDirector}, {"sms"});
  EXPECT_EQ(s.Advance(std::chrono::days(3)), 1u);
  s.ExpectNotice(s.TakeOutbox(), "visit_overdue", {kTownshipHead}, {"sms"});
  s.Fire(id, kDirector, "log_visit",
         {{"visit_kind", "follow_up"}, {"visited_at", Now(s)},
          {"checklist", {"health", "mood", "study", "peers", "family"}}});
  EXPECT_FALSE(s.Case(id).overdue);
  // Six months after monitoring began, the review sends the case back to
  // assessment, whatever the visits.
  for (int week = 0; week < 40 && s.State(id) == "monitoring_high"; ++week) {
    s.Advance(std::chrono::days(6));
    if (s.State(id) != "monitoring_high") break;
    s.Fire(id, kDirector, "log_visit",
           {{"visit_kind", "visit"}, {"visited_at", Now(s)},
            {"checklist", {"health", "mood", "study", "peers", "family"}}});
  }
  EXPECT_EQ(s.State(id), "assessment");
  bool reviewed = false;
  for (const HistoryEntry& h : s.History(id)) {
    if (h.kind == "timer" && h.name == "six_month_review") {
      EXPECT_EQ(h.data.value("due", ""),
                FormatInstant(AddDuration(entered, Duration{0, 6, 0, 0},
                                          std::chrono::hours(8))));
    }
    if (h.kind == "event" && h.name == "review_due") {
      reviewed = true;
      EXPECT_EQ(h.actor, "system");
    }
  }
  EXPECT_TRUE(reviewed);
  auto out = s.TakeOutbox();
  s.ExpectNotice(out, "review_due", {kCaseWorker}, {"sms"});
  // Nobody but the timer fires the review.
  s.Refused(id, kCaseWorker, "review_due", json::object(), StatusCode::kPermissionDenied);
}

// From assessment to monitoring at `risk`, with the director as owner.
void ToMonitoring(Scenario& s, const std::string& id, const std::string& risk) {
  EXPECT_EQ(s.Fire(id, kCaseWorker, "assess",
                   {{"safety_situation", "安全"}, {"guardianship_situation", "有人监护"},
                    {"health_situation", "良好"}, {"risk_level", risk},
                    {"co_assessors", {"civil_affairs", "police"}}, {"assessed_at", Now(s)}}),
            "assistance_planning");
  s.Fire(id, kCaseWorker, "plan_assistance",
         {{"services", {"after_school_care"}}, {"service_provider", "村儿童之家"},
          {"services_due_at", FormatInstant(s.Now() + 24h)}, {"social_assistance", "not_eligible"}});
  // The first visit after the assessment, during the assistance.
  s.Fire(id, kDirector, "log_visit_during_assistance",
         {{"visit_kind", "home_visit"}, {"visited_at", Now(s)},
          {"checklist", {"health", "mood", "study", "peers", "family"}}});
  EXPECT_EQ(s.Fire(id, kCaseWorker, "record_delivery",
                   {{"delivery_record", "已安排课后看护"}, {"delivered_at", Now(s)}}),
            "monitoring_" + risk);
  s.Assign(id, kCaseWorker, kDirector);
}

// Visits on time, `every` apart, until the six-month review moves the case.
void VisitUntilReview(Scenario& s, const std::string& id, std::chrono::hours every) {
  std::string monitoring = s.State(id);
  Instant review = *s.TimerDue(id, "six_month_review");
  while (s.State(id) == monitoring) {
    s.Advance(every);
    if (s.State(id) != monitoring) break;
    s.Fire(id, kDirector, "log_visit",
           {{"visit_kind", "follow_up"}, {"visited_at", Now(s)},
            {"checklist", {"health", "mood", "study", "peers", "family"}}});
  }
  EXPECT_EQ(s.State(id), "assessment");
  EXPECT_GE(s.Now(), review);
  EXPECT_LT(s.Now(), review + every);
  for (const OutboxEntry& e : s.TakeOutbox()) {
    EXPECT_EQ(e.template_id, "review_due") << "a visit on time was escalated";
  }
}

SCENARIO(MandatoryReport, RiskChangesReassessedAndReviewedAtEveryLevel) {
  std::string id = FileReport(s, "guardian_neglect");
  AcceptAndRespond(s, id);
  SendFeedback(s, id);
  s.Fire(id, kOfficer, "send_result_reply",
         {{"result_reply_sent_at", Now(s)}, {"result_reply_summary", "父亲已返乡"}});
  s.Fire(id, kOfficer, "arrange_guardian", {{"guardian_arrangement", "parent_returned"}});
  NotifyTownship(s, id);
  // Low → reassessed (the father left again) → medium → reassessed → medium
  // → six-month review → low → six-month review → low → closed.
  ToMonitoring(s, id, "low");
  EXPECT_EQ(s.Fire(id, kCaseWorker, "reassess", {{"reassessment_reason", "父亲再次外出"}}),
            "assessment");
  ToMonitoring(s, id, "medium");
  s.Refused(id, kDirector, "reassess", {{"reassessment_reason", "x"}},
            StatusCode::kPermissionDenied);
  EXPECT_EQ(s.Fire(id, kCaseWorker, "reassess", {{"reassessment_reason", "复核"}}),
            "assessment");
  ToMonitoring(s, id, "medium");
  VisitUntilReview(s, id, std::chrono::hours(13 * 24));
  ToMonitoring(s, id, "low");
  VisitUntilReview(s, id, std::chrono::hours(27 * 24));
  ToMonitoring(s, id, "low");
  EXPECT_EQ(s.Fire(id, kTownshipHead, "close",
                   {{"closure_reason", "risk_resolved"}, {"closure_note", "监护到位"}}),
            "closed");
}

}  // namespace
}  // namespace shouhu::scenario
