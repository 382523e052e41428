// What the web app reads besides cases: the caller (time zone,
// capabilities, how they signed in), unit names, the people around the
// caller, and the supervisors' counts within their jurisdiction.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "api_service_fixture.h"

namespace shouhu::api {
namespace {

using nlohmann::json;

const std::string kReport = R"({"workflow": "mandatory_report", "data": {
  "child_name": "小明", "category": "missing", "reporter_kind": "mandated",
  "reporter_category": "school", "discovered_at": "2026-03-02T08:00:00+08:00"}})";

std::set<std::string> Strings(const json& a) { return a.get<std::set<std::string>>(); }

TEST_F(ApiServiceTest, MeTellsTheTimeZoneCapabilitiesAndHowTheCallerSignedIn) {
  json teacher = json::parse(Call("GET", "/api/v1/me", TokenFor("u0021"), "").body);
  EXPECT_EQ(teacher["time_zone"], "Asia/Shanghai");
  EXPECT_EQ(teacher["auth"], "token");
  // case.fire on dropout cases only (access.json workflow_roles): the class
  // teacher logs a persuasion.
  EXPECT_EQ(Strings(teacher["capabilities"]),
            (std::set<std::string>{"report.file", "report.own_progress", "case.fire"}));
  json chief = json::parse(Call("GET", "/api/v1/me", TokenFor("u0010"), "").body);
  EXPECT_EQ(Strings(chief["capabilities"]),
            (std::set<std::string>{"case.read", "case.work", "case.fire", "child.read",
                                   "case.reporter_identity", "supervise"}));  // access.json
  json admin = json::parse(Call("GET", "/api/v1/me", TokenFor("u0007"), "").body);
  EXPECT_EQ(Strings(admin["capabilities"]),
            (std::set<std::string>{"users.admin", "system.backup", "org.manage"}));
}

TEST_F(ApiServiceTest, UnitsAreNamedForEverySignedInUser) {
  EXPECT_EQ(Call("GET", "/api/v1/units", "", "").status, 401);
  HttpResponse r = Call("GET", "/api/v1/units", TokenFor("u0021"), "");
  ASSERT_EQ(r.status, 200);
  json body = json::parse(r.body);
  EXPECT_EQ(body["time_zone"], "Asia/Shanghai");
  EXPECT_EQ(body["units"].size(), org_.units().size());
  bool found = false;
  for (const json& u : body["units"]) {
    if (u["id"] != "chengguan") continue;
    found = true;
    EXPECT_EQ(u["name"], (json{{"zh", "城关镇"}, {"en", "Chengguan Town"}}));
    EXPECT_EQ(u["parent"], "qingshan");
  }
  EXPECT_TRUE(found);
}

TEST_F(ApiServiceTest, PeopleAreThoseOfTheSubtreeAndTheUnitsAboveWithoutContacts) {
  HttpResponse r = Call("GET", "/api/v1/people", TokenFor("u0021"), "");
  ASSERT_EQ(r.status, 200) << r.body;
  json people = json::parse(r.body)["people"];
  std::set<std::string> units;
  std::set<std::string> ids;
  for (const json& p : people) {
    units.insert(p["unit"]);
    ids.insert(p["id"]);
    EXPECT_FALSE(p.contains("phone"));
    EXPECT_FALSE(p.contains("email"));
  }
  // The township's police station serves it from outside its subtree; the
  // procuratorate serves the county (its opinions name them in a history).
  EXPECT_EQ(units, (std::set<std::string>{"chengguan-primary", "chengguan", "qingshan",
                                          "chengguan-police", "qingshan-procuratorate"}));
  EXPECT_TRUE(ids.count("u0008"));   // the township's police officer
  EXPECT_TRUE(ids.count("u0001"));   // the county supervisor
  EXPECT_FALSE(ids.count("u0038"));  // another township's supervisor
}

