// The authorisation matrix against the real daemon: every role × every route
// × a case inside and outside the user's jurisdiction → the expected status.
// Requests are built so that an allowed one stops at a later check (bad data,
// unknown id) and writes nothing: 2xx/409/422 mean "allowed through
// authorisation"; 403 means denied on a case the caller may see, 404 a case
// the caller may not see at all (answered as missing: no enumeration). The
// full table per capability, with own reports and every role of the sample
// county, is tests/unit/api/access_test.cc. At the end every case is as filed.
#include <gtest/gtest.h>

#include "api_daemon.h"
#include "../../support/test_paths.h"

namespace shouhu {
namespace {

using nlohmann::json;
using testing::ApiDaemon;

// One user per role (deploy/county/organisation.json); the columns of the
// table below, in this order.
struct Column {
  const char* user;
  const char* role;
  const char* inside_unit;  // a unit in the user's jurisdiction with a case
};
const Column kColumns[] = {
    {"u0021", "reporter (teacher, files the inside case)", "chengguan-primary"},
    {"u0023", "school_admin", "chengguan-primary"},
    {"u0008", "police_officer", "chengguan-primary"},
    {"u0010", "police_supervisor", "chengguan-primary"},
    {"u0011", "township_case_worker", "chengguan-primary"},
    {"u0012", "township_supervisor", "chengguan-primary"},
    {"u0013", "child_director (community)", "chengguan-c01"},
    {"u0001", "county_supervisor", "chengguan-primary"},
    {"u0003", "civil_affairs", "chengguan-primary"},
    {"u0005", "education_bureau", "chengguan-primary"},
    {"u0007", "administrator", "chengguan-primary"},
};
constexpr int kUsers = std::size(kColumns);
// County-level users have no case outside their jurisdiction.
constexpr bool kHasOutside[kUsers] = {1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0};
const char* kOutsideUnit = "qingshi-primary";

struct Call {
  std::string method, path, body;
};
// Builds the request for a case id and the case's unit.
using MakeCall = Call (*)(const std::string& case_id, const std::string& unit);

struct Row {
  const char* route;
  MakeCall make;
  int inside[kUsers];
  int outside[kUsers];  // 0: the route has no jurisdiction variant
};

const json kBadAccept = {
    {"event", "accept"},
    {"data", {{"intake_kind", "not-a-kind"}, {"accepted_at", "2026-03-02T09:00:00+08:00"}}}};

// clang-format off
//                 teacher school police chief  worker twp-sup child  county civil  edu    admin
const Row kTable[] = {
  {"GET case", [](auto& id, auto&) { return Call{"GET", "/api/v1/cases/" + id, ""}; },
                  {200,   404,   200,   200,   200,   200,   200,   200,   200,   200,   404},
                  {404,   404,   404,   404,   404,   404,   404,   0,     0,     0,     0}},
  {"fire event", [](auto& id, auto&) { return Call{"POST", "/api/v1/cases/" + id + "/events", kBadAccept.dump()}; },
                  {403,   404,   422,   422,   403,   403,   403,   403,   403,   403,   404},
                  {404,   404,   404,   404,   404,   404,   404,   0,     0,     0,     0}},
  {"add note", [](auto& id, auto&) { return Call{"POST", "/api/v1/cases/" + id + "/notes", R"({"text": ""})"}; },
                  {403,   404,   422,   422,   422,   422,   422,   422,   422,   403,   404},
                  {404,   404,   404,   404,   404,   404,   404,   0,     0,     0,     0}},
  {"assign", [](auto& id, auto&) { return Call{"PUT", "/api/v1/cases/" + id + "/owner", R"({"owner": "nobody"})"}; },
                  {403,   404,   403,   422,   403,   422,   403,   422,   403,   403,   404},
                  {404,   404,   404,   404,   404,   404,   404,   0,     0,     0,     0}},
  // The principal lists the school's cases and sees its dropout cases only.
  {"list by unit", [](auto&, auto& unit) { return Call{"GET", "/api/v1/cases?unit=" + unit, ""}; },
                  {403,   200,   200,   200,   200,   200,   200,   200,   200,   200,   403},
                  {403,   403,   403,   403,   403,   403,   403,   0,     0,     0,     0}},
  // v2: village child directors may file reports too.
  {"file report", [](auto&, auto& unit) { return Call{"POST", "/api/v1/cases", json{{"workflow", "mandatory_report"}, {"unit", unit}, {"data", json::object()}}.dump()}; },
                  {422,   422,   403,   403,   403,   403,   422,   403,   403,   403,   403},
                  {403,   403,   403,   403,   403,   403,   403,   0,     0,     0,     0}},
  {"list mine", [](auto&, auto&) { return Call{"GET", "/api/v1/cases?mine=true", ""}; },
                  {200,   200,   403,   403,   403,   403,   200,   403,   403,   403,   403}, {}},
  {"list overdue", [](auto&, auto&) { return Call{"GET", "/api/v1/cases?overdue=true", ""}; },
                  {403,   403,   403,   200,   403,   200,   403,   200,   403,   403,   403}, {}},
  {"escalations", [](auto&, auto&) { return Call{"GET", "/api/v1/escalations", ""}; },
                  {200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200}, {}},
  {"workflows", [](auto&, auto&) { return Call{"GET", "/api/v1/workflows", ""}; },
                  {200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200}, {}},
  {"workflow", [](auto&, auto&) { return Call{"GET", "/api/v1/workflows/mandatory_report", ""}; },
                  {200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200}, {}},
  {"me", [](auto&, auto&) { return Call{"GET", "/api/v1/me", ""}; },
                  {200,   200,   200,   200,   200,   200,   200,   200,   200,   200,   200}, {}},
  {"child file", [](auto&, auto&) { return Call{"GET", "/api/v1/children/no-such-child", ""}; },
                  {404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404}, {}},
  {"child history", [](auto&, auto&) { return Call{"GET", "/api/v1/children/no-such-child/history", ""}; },
                  {404,   404,   404,   404,   404,   404,   404,   404,   404,   404,   404}, {}},
  {"users", [](auto&, auto&) { return Call{"GET", "/api/v1/users", ""}; },
                  {403,   403,   403,   200,   403,   200,   403,   200,   403,   403,   200}, {}},
  {"tokens", [](auto&, auto&) { return Call{"GET", "/api/v1/tokens", ""}; },
                  {403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   200}, {}},
  {"issue token", [](auto&, auto&) { return Call{"POST", "/api/v1/tokens", R"({"user": "nobody"})"}; },
                  {403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   422}, {}},
  {"revoke token", [](auto&, auto&) { return Call{"DELETE", "/api/v1/tokens/no-such-token", ""}; },
                  {403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   404}, {}},
  {"dead letters", [](auto&, auto&) { return Call{"GET", "/api/v1/dead-letters", ""}; },
                  {403,   403,   403,   200,   403,   200,   403,   200,   403,   403,   403}, {}},
  {"redrive", [](auto&, auto&) { return Call{"POST", "/api/v1/dead-letters/no-such-letter/redrive", ""}; },
                  {403,   403,   403,   404,   403,   404,   403,   404,   403,   403,   403}, {}},
  {"backups", [](auto&, auto&) { return Call{"GET", "/api/v1/backups", ""}; },
                  {403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   200}, {}},
  // org.manage (issue 15): the administrator's only. An allowed change stops
  // at its checks (bad id, no name, a cycle, an unknown role or user).
  {"add unit", [](auto&, auto& unit) { return Call{"POST", "/api/v1/units", json{{"id", "bad id!"}, {"parent", unit}}.dump()}; },
                  {403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   422},
                  {403,   403,   403,   403,   403,   403,   403,   0,     0,     0,     0}},
  {"move unit", [](auto&, auto& unit) { return Call{"PATCH", "/api/v1/units/" + unit, json{{"parent", unit}}.dump()}; },
                  {403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   422}, {}},
  {"add user", [](auto&, auto& unit) { return Call{"POST", "/api/v1/users", json{{"id", "u9999"}, {"unit", unit}, {"roles", {"wizard"}}}.dump()}; },
                  {403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   422},
                  {403,   403,   403,   403,   403,   403,   403,   0,     0,     0,     0}},
  {"deactivate user", [](auto&, auto&) { return Call{"PATCH", "/api/v1/users/nobody", R"({"active": false})"}; },
                  {403,   403,   403,   403,   403,   403,   403,   403,   403,   403,   404}, {}},
  // Reports (reports.read): supervisors of a township and the county's offices.
  {"report", [](auto&, auto& unit) { return Call{"GET", "/api/v1/reports/cases?unit=" + unit, ""}; },
                  {403,   403,   403,   403,   403,   200,   403,   200,   200,   200,   403},
                  {403,   403,   403,   403,   403,   403,   403,   0,     0,     0,     0}},
  {"spot check", [](auto&, auto&) { return Call{"POST", "/api/v1/spot-checks", R"({"kind": "cases", "size": 0})"}; },
                  {403,   403,   403,   403,   403,   422,   403,   422,   422,   422,   403}, {}},
};
// clang-format on

TEST(AuthzMatrixTest, EveryRoleEveryRouteInsideAndOutside) {
  ApiDaemon daemon(json{{"rate_per_second", 0}});
  daemon.Start();
  // One case per unit, filed by a reporter of that unit.
  std::map<std::string, std::string> case_of_unit;
  for (auto [unit, reporter] : {std::pair{"chengguan-primary", "u0021"},
                                {"chengguan-c01", "u0014"},
                                {kOutsideUnit, "u0049"}}) {
    auto r = daemon.ClientFor(reporter)->Send("POST", "/api/v1/cases",
                                              testing::ReportBody().dump());
    ASSERT_EQ(r.status, 201) << unit << ": " << r.body;
    case_of_unit[unit] = json::parse(r.body)["case_id"];
  }
  int checked = 0;
  for (int u = 0; u < kUsers; ++u) {
    auto client = daemon.ClientFor(kColumns[u].user);
    for (const Row& row : kTable) {
      for (bool inside : {true, false}) {
        int expected = inside ? row.inside[u] : row.outside[u];
        if (expected == 0) continue;
        std::string unit = inside ? kColumns[u].inside_unit : kOutsideUnit;
        Call call = row.make(case_of_unit[unit], unit);
        auto reply = client->Send(call.method, call.path, call.body);
        EXPECT_EQ(reply.status, expected)
            << kColumns[u].role << " (" << kColumns[u].user << ") × " << row.route
            << (inside ? " inside" : " outside") << ": " << reply.body;
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 27 * kUsers + 9 * 7);  // 27 routes; 9 with an outside case for 7 users
  // Nothing was written by any of it.
  auto police = daemon.ClientFor("u0001");
  for (const auto& [unit, id] : case_of_unit) {
    auto c = json::parse(police->Send("GET", "/api/v1/cases/" + id).body);
    EXPECT_EQ(c["last_seq"], 1) << unit;
    EXPECT_EQ(c["owner"], "") << unit;
  }
}


// Regression: roles the policy did not list (voluntary_reporter, helper,
// village_committee) were treated as case workers and got the whole file of
// every case in their unit's subtree, and could add notes to it.
TEST(AuthzMatrixTest, UnlistedRolesGetNoCaseFile) {
  ApiDaemon daemon(json{{"rate_per_second", 0}});
  daemon.Start();
  std::map<std::string, std::string> case_by;
  // u0278 voluntary reporter (chengguan-c01), u0015 child director
  // (chengguan-v02), u0021 teacher (chengguan-primary).
  for (const char* reporter : {"u0278", "u0015", "u0021"}) {
    auto r = daemon.ClientFor(reporter)->Send("POST", "/api/v1/cases",
                                              testing::ReportBody().dump());
    ASSERT_EQ(r.status, 201) << reporter << ": " << r.body;
    case_by[reporter] = json::parse(r.body)["case_id"];
  }
  // The voluntary reporter sees the progress of their own report, not the
  // file: what they filed (the child's name once, in "submission") and no more.
  auto own = daemon.ClientFor("u0278")->Send("GET", "/api/v1/cases/" + case_by["u0278"]);
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(json::parse(own.body)["view"], "feedback") << own.body;
  EXPECT_FALSE(json::parse(own.body).contains("data")) << own.body;
  EXPECT_EQ(json::parse(own.body)["submission"], testing::ReportBody()["data"]) << own.body;
  EXPECT_EQ(own.body.find("小明"), own.body.rfind("小明")) << own.body;
  struct Probe {
    const char* user;
    const char* role;
    std::string case_id;
    const char* unit;
  };
  const Probe probes[] = {
      {"u0278", "voluntary_reporter, own report", case_by["u0278"], "chengguan-c01"},
      {"u0022", "helper", case_by["u0021"], "chengguan-primary"},
      {"u0016", "village_committee", case_by["u0015"], "chengguan-v02"},
      {"u0014", "village_committee", case_by["u0278"], "chengguan-c01"},
  };
  for (const Probe& p : probes) {
    auto client = daemon.ClientFor(p.user);
    std::string why = std::string(p.role) + " (" + p.user + ")";
    if (p.case_id != case_by["u0278"] || std::string(p.user) != "u0278") {
      auto get = client->Send("GET", "/api/v1/cases/" + p.case_id);
      EXPECT_NE(get.status, 200) << why << ": " << get.body;
      EXPECT_EQ(get.body.find("小明"), std::string::npos) << why << ": " << get.body;
    }
    auto note = client->Send("POST", "/api/v1/cases/" + p.case_id + "/notes",
                             R"({"text": "看到了"})");
    EXPECT_NE(note.status, 201) << why << ": " << note.body;
    auto list = client->Send("GET", std::string("/api/v1/cases?unit=") + p.unit);
    EXPECT_EQ(list.status, 403) << why << ": " << list.body;
    auto overdue = client->Send("GET", "/api/v1/cases?overdue=true");
    EXPECT_EQ(overdue.status, 403) << why << ": " << overdue.body;
  }
  // Nothing was written.
  auto chief = daemon.ClientFor("u0001");
  for (const auto& [reporter, id] : case_by) {
    auto c = json::parse(chief->Send("GET", "/api/v1/cases/" + id).body);
    EXPECT_EQ(c["last_seq"], 1) << reporter;
  }
}

// School staff carry their own dropout cases (issue 14, item 3): the
// principal registers, reads, takes and moves the school's dropout case, the
// class teacher logs a persuasion on it; neither reads a mandatory report,
// and another school's principal sees neither.
// The school head carries the school's annual survey (摸底排查) through the
// API: opens it, records visits, registers a child (which opens the child's
// care plan), and closes it. The care plan it opened the head follows only as
// its reporter, and cannot act on; the class teacher cannot open a survey; another school's head sees
// nothing of it. Fixed expectations, not derived from the rules.
TEST(AuthzMatrixTest, TheSchoolHeadCarriesTheSchoolSurveyOnly) {
  ApiDaemon daemon(json{{"rate_per_second", 0}},
                   json{{"workflows", {SourceTree("/workflows")}}});
  daemon.Start();
  auto principal = daemon.ClientFor("u0026");  // 城关镇中学 校长 (school_admin)
  auto teacher = daemon.ClientFor("u0024");    // 城关镇中学 班主任 (reporter)
  auto other = daemon.ClientFor("u0049");      // 青石镇中心小学 校长
  json survey = {{"workflow", "annual_survey"},
                 {"data", {{"survey_term", "2026年秋季学期"}, {"households_planned", 12}}}};
  EXPECT_EQ(teacher->Send("POST", "/api/v1/cases", survey.dump()).status, 403);
  auto opened = principal->Send("POST", "/api/v1/cases", survey.dump());
  ASSERT_EQ(opened.status, 201) << opened.body;
  std::string id = json::parse(opened.body)["case_id"];
  auto fire = [&](auto& client, const json& body) {
    return client->Send("POST", "/api/v1/cases/" + id + "/events", body.dump());
  };
  auto visits = fire(principal, {{"event", "record_households"},
                                 {"data", {{"surveyed_at", testing::NowText()},
                                           {"households_visited", 12},
                                           {"children_counted", 3}}}});
  EXPECT_EQ(visits.status, 200) << visits.body;
  auto registered = fire(principal, {{"event", "register_child"},
                                     {"data", {{"child_name", "李小花"},
                                               {"child_birth_date", "2013-03-08"},
                                               {"child_category", {"left_behind"}},
                                               {"pairing_mode", "one_to_one"},
                                               {"helpers", {"u0022"}}}}});
  EXPECT_EQ(registered.status, 200) << registered.body;
  auto got = principal->Send("GET", "/api/v1/cases/" + id);
  ASSERT_EQ(got.status, 200) << got.body;
  json data = json::parse(got.body)["data"];
  EXPECT_EQ(data["households_surveyed"], 12) << got.body;
  EXPECT_EQ(data["children_found"], 3) << got.body;
  EXPECT_EQ(data["children_registered"], 1) << got.body;
  ASSERT_TRUE(data.contains("care_plan_id")) << got.body;
  // The head who registered the child follows the plan as its reporter
  // (their own submission's progress), not as its reader.
  auto plan = principal->Send("GET", "/api/v1/cases/" + data["care_plan_id"].get<std::string>());
  ASSERT_EQ(plan.status, 200) << plan.body;
  EXPECT_EQ(json::parse(plan.body)["view"], "feedback") << plan.body;
  EXPECT_EQ(principal->Send("POST", "/api/v1/cases/" + data["care_plan_id"].get<std::string>() +
                                        "/events",
                            R"({"event": "log_talk", "data": {}})")
                .status,
            403);
  EXPECT_EQ(other->Send("GET", "/api/v1/cases/" + id).status, 404);
  EXPECT_EQ(fire(other, {{"event", "close_survey"}}).status, 404);
  EXPECT_EQ(fire(teacher, {{"event", "close_survey"}}).status, 404);
  auto closed = fire(principal, {{"event", "close_survey"}});
  EXPECT_EQ(closed.status, 200) << closed.body;
  EXPECT_EQ(json::parse(closed.body)["state"], "closed") << closed.body;
}

TEST(AuthzMatrixTest, SchoolStaffCarryTheirDropoutCasesOnly) {
  // Every bundled workflow, the dropout return among them.
  ApiDaemon daemon(json{{"rate_per_second", 0}},
                   json{{"workflows", {SourceTree("/workflows")}}});
  daemon.Start();
  auto principal = daemon.ClientFor("u0026");  // 城关镇中学 校长 (school_admin)
  auto teacher = daemon.ClientFor("u0024");    // 城关镇中学 班主任 (reporter)
  json dropout = {{"workflow", "dropout_return"},
                  {"data",
                   {{"child_name", "张小燕"},
                    {"child_birth_date", "2011-09-01"},
                    {"school", "城关镇中学"},
                    {"grade", "初二"},
                    {"absence_kind", "dropout"},
                    {"absent_since", "2026-02-24T08:00:00+08:00"},
                    {"guardian_phone", "13900009999"}}}};
  auto opened = principal->Send("POST", "/api/v1/cases", dropout.dump());
  ASSERT_EQ(opened.status, 201) << opened.body;
  std::string id = json::parse(opened.body)["case_id"];
  auto report = teacher->Send("POST", "/api/v1/cases", testing::ReportBody().dump());
  ASSERT_EQ(report.status, 201) << report.body;
  std::string report_id = json::parse(report.body)["case_id"];

  // The principal reads the whole dropout file, the guardian's phone too.
  auto got = principal->Send("GET", "/api/v1/cases/" + id);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(json::parse(got.body)["data"]["guardian_phone"], "13900009999") << got.body;
  EXPECT_EQ(principal->Send("PUT", "/api/v1/cases/" + id + "/owner",
                            R"({"owner": "u0026"})").status,
            200);
  auto started = principal->Send("POST", "/api/v1/cases/" + id + "/events",
                                 R"({"event": "start_persuasion",
                                     "data": {"persuaders": ["class_teacher", "principal"]}})");
  EXPECT_EQ(started.status, 200) << started.body;
  auto logged = teacher->Send(
      "POST", "/api/v1/cases/" + id + "/events",
      json{{"event", "log_persuasion"},
           {"data", {{"persuaded_at", testing::NowText()}, {"persuasion_note", "家访劝返"}}}}
          .dump());
  EXPECT_EQ(logged.status, 200) << logged.body;
  // The school's list shows the dropout case, not the report.
  auto list = principal->Send("GET", "/api/v1/cases?unit=chengguan-middle");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_NE(list.body.find(id), std::string::npos) << list.body;
  EXPECT_EQ(list.body.find(report_id), std::string::npos) << list.body;
  // No mandatory report for either of them: answered as missing, or as the
  // teacher's own report's progress.
  EXPECT_EQ(principal->Send("GET", "/api/v1/cases/" + report_id).status, 404);
  EXPECT_EQ(json::parse(teacher->Send("GET", "/api/v1/cases/" + report_id).body)["view"],
            "feedback");
  EXPECT_EQ(teacher->Send("POST", "/api/v1/cases/" + report_id + "/events",
                          kBadAccept.dump()).status,
            403);
  // Another school's principal sees nothing of it.
  auto other = daemon.ClientFor("u0049");  // 青石镇中心小学 校长
  EXPECT_EQ(other->Send("GET", "/api/v1/cases/" + id).status, 404);
  EXPECT_EQ(other->Send("POST", "/api/v1/cases/" + id + "/events",
                        R"({"event": "persuasion_failed", "data": {"failure_reason": "x"}})")
                .status,
            404);
}

}  // namespace
}  // namespace shouhu
