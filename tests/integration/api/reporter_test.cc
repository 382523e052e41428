// The reporter and the child's file through the real daemon (issue 14, items
// 15-20): the file changed directly by its place's case workers, kept with
// who and when; a second report joining the open case (or flagged, when the
// workflow says so); the reporter's own submission and the police feedback
// in their view and nothing else; the reporter's name, unit and phone for
// police and supervisors and nobody else; dates checked with every bad
// field named at once; refused reads in the audit trail.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "../../support/run_program.h"
#include "api_daemon.h"

namespace shouhu {
namespace {

using nlohmann::json;
using testing::ApiDaemon;
using testing::kTeacher;
using testing::kPolice;

constexpr const char* kVolunteer = "u0278";    // voluntary reporter, 城关镇; 雷强
constexpr const char* kChief = "u0010";        // police supervisor, 城关派出所
constexpr const char* kCaseWorker = "u0011";   // township case worker, 城关镇
constexpr const char* kTownHead = "u0012";     // township supervisor, 城关镇
constexpr const char* kDirector = "u0013";     // child director, 城关新社区
constexpr const char* kCivil = "u0003";        // county civil affairs
constexpr const char* kOtherChief = "u0036";   // police supervisor, 青石镇
constexpr const char* kHelper = "u0022";       // helper teacher

json Body(const cli::HttpReply& r) { return json::parse(r.body.empty() ? "{}" : r.body); }

// A report that identifies the child (name and birth date).
json Report(const std::string& name, const std::string& unit = "") {
  json body = testing::ReportBody(name);
  body["data"]["child_birth_date"] = "2016-02-03";
  body["data"]["guardian_phone"] = "13911112222";
  body["data"]["description"] = "DESC-孩子独自在家一周";
  if (!unit.empty()) body["data"]["child_unit"] = unit;
  return body;
}

class ReporterTest : public ::testing::Test {
 protected:
  void SetUp() override { daemon_.Start(); }

  cli::HttpReply Send(const std::string& user, const std::string& method,
                      const std::string& path, const json& body = nullptr) {
    return daemon_.ClientFor(user)->Send(method, path, body.is_null() ? "" : body.dump());
  }
  std::string File(const std::string& user, const json& body) {
    auto r = Send(user, "POST", "/api/v1/cases", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return Body(r).value("case_id", "");
  }
  std::string ChildOf(const std::string& case_id) {
    return Body(Send(kPolice, "GET", "/api/v1/cases/" + case_id)).value("child_id", "");
  }
  // The audit trail, read offline after the daemon stopped.
  json AuditLog() {
    EXPECT_EQ(daemon_.Stop(), 0);
    auto r = testing::RunProgram(testing::kCliPath,
                                 {"audit", "show", "--data-dir", daemon_.data_dir(), "--key-file",
                                  daemon_.key_path(), "--json"},
                                 daemon_.dir());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  }
  static bool Has(const json& log, const std::string& user, const std::string& action,
                  const std::string& case_id = "", const std::string& child_id = "") {
    return std::any_of(log.begin(), log.end(), [&](const json& a) {
      return a["user"] == user && a["action"] == action &&
             (case_id.empty() || a["case"] == case_id) &&
             (child_id.empty() || a["child"] == child_id);
    });
  }

  ApiDaemon daemon_{json{{"rate_per_second", 0}}};
};

// Item 15: 及时补充或变更.
TEST_F(ReporterTest, TheChildsFileIsChangedByItsPlacesCaseWorkersWithWhoAndWhen) {
  // A child of 城关新社区, the child director's community.
  std::string id = File(kTeacher, Report("甲一", "chengguan-c01"));
  std::string child = ChildOf(id);
  ASSERT_FALSE(child.empty());
  std::string path = "/api/v1/children/" + child;
  // The file as the report made it: its first revision's instant.
  std::string before =
      Body(Send(kPolice, "GET", path + "/history"))["revisions"][0]["at"].get<std::string>();
  json change = {{"fields", {{"guardian_phone", "13933334444"}, {"grade", "二年级"}}}};
  auto r = Send(kCaseWorker, "PATCH", path, change);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["revision"], 2);
  json file = Body(Send(kPolice, "GET", path));
  EXPECT_EQ(file["fields"]["guardian_phone"], "13933334444");
  EXPECT_EQ(file["fields"]["grade"], "二年级");
  json history = Body(Send(kDirector, "GET", path + "/history"));
  ASSERT_EQ(history["revisions"].size(), 2u) << history;
  // (Two requests apart, the two revisions are milliseconds apart at least.)
  ASSERT_NE(history["revisions"][1]["at"], before);
  json then = Body(Send(kPolice, "GET", path + "?as_of=" + before));
  EXPECT_EQ(then["fields"]["guardian_phone"], "13911112222");
  EXPECT_FALSE(then["fields"].contains("grade"));
  EXPECT_EQ(history["revisions"][1]["actor"], kCaseWorker);
  EXPECT_EQ(history["revisions"][1]["case_id"], "");
  EXPECT_EQ(history["revisions"][1]["changes"]["grade"], "二年级");
  // A child director of the place may too; police, the reporter and another
  // township may not (the reporter and the other township do not even see it).
  EXPECT_EQ(Send(kDirector, "PATCH", path, json{{"fields", {{"class_name", "二班"}}}}).status,
            200);
  EXPECT_EQ(Send(kPolice, "PATCH", path, change).status, 403);
  EXPECT_EQ(Send(kTeacher, "PATCH", path, change).status, 404);
  EXPECT_EQ(Send(kOtherChief, "PATCH", path, change).status, 404);
  EXPECT_EQ(Send(kCaseWorker, "PATCH", "/api/v1/children/K-none", change).status, 404);
  // Checked like a report, every problem at once.
  auto bad = Send(kCaseWorker, "PATCH", path,
                  json{{"fields", {{"child_birth_date", "下个月"}, {"risk_level", "extreme"},
                                   {"category", "missing"}}}});
  ASSERT_EQ(bad.status, 422) << bad.body;
  json fields = Body(bad)["error"]["fields"];
  EXPECT_TRUE(fields.contains("child_birth_date")) << bad.body;
  EXPECT_TRUE(fields.contains("risk_level")) << bad.body;
  EXPECT_TRUE(fields.contains("category")) << bad.body;
  EXPECT_EQ(Send(kCaseWorker, "PATCH", path, json{{"fields", "x"}}).status, 422);
  EXPECT_EQ(Body(Send(kPolice, "GET", path + "/history"))["revisions"].size(), 3u);