TEST_F(ApiServiceTest, StatsCountOpenCasesPerUnitBelowTheSupervisorAndByState) {
  std::string teacher = TokenFor("u0021");
  ASSERT_EQ(Call("POST", "/api/v1/cases", teacher, kReport).status, 201);
  // Filed more than a day after the discovery: a late report (迟报).
  std::string late = kReport;
  late.replace(late.find("2026-03-02T08:00:00"), 19, "2026-02-20T08:00:00");
  ASSERT_EQ(Call("POST", "/api/v1/cases", teacher, late).status, 201);
  EXPECT_EQ(Call("GET", "/api/v1/stats", teacher, "").status, 403);

  HttpResponse county = Call("GET", "/api/v1/stats", TokenFor("u0001"), "");
  ASSERT_EQ(county.status, 200) << county.body;
  json body = json::parse(county.body);
  // The county's units: 12 townships, the public security bureau, the
  // hospital, the social organisation and the procuratorate.
  EXPECT_EQ(body["by_unit"].size(), 16u);
  for (const json& row : body["by_unit"]) {
    EXPECT_EQ(row["open"], row["unit"] == "chengguan" ? 2 : 0) << row;
    EXPECT_EQ(row["overdue"], 0) << row;
  }
  // Every flag of the newest definitions, with the cases raising it by row:
  // the late report (迟报) in 城关镇.
  std::map<std::string, json> flags;
  for (const json& f : body["by_flag"]) flags[f["workflow"].get<std::string>() + "/" + f["flag"].get<std::string>()] = f;
  ASSERT_TRUE(flags.count("mandatory_report/late_report")) << body["by_flag"];
  json late_flag = flags["mandatory_report/late_report"];
  EXPECT_EQ(late_flag["label"], (json{{"zh", "迟报"}, {"en", "Late report"}}));
  EXPECT_EQ(late_flag["level"], "warning");
  EXPECT_EQ(late_flag["count"], 1);
  EXPECT_EQ(late_flag["by_unit"]["chengguan"], 1);
  EXPECT_EQ(late_flag["by_unit"]["qingshi"], 0);
  EXPECT_EQ(flags["mandatory_report/feedback_late"]["level"], "warning");
  EXPECT_EQ(flags["mandatory_report/feedback_late"]["count"], 0);
  EXPECT_EQ(flags["mandatory_report/result_reply_late"]["level"], "danger");
  ASSERT_EQ(body["by_state"].size(), 1u);
  EXPECT_EQ(body["by_state"][0],
            (json{{"workflow", "mandatory_report"}, {"state", "reported"},
                  {"label", {{"zh", "已报告"}, {"en", "Reported"}}}, {"count", 2}}));

  // A township supervisor's rows are the township's villages and schools.
  json township = json::parse(Call("GET", "/api/v1/stats", TokenFor("u0012"), "").body);
  for (const json& row : township["by_unit"]) {
    EXPECT_EQ(row["open"], row["unit"] == "chengguan-primary" ? 2 : 0) << row;
  }
  // The county procuratorate serves the county: the county's rows.
  json procuratorate = json::parse(Call("GET", "/api/v1/stats", TokenFor("u0293"), "").body);
  EXPECT_EQ(procuratorate["by_unit"], body["by_unit"]);
  // A police station's rows are the villages and schools of its township.
  json station = json::parse(Call("GET", "/api/v1/stats", TokenFor("u0010"), "").body);
  for (const json& row : station["by_unit"]) {
    EXPECT_EQ(row["open"], row["unit"] == "chengguan-primary" ? 2 : 0) << row;
  }
  EXPECT_EQ(station["by_unit"].size(), township["by_unit"].size());
  // Another township's supervisor sees none of them.
  json other = json::parse(Call("GET", "/api/v1/stats", TokenFor("u0038"), "").body);
  EXPECT_TRUE(other["by_state"].empty());
}

}  // namespace
}  // namespace shouhu::api
