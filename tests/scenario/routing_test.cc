// Routing and jurisdiction of the mandatory report (issue 14, items 1 and 2):
// a report belongs to the place where the child is, whoever files it, and
// police stations (派出所) are units of the county public security bureau
// whose jurisdiction is the townships they serve. The sample county's
// Dongfeng station serves Dongfeng and Gaoqiao; the county hospital and the
// county social-work centre lie outside every township.
#include <algorithm>

#include "scenario/scenario.h"

namespace shouhu::scenario {
namespace {

using namespace std::chrono_literals;

const char* kHospitalDoctor = "u0290";    // 县人民医院 (reporter, medical)
const char* kSocialWorker = "u0291";      // 县青少年社会工作服务中心 (reporter)
const char* kSocialVolunteer = "u0292";   // same centre (voluntary_reporter)
// 东风派出所 serves 东风乡 and 高桥乡.
const std::vector<std::string> kStationOfficers = {"u0212", "u0213", "u0258", "u0259"};
const std::vector<std::string> kStationChiefs = {"u0214", "u0260"};
const char* kStationOfficer = "u0258";
const char* kGaoqiaoCaseWorker = "u0261";
const char* kGaoqiaoHead = "u0262";
const char* kGaoqiaoHepingDirector = "u0265";  // 高桥乡和平村 (gaoqiao-v02)
const char* kDongfengDirector = "u0217";       // 东风乡新村
const std::vector<std::string> kChengguanOfficers = {"u0008", "u0009"};

std::string Now(Scenario& s) { return FormatInstant(s.Now()); }

json Report(const std::string& unit, const std::string& category,
            const std::string& reporter_kind, const std::string& reporter_category) {
  json r = {{"child_name", "刘小雨"},
            {"child_birth_date", "2014-09-01"},
            {"category", category},
            {"reporter_kind", reporter_kind},
            {"reporter_category", reporter_category},
            {"discovered_at", "2026-03-02T08:00:00+08:00"}};
  if (!unit.empty()) r["child_unit"] = unit;
  return r;
}

// The same report about another child (one child's reports join its open
// case: same_child in the workflow).
json About(json report, const std::string& child_name) {
  report["child_name"] = child_name;
  return report;
}

bool Covers(Scenario& s, const std::string& user, const std::string& unit) {
  return s.org().Covers(s.org().FindUser(user)->unit, unit);
}

// The sample county models the stations: the bureau's units, serving townships.
SCENARIO(Routing, PoliceStationsServeTownships) {
  const Unit* station = s.org().FindUnit("dongfeng-police");
  ASSERT_NE(station, nullptr);
  EXPECT_EQ(station->type, "police_station");
  EXPECT_EQ(station->parent, "qingshan-police");
  EXPECT_EQ(station->serves, (std::vector<std::string>{"dongfeng", "gaoqiao"}));
  // Jurisdiction: the served townships' subtrees, not the neighbours'.
  EXPECT_TRUE(Covers(s, kStationOfficer, "gaoqiao-v02"));
  EXPECT_TRUE(Covers(s, kStationOfficer, "dongfeng-primary"));
  EXPECT_TRUE(Covers(s, kStationOfficer, "gaoqiao"));
  EXPECT_FALSE(Covers(s, kStationOfficer, "hongyan-v01"));
  EXPECT_FALSE(Covers(s, kStationOfficer, "qingshan"));
  EXPECT_FALSE(Covers(s, "u0008", "gaoqiao-v02"));  // 城关派出所
  // Every township is served by exactly one station.
  for (const Unit& u : s.org().units()) {
    if (u.parent != "qingshan" || u.type == "public_security" || u.type == "medical" ||
        u.type == "social_organisation" || u.type == "procuratorate") {
      continue;
    }
    int stations = 0;
    for (const Unit& st : s.org().units()) {
      stations += std::count(st.serves.begin(), st.serves.end(), u.id);
    }
    EXPECT_EQ(stations, 1) << u.id;
  }
}

// A county hospital's report about a child in a Gaoqiao village reaches the
// station serving Gaoqiao; the case belongs to the village; the township
// notice goes to Gaoqiao; the village's own child director works on it.
SCENARIO(Routing, CountyHospitalReportGoesToTheChildsPlace) {
  EXPECT_FALSE(Covers(s, kHospitalDoctor, "gaoqiao-v02"));
  std::string id = s.Open(kHospitalDoctor, "mandatory_report",
                          Report("gaoqiao-v02", "unlawful_harm", "mandated", "medical"));
  EXPECT_EQ(s.Case(id).unit, "gaoqiao-v02");
  EXPECT_EQ(s.Case(id).reporter, kHospitalDoctor);
  auto out = s.TakeOutbox();
  EXPECT_TRUE(s.ExpectNotice(out, "new_report", kStationOfficers, {"sms", "webhook"}).urgent);

  // Unaccepted, it escalates to the station's chiefs, then to the county.
  EXPECT_EQ(s.Advance(2h), 1u);
  s.ExpectNotice(s.TakeOutbox(), "overdue", kStationOfficers, {"sms"});
  EXPECT_EQ(s.Advance(1h), 1u);
  s.ExpectNotice(s.TakeOutbox(), "overdue", kStationChiefs, {"sms", "email"});

  EXPECT_EQ(s.Fire(id, kStationOfficer, "accept",
                   {{"intake_kind", "criminal"}, {"accepted_at", Now(s)}}),
            "police_intake");
  EXPECT_EQ(s.Fire(id, kStationOfficer, "respond", {{"responded_at", Now(s)}}), "harm_response");
  EXPECT_EQ(s.Fire(id, kStationOfficer, "send_feedback",
                   {{"feedback_sent_at", Now(s)}, {"feedback_summary", "已立案"}}),
            "harm_response");
  s.ExpectNotice(s.TakeOutbox(), "feedback_to_reporter", {kHospitalDoctor}, {"sms"});
  EXPECT_EQ(s.Fire(id, kStationOfficer, "stop_harm", {{"protective_measures", "隔离施害人"}}),
            "evidence_and_medical");
  EXPECT_EQ(s.Fire(id, kStationOfficer, "record_evidence",
                   {{"evidence_collected", true}, {"medical_care", "treated"},
                    {"injury_assessment", "requested"}}),
            "township_notice");
  EXPECT_EQ(s.Fire(id, kStationOfficer, "notify_township", {{"township_notified_at", Now(s)}}),
            "assessment");
  s.ExpectNotice(s.TakeOutbox(), "township_notice", {kGaoqiaoCaseWorker, kGaoqiaoHead},
                 {"sms", "email"});
  // Read and work access follow the case's unit: Gaoqiao's people and the
  // village's own child director, not the reporter's unit or a neighbour.
  EXPECT_TRUE(Covers(s, kGaoqiaoCaseWorker, s.Case(id).unit));
  EXPECT_TRUE(Covers(s, kGaoqiaoHepingDirector, s.Case(id).unit));
  EXPECT_FALSE(Covers(s, kDongfengDirector, s.Case(id).unit));
  EXPECT_FALSE(Covers(s, kHospitalDoctor, s.Case(id).unit));
  s.Assign(id, kGaoqiaoCaseWorker, kGaoqiaoHepingDirector);
  EXPECT_EQ(s.Fire(id, kGaoqiaoCaseWorker, "assess",
                   {{"safety_situation", "已脱离危险"}, {"guardianship_situation", "母亲监护"},
                    {"health_situation", "轻伤，已治疗"}, {"risk_level", "medium"},
                    {"co_assessors", {"civil_affairs", "police", "medical"}},
                    {"assessed_at", Now(s)}}),
            "assistance_planning");
}

// The county social-work centre reports as a mandated reporter and as a
// voluntary one: both reach the station of the child's township. A child's
// place that is no unit is refused; without one the case stays the filer's.
SCENARIO(Routing, SocialOrganisationReportsAndBadPlaces) {
  std::string mandated = s.Open(kSocialWorker, "mandatory_report",
                                Report("chengguan-v02", "living_alone", "mandated", "social_work"));
  EXPECT_EQ(s.Case(mandated).unit, "chengguan-v02");
  s.ExpectNotice(s.TakeOutbox(), "new_report", kChengguanOfficers, {"sms", "webhook"});
  std::string voluntary =
      s.Open(kSocialVolunteer, "mandatory_report",
             About(Report("gaoqiao-primary", "guardian_neglect", "voluntary",
                          "social_organisation"),
                   "陈小东"));
  EXPECT_EQ(s.Case(voluntary).unit, "gaoqiao-primary");
  s.ExpectNotice(s.TakeOutbox(), "new_report", kStationOfficers, {"sms", "webhook"});

  s.OpenRefused(kSocialWorker, "mandatory_report",
                Report("no-such-village", "living_alone", "mandated", "social_work"),
                StatusCode::kInvalidArgument);
  std::string unplaced = s.Open("u0021", "mandatory_report",
                                About(Report("", "living_alone", "mandated", "school"),
                                      "赵小北"));
  EXPECT_EQ(s.Case(unplaced).unit, "chengguan-primary");
}

}  // namespace
}  // namespace shouhu::scenario