  json log = AuditLog();
  EXPECT_TRUE(Has(log, kCaseWorker, "child.update", "", child));
  EXPECT_TRUE(Has(log, kDirector, "child.update", "", child));
  EXPECT_EQ(std::count_if(log.begin(), log.end(),
                          [](const json& a) { return a["action"] == "child.update"; }),
            2);
}

// Item 16: one case per child while it is open.
TEST_F(ReporterTest, ASecondReportJoinsTheOpenCaseAndItsReporterFollowsIt) {
  std::string id = File(kTeacher, Report("乙二"));
  json second = Report("乙二");
  second["data"]["reporter_kind"] = "voluntary";
  second["data"]["reporter_category"] = "citizen";
  second["data"]["description"] = "SECOND-邻居看到孩子晚上一个人";
  auto r = Send(kVolunteer, "POST", "/api/v1/cases", second);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["case_id"], id);
  EXPECT_EQ(Body(r)["joined"], true);
  // The police see one case with both reports, and both reporters.
  json c = Body(Send(kPolice, "GET", "/api/v1/cases/" + id));
  ASSERT_EQ(c["reporters"].size(), 2u) << c;
  EXPECT_EQ(c["reporters"][1]["id"], kVolunteer);
  EXPECT_EQ(c["reporters"][1]["joined"], true);
  EXPECT_EQ(c["history"].back()["kind"], "report_joined");
  EXPECT_EQ(c["history"].back()["actor"], kVolunteer);
  EXPECT_EQ(c["history"].back()["data"]["description"], "SECOND-邻居看到孩子晚上一个人");
  EXPECT_EQ(Body(Send(kPolice, "GET", "/api/v1/cases?workflow=mandatory_report&state=reported"))
                ["cases"].size(),
            1u);
  // The joining reporter follows it: their own submission, not the first.
  json mine = Body(Send(kVolunteer, "GET", "/api/v1/cases/" + id));
  EXPECT_EQ(mine["view"], "feedback");
  EXPECT_EQ(mine["submission"]["description"], "SECOND-邻居看到孩子晚上一个人");
  EXPECT_EQ(mine.dump().find("DESC-"), std::string::npos) << mine;
  EXPECT_EQ(mine.dump().find(kTeacher), std::string::npos) << mine;
  ASSERT_EQ(Send(kPolice, "POST", "/api/v1/cases/" + id + "/events",
                 json{{"event", "accept"}, {"data", testing::AcceptData()}}).status,
            200);
  auto fed = Send(kPolice, "POST", "/api/v1/cases/" + id + "/events",
                  json{{"event", "send_feedback"},
                       {"data", {{"feedback_sent_at", testing::NowText()},
                                 {"feedback_summary", "FB-已出警"}}}});
  ASSERT_EQ(fed.status, 200) << fed.body;
  mine = Body(Send(kVolunteer, "GET", "/api/v1/cases/" + id));
  EXPECT_NE(mine.dump().find("FB-已出警"), std::string::npos) << mine;
  // Their "my reports" lists it... and the first reporter's view is unchanged.
  json listed = Body(Send(kVolunteer, "GET", "/api/v1/cases?mine=true"));
  ASSERT_EQ(listed["cases"].size(), 1u) << listed;
  EXPECT_EQ(listed["cases"][0]["id"], id);
  json first = Body(Send(kTeacher, "GET", "/api/v1/cases/" + id));
  EXPECT_EQ(first["submission"]["description"], "DESC-孩子独自在家一周");
  EXPECT_EQ(first.dump().find("SECOND-"), std::string::npos) << first;
  EXPECT_EQ(first.dump().find(kVolunteer), std::string::npos) << first;

