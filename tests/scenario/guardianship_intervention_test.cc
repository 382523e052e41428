// Scenarios of guardianship intervention (监护干预,
// workflows/guardianship_intervention.json), the track that runs alongside a
// mandatory report's monitoring on the same child's file: graded sanctions,
// and a petition to revoke guardianship on each ground the rule allows, filed
// only by the parties it names. The six-month ground needs both the refusal
// for six months and the child left without means of living, each recorded
// (issue 14, item 13); the child's village committee may open the
// intervention and file the petition, also for close relatives.
#include "scenario/scenario.h"

namespace shouhu::scenario {
namespace {

using namespace std::chrono_literals;

const char* kOfficer = "u0008";
const char* kStationChief = "u0010";
const char* kCaseWorker = "u0011";
const char* kVillageCommittee = "u0014";  // 城关新社区村（居）委会
const char* kHepingCommittee = "u0016";   // 和平村村（居）委会 (chengguan-v02)
const char* kTeacher = "u0021";
const std::vector<std::string> kCivilAffairs = {"u0003", "u0004"};
const std::vector<std::string> kCounty = {"u0001", "u0002"};

std::string Now(Scenario& s) { return FormatInstant(s.Now()); }

std::string Start(Scenario& s) {
  json data = {{"child_name", "陈小军"},
               {"child_birth_date", "2013-01-20"},
               {"guardian_name", "陈某"},
               {"guardian_relation", "父亲"},
               {"intervention_reason", "多次醉酒打骂儿童"},
               {"child_unit", "chengguan"}};  // the child's township: not the station's unit
  s.OpenRefused(kTeacher, "guardianship_intervention", data, StatusCode::kPermissionDenied);
  std::string id = s.Open(kOfficer, "guardianship_intervention", data);
  EXPECT_EQ(s.State(id), "sanctions");
  EXPECT_EQ(s.Case(id).unit, "chengguan");
  std::vector<std::string> told = kCivilAffairs;
  told.push_back(kCaseWorker);
  s.ExpectNotice(s.TakeOutbox(), "intervention_started", told, {"sms", "email"});
  return id;
}

// Graded sanctions; each restarts the monthly progress review.
void Sanction(Scenario& s, const std::string& id, const std::string& level) {
  Instant review = *s.TimerDue(id, "progress_review");
  s.Advance(24h);
  EXPECT_EQ(s.Fire(id, kOfficer, "sanction",
                   {{"sanction_level", level}, {"sanction_note", "已处置"}}),
            "sanctions");
  EXPECT_GT(*s.TimerDue(id, "progress_review"), review);
}

void CourtDecides(Scenario& s, const std::string& id) {
  s.Refused(id, kVillageCommittee, "court_decision",
            {{"court_outcome", "revoked"}, {"closure_note", "x"}}, StatusCode::kPermissionDenied);
  EXPECT_EQ(s.Fire(id, kCivilAffairs[0], "court_decision",
                   {{"court_outcome", "revoked"}, {"closure_note", "指定祖父母为监护人"},
                    {"new_guardian", "陈爷爷"}}),
            "closed");
  EXPECT_TRUE(s.Case(id).timers.empty());
}

SCENARIO(GuardianshipIntervention, EducationFailedPetitionByVillageCommittee) {
  std::string id = Start(s);
  // Education comes first: without any sanction the ground does not hold.
  s.Refused(id, kOfficer, "education_did_not_help",
            {{"left_in_danger", true}, {"education_failed", true}},
            StatusCode::kFailedPrecondition);
  // A month with no action: the officer, then the station chief.
  s.Advance(std::chrono::days(31));
  s.ExpectNotice(s.TakeOutbox(), "intervention_review", {"u0008", "u0009"}, {"sms"});
  s.Advance(std::chrono::days(7));
  s.ExpectNotice(s.TakeOutbox(), "intervention_review", {kStationChief}, {"sms"});
  Sanction(s, id, "criticism_education");
  Sanction(s, id, "public_security_penalty");
  EXPECT_EQ(s.Fire(id, kOfficer, "education_did_not_help",
                   {{"left_in_danger", true}, {"education_failed", true}}),
            "petition_eligible");
  s.ExpectNotice(s.TakeOutbox(), "petition_possible", kCivilAffairs, {"sms", "email"});
  json petition = {{"petitioner", "village_committee"},
                   {"petition_ground", "education_failed"},
                   {"petition_filed_at", Now(s)}};
  // Only close relatives (recorded by civil affairs), the village committee
  // or county civil affairs may petition; not the police, not a teacher.
  s.Refused(id, kOfficer, "file_petition", petition, StatusCode::kPermissionDenied);
  s.Refused(id, kTeacher, "file_petition", petition, StatusCode::kPermissionDenied);
  // The ground must be one that holds.
  json wrong = petition;
  wrong["petition_ground"] = "serious_harm";
  s.Refused(id, kVillageCommittee, "file_petition", wrong, StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.Fire(id, kVillageCommittee, "file_petition", petition), "petition_filed");
  CourtDecides(s, id);
}

SCENARIO(GuardianshipIntervention, SixMonthsOfRefusalMakeAPetitionPossible) {
  std::string id = Start(s);
  // The guardian has refused the duty since 1 October 2025: the six months
  // count from then, so the petition is possible from 1 April 2026.
  EXPECT_EQ(s.Fire(id, kCaseWorker, "record_refusal",
                   {{"refusal_since", "2025-10-01T00:00:00+08:00"}}),
            "refusal_watch");
  EXPECT_EQ(s.TimerDue(id, "six_months_refusal"), At("2026-04-01T00:00:00+08:00"));
  // Meanwhile the child is found left without means of living: recorded.
  s.Refused(id, kCaseWorker, "record_without_means",
            {{"without_means", false}, {"without_means_note", "x"}},
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.Fire(id, kCaseWorker, "record_without_means",
                   {{"without_means", true}, {"without_means_note", "父亲三月未寄生活费，儿童靠邻居接济"}}),
            "refusal_watch");
  s.AdvanceTo(At("2026-03-31T23:59:00+08:00"));
  EXPECT_EQ(s.State(id), "refusal_watch");
  s.AdvanceTo(At("2026-04-01T00:00:00+08:00"));
  EXPECT_EQ(s.State(id), "petition_eligible");
  s.ExpectNotice(s.TakeOutbox(), "refusal_six_months", kCivilAffairs, {"sms", "email"});
  // Civil affairs decides within a month, or the county is told.
  s.Advance(std::chrono::days(30));
  s.ExpectNotice(s.TakeOutbox(), "intervention_review", kCivilAffairs, {"email"});
  s.Advance(std::chrono::days(7));
  s.ExpectNotice(s.TakeOutbox(), "intervention_review", kCounty, {"email"});
  EXPECT_EQ(s.Fire(id, kCivilAffairs[1], "file_petition",
                   {{"petitioner", "county_civil_affairs"},
                    {"petition_ground", "refused_six_months"},
                    {"petition_filed_at", Now(s)}}),
            "petition_filed");
  CourtDecides(s, id);
}

SCENARIO(GuardianshipIntervention, SeriousHarmPetitionForCloseRelatives) {
  std::string id = Start(s);
  s.Refused(id, kOfficer, "record_serious_harm", {{"serious_harm", false}},
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.Fire(id, kStationChief, "record_serious_harm", {{"serious_harm", true}}),
            "petition_eligible");
  s.TakeOutbox();
  EXPECT_EQ(s.Fire(id, kCivilAffairs[0], "file_petition",
                   {{"petitioner", "close_relative"},
                    {"petition_ground", "serious_harm"},
                    {"petition_filed_at", Now(s)},
                    {"petitioner_name", "陈外婆"},
                    {"petitioner_relation", "外祖母"}}),
            "petition_filed");
  CourtDecides(s, id);
}

SCENARIO(GuardianshipIntervention, GuardianResumesTheDuty) {
  std::string a = Start(s);
  Sanction(s, a, "criticism_education");
  EXPECT_EQ(s.Fire(a, kOfficer, "guardian_resumed", {{"closure_note", "经批评教育已改正"}}),
            "closed");
  std::string b = Start(s);
  s.Fire(b, kOfficer, "record_refusal", {{"refusal_since", Now(s)}});
  s.Advance(std::chrono::days(60));
  EXPECT_EQ(s.State(b), "refusal_watch");  // two months are not six
  EXPECT_EQ(s.Fire(b, kCaseWorker, "guardian_resumed", {{"closure_note", "父亲返乡照料"}}),
            "closed");
  EXPECT_TRUE(s.Case(b).timers.empty());
}

// The child's village committee opens the intervention (a close relative,
// the grandmother, asked for it) and files the petition for her; six months
// of refusal alone are no ground until the child is found without means.
SCENARIO(GuardianshipIntervention, VillageCommitteeOpensAndPetitionsForACloseRelative) {
  std::string id = s.Open(kHepingCommittee, "guardianship_intervention",
                          {{"child_name", "陈小芳"},
                           {"child_birth_date", "2014-07-01"},
                           {"child_unit", "chengguan-v02"},
                           {"guardian_name", "陈某某"},
                           {"intervention_reason", "父亲外出后不再联系、不付生活费"},
                           {"requester_name", "陈奶奶"},
                           {"requester_relation", "祖母"}});
  EXPECT_EQ(s.Case(id).unit, "chengguan-v02");
  std::vector<std::string> told = kCivilAffairs;
  told.push_back(kCaseWorker);
  s.ExpectNotice(s.TakeOutbox(), "intervention_started", told, {"sms", "email"});
  EXPECT_EQ(s.Fire(id, kOfficer, "record_refusal", {{"refusal_since", "2025-10-01T00:00:00+08:00"}}),
            "refusal_watch");
  s.AdvanceTo(At("2026-04-01T00:00:00+08:00"));
  // The six months reach civil affairs and the child's village committee.
  told = kCivilAffairs;
  told.push_back(kHepingCommittee);
  s.ExpectNotice(s.TakeOutbox(), "refusal_six_months", told, {"sms", "email"});
  json petition = {{"petitioner", "close_relative"},
                   {"petition_ground", "refused_six_months"},
                   {"petition_filed_at", Now(s)},
                   {"petitioner_name", "陈奶奶"},
                   {"petitioner_relation", "祖母"}};
  s.Refused(id, kHepingCommittee, "file_petition", petition, StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.Fire(id, kHepingCommittee, "record_without_means",
                   {{"without_means", true}, {"without_means_note", "祖母无收入，儿童生活无着"}}),
            "petition_eligible");
  // A close relative's petition names them.
  json unnamed = petition;
  unnamed.erase("petitioner_name");
  s.Refused(id, kHepingCommittee, "file_petition", unnamed, StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.Fire(id, kHepingCommittee, "file_petition", petition), "petition_filed");
  CourtDecides(s, id);
}

}  // namespace
}  // namespace shouhu::scenario