  // From another township: joins too; its values for the file wait as a
  // proposal (a report never overwrites a file its reporter may not read),
  // and that township learns nothing of the case.
  json outside = Report("乙二");
  outside["data"]["guardian_phone"] = "13955556666";
  auto o = Send("u0049", "POST", "/api/v1/cases", outside);
  ASSERT_EQ(o.status, 200) << o.body;
  EXPECT_EQ(Body(o)["case_id"], id);
  std::string child = ChildOf(id);
  json file = Body(Send(kPolice, "GET", "/api/v1/children/" + child));
  EXPECT_EQ(file["fields"]["guardian_phone"], "13911112222");
  json proposals = Body(Send(kPolice, "GET", "/api/v1/children/" + child + "/proposals"));
  ASSERT_EQ(proposals["proposals"].size(), 1u) << proposals;
  EXPECT_EQ(proposals["proposals"][0]["changes"]["guardian_phone"], "13955556666");
  EXPECT_EQ(Send(kOtherChief, "GET", "/api/v1/cases/" + id).status, 404);
  EXPECT_EQ(Body(Send("u0049", "GET", "/api/v1/cases/" + id))["view"], "feedback");
}

// Item 16, the other setting: "same_child": "flag" opens a case, flagged.
TEST(ReporterFlagTest, WithFlagASecondReportOpensACaseFlaggedAsADuplicate) {
  ApiDaemon daemon(json{{"rate_per_second", 0}});
  std::string file = daemon.dir() + "/workflows/mandatory_report.json";
  json w = json::parse(testing::ReadFile(file));
  ASSERT_EQ(w["open"]["same_child"], "join");
  w["open"]["same_child"] = "flag";
  std::ofstream(file) << w.dump(1);
  daemon.Start();
  auto first = daemon.ClientFor(kTeacher)->Send("POST", "/api/v1/cases", Report("丙三").dump());
  ASSERT_EQ(first.status, 201) << first.body;
  std::string id = Body(first)["case_id"];
  auto second =
      daemon.ClientFor("u0023")->Send("POST", "/api/v1/cases", Report("丙三").dump());
  ASSERT_EQ(second.status, 201) << second.body;
  EXPECT_NE(Body(second)["case_id"], id);
  EXPECT_EQ(Body(second)["duplicate_of"], id);
  json c = Body(daemon.ClientFor(kPolice)->Send(
      "GET", "/api/v1/cases/" + Body(second)["case_id"].get<std::string>()));
  bool flagged = false;
  for (const json& h : c["history"]) {
    if (h["kind"] == "duplicate") flagged = h["data"]["duplicate_of"] == id;
  }
  EXPECT_TRUE(flagged) << c;
}

// Item 17: what the reporter filed, and the feedback text, nothing else.
TEST_F(ReporterTest, TheReporterSeesTheirSubmissionAndTheFeedbackAndNothingElse) {
  std::string id = File(kTeacher, Report("丁四"));
  ASSERT_EQ(Send(kPolice, "POST", "/api/v1/cases/" + id + "/events",
                 json{{"event", "accept"}, {"data", testing::AcceptData("criminal")}}).status,
            200);
  ASSERT_EQ(Send(kPolice, "POST", "/api/v1/cases/" + id + "/events",
                 json{{"event", "send_feedback"},
                      {"data", {{"feedback_sent_at", testing::NowText()},
                                {"feedback_summary", "FB-已立案，孩子由祖母照看"}}}}).status,
            200);
  ASSERT_EQ(Send(kPolice, "POST", "/api/v1/cases/" + id + "/notes",
                 json{{"text", "NOTE-邻居反映父亲酗酒"}}).status,
            201);
  json v = Body(Send(kTeacher, "GET", "/api/v1/cases/" + id));
  EXPECT_EQ(v["view"], "feedback");
  EXPECT_EQ(v["submission"], Report("丁四")["data"]);
  std::string text = v.dump();
  EXPECT_NE(text.find("FB-已立案，孩子由祖母照看"), std::string::npos) << text;
  for (const char* hidden : {"NOTE-", "intake_kind", kPolice, "accepted_at"}) {
    EXPECT_EQ(text.find(hidden), std::string::npos) << hidden << " in " << text;
  }
  for (const char* key : {"data", "history", "timers", "owner", "reporters", "child_id"}) {
    EXPECT_FALSE(v.contains(key)) << key;
  }
}

// Item 18: name, unit and phone for case.reporter_identity; nobody else
// learns who reported, from any response.
TEST_F(ReporterTest, PoliceAndSupervisorsSeeWhoReportedAndNobodyElseDoes) {
  std::string id = File(kTeacher, Report("戊五"));
  std::string child = ChildOf(id);
  // The accepted case: the child's history and the case's history carry
  // the reporter's actions.
  ASSERT_EQ(Send(kPolice, "POST", "/api/v1/cases/" + id + "/events",
                 json{{"event", "accept"}, {"data", testing::AcceptData()}}).status,
            200);
  for (const char* user : {kPolice, kChief, kTownHead, "u0001"}) {
    json c = Body(Send(user, "GET", "/api/v1/cases/" + id));
    ASSERT_EQ(c["reporters"].size(), 1u) << user << c;
    json who = c["reporters"][0];
    EXPECT_EQ(who["id"], kTeacher);
    EXPECT_EQ(who["name"], "梁磊");
    EXPECT_EQ(who["unit"], "chengguan-primary");
    EXPECT_EQ(who["unit_name"]["zh"], "城关镇中心小学");
    EXPECT_EQ(who["phone"], "13800000021");
  }
  std::vector<std::string> paths = {
      "/api/v1/cases/" + id,           "/api/v1/cases?unit=chengguan-primary",
      "/api/v1/cases?owner=me",        "/api/v1/cases?workflow=mandatory_report&state=police_intake",
      "/api/v1/escalations",           "/api/v1/children/" + child,
      "/api/v1/children/" + child + "/history", "/api/v1/children/" + child + "/proposals",
      "/api/v1/cases?mine=true"};
  for (const char* user : {kCaseWorker, kDirector, kCivil, "u0005", kHelper, kVolunteer}) {
    std::string seen;
    for (const std::string& p : paths) {
      auto r = Send(user, "GET", p);
      if (r.status == 200) seen += r.body;
    }
    for (const char* mark : {kTeacher, "梁磊", "13800000021"}) {
      EXPECT_EQ(seen.find(mark), std::string::npos) << user << " sees " << mark;
    }
    if (std::string(user) == kCaseWorker) {
      json c = Body(Send(user, "GET", "/api/v1/cases/" + id));
      EXPECT_EQ(c["reporters"], json({{"redacted", true}}));
      EXPECT_EQ(c["history"][0]["actor"], json({{"redacted", true}}));
    }
  }
}

// Item 19: dates make sense; every bad field at once.
TEST_F(ReporterTest, BadDatesAreRefusedNamingEveryField) {
  json body = Report("己六");
  body["data"]["child_birth_date"] = "2099-05-01";
  body["data"]["discovered_at"] = "上周三";
  body["data"].erase("category");
  auto r = Send(kTeacher, "POST", "/api/v1/cases", body);
  ASSERT_EQ(r.status, 422) << r.body;
  json fields = Body(r)["error"]["fields"];
  EXPECT_EQ(fields.size(), 3u) << r.body;
  EXPECT_NE(fields.value("child_birth_date", "").find("must not be after now"), std::string::npos)
      << r.body;
  EXPECT_NE(fields.value("discovered_at", "").find("must be an RFC 3339 datetime"),
            std::string::npos) << r.body;
  EXPECT_NE(fields.value("category", "").find("is required"), std::string::npos) << r.body;
  body = Report("己六");
  body["data"]["discovered_at"] = "2099-01-01T08:00:00+08:00";
  r = Send(kTeacher, "POST", "/api/v1/cases", body);
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(Body(r)["error"]["fields"].contains("discovered_at")) << r.body;
  std::string id = File(kTeacher, Report("己六"));
  auto early = Send(kPolice, "POST", "/api/v1/cases/" + id + "/events",
                    json{{"event", "accept"},
                         {"data", {{"intake_kind", "administrative"},
                                   {"accepted_at", "2020-01-01T08:00:00+08:00"}}}});
  EXPECT_EQ(early.status, 422) << early.body;
  EXPECT_NE(Body(early)["error"]["fields"].value("accepted_at", "").find("before the report"),
            std::string::npos) << early.body;
  EXPECT_EQ(Body(Send(kPolice, "GET", "/api/v1/cases/" + id))["state"], "reported");
}

// Item 20: a refused read leaves its audit record like an allowed one.
TEST_F(ReporterTest, RefusedReadsAreAuditedLikeAllowedOnes) {
  std::string id = File(kTeacher, Report("庚七"));
  std::string child = ChildOf(id);
  EXPECT_EQ(Send(kOtherChief, "GET", "/api/v1/cases/" + id).status, 404);
  EXPECT_EQ(Send(kOtherChief, "GET", "/api/v1/cases/C-none").status, 404);
  EXPECT_EQ(Send(kOtherChief, "GET", "/api/v1/children/" + child).status, 404);
  EXPECT_EQ(Send(kOtherChief, "GET", "/api/v1/children/" + child + "/history").status, 404);
  EXPECT_EQ(Send(kOtherChief, "GET", "/api/v1/cases?unit=chengguan-primary").status, 403);
  EXPECT_EQ(Send(kTeacher, "GET", "/api/v1/cases?overdue=true").status, 403);
  EXPECT_EQ(Send(kTeacher, "GET", "/api/v1/stats").status, 403);
  EXPECT_EQ(Send(kTeacher, "GET", "/api/v1/dead-letters").status, 403);
  EXPECT_EQ(Send(kPolice, "GET", "/api/v1/cases/" + id).status, 200);
  EXPECT_EQ(Send(kChief, "GET", "/api/v1/dead-letters").status, 200);
  json log = AuditLog();
  EXPECT_TRUE(Has(log, kPolice, "case.read", id));
  EXPECT_TRUE(Has(log, kOtherChief, "case.read.refused", id));
  EXPECT_TRUE(Has(log, kOtherChief, "case.read.refused", "C-none"));
  EXPECT_TRUE(Has(log, kOtherChief, "child.read.refused", "", child));
  EXPECT_EQ(std::count_if(log.begin(), log.end(),
                          [&](const json& a) {
                            return a["user"] == kOtherChief && a["action"] == "child.read.refused";
                          }),
            2);
  EXPECT_TRUE(Has(log, kOtherChief, "case.list.refused"));
  EXPECT_TRUE(Has(log, kTeacher, "case.list.refused"));
  EXPECT_TRUE(Has(log, kTeacher, "case.stats.refused"));
  EXPECT_TRUE(Has(log, kTeacher, "dead_letter.list.refused"));
  EXPECT_TRUE(Has(log, kChief, "dead_letter.list"));
  // Each refusal carries where it came from, like any record.
  for (const json& a : log) {
    if (a["action"].get<std::string>().find(".refused") != std::string::npos) {
      EXPECT_FALSE(a["origin"].get<std::string>().empty()) << a;
      EXPECT_FALSE(a["unit"].get<std::string>().empty()) << a;
    }
  }
}

}  // namespace
}  // namespace shouhu
