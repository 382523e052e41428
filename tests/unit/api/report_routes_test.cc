// Reports and spot checks (issue 15 item 5) on a hand-counted fixture: a
// known set of cases across two townships (城关镇, 青石镇) and two months,
// driven on the fake clock with the real workflows and the sample county,
// and every figure of every report compared with numbers counted by hand
// below (not computed by the code under test). The .xlsx export is read
// back by Debian's python3-openpyxl and compared cell by cell. A spot check
// drawn twice with one seed gives one sample, and the audit log holds the
// seed and the sample. A report reads the reports' index only: no case
// record and no child's file (a counting store shows it).
#include <gtest/gtest.h>

#include <fstream>
#include <mutex>

#include "../../support/run_program.h"
#include "api/reports.h"
#include "api_service_fixture.h"
#include "shouhu/audit.h"
#include "shouhu/child_register.h"
#include "shouhu/reports.h"

namespace shouhu::api {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using shouhu::testing::ReadFile;
using shouhu::testing::RunProgram;

// The sample county's people (deploy/county/organisation.json).
const char* kCounty = "u0001";         // county supervisor, 青山县 (reports.read)
const char* kChengguanBoss = "u0012";  // township supervisor, 城关镇 (reports.read)
const char* kPoliceChief = "u0010";    // police supervisor, 城关派出所 (no reports.read)
const char* kTeacher = "u0021";        // reporter, 城关镇中心小学
const char* kVolunteer = "u0278";      // voluntary reporter, 城关新社区
const char* kHelper = "u0022";         // helper, 城关镇中心小学
const char* kPrincipal = "u0023";      // school head, 城关镇中心小学
const char* kOfficerA = "u0008";       // police officer, 城关派出所
const char* kDirectorA = "u0015";      // child director, 城关镇和平村
const char* kQingshiReporter = "u0040";  // reporter, 青石新社区
const char* kOfficerB = "u0034";       // police officer, 青石派出所
const char* kDirectorB = "u0041";      // child director, 青石镇和平村

json MandatoryReport(const std::string& child, const std::string& category,
                     const std::string& kind, const std::string& reporter_category) {
  return {{"child_name", child},
          {"category", category},
          {"reporter_kind", kind},
          {"reporter_category", reporter_category},
          {"discovered_at", "2026-03-02T08:00:00+08:00"}};
}

// Reads an .xlsx with openpyxl: its sheet name, then its rows (numbers as
// numbers, None as "").
const char* kReader = R"(
import json, sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).active
rows = [["" if c is None else c for c in r] for r in ws.iter_rows(values_only=True)]
print(json.dumps({"sheet": ws.title, "rows": rows}, ensure_ascii=False))
)";

class ReportsTest : public ApiServiceTest {
 protected:
  Actor As(const std::string& user) {
    const User* u = org_.FindUser(user);
    EXPECT_NE(u, nullptr) << user;
    return {u->id, u->unit, u->roles, "test"};
  }
  std::string Next() { return "r-" + std::to_string(++requests_); }
  std::string Open(const std::string& user, const std::string& workflow, const json& data) {
    auto r = runtime_->Open({Next(), As(user), workflow, "", data});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_FALSE(r.ok() && r->joined);
    return r.ok() ? r->case_id : "";
  }
  void Fire(const std::string& id, const std::string& user, const std::string& event,
            const json& data = json::object()) {
    auto r = runtime_->Fire({Next(), As(user), id, event, data, std::nullopt});
    EXPECT_TRUE(r.ok()) << event << ": " << r.status().ToString();
  }
  void FireTimersAt(const std::string& rfc3339) {
    auto at = ParseInstant(rfc3339);
    ASSERT_TRUE(at.ok());
    clock_.Set(*at);
    for (;;) {
      auto fired = runtime_->FireDueTimers();
      ASSERT_TRUE(fired.ok());
      if (*fired == 0) break;
    }
  }
  void MoveClockTo(const std::string& rfc3339) {
    auto at = ParseInstant(rfc3339);
    ASSERT_TRUE(at.ok());
    clock_.Set(*at);
  }
  json Report(const std::string& query, const std::string& user = kCounty) {
    HttpResponse r = Call("GET", "/api/v1/reports/" + query, TokenFor(user), "");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? json::parse(r.body) : json();
  }
  std::string Now() { return FormatInstant(clock_.Now()); }

  // The fixture, counted by hand (times in Beijing):
  //
  // Mon 2 March 09:00
  //   A1 城关 living_alone, mandated (teacher); accepted at once
  //   A2 城关 missing, mandated (teacher); accepted at once
  //   A3 城关 domestic_violence, voluntary (volunteer); declined -> not_a_case
  //   B1 青石 living_alone, mandated (village committee); accepted at once
  //   P1 城关 care plan, helper u0022
  //   survey by 城关镇和平村's director, closed with 4 children surveyed
  //   files registered directly: 2 in 城关镇和平村, 1 in 青石镇和平村
  // Tue 3 March 09:00
  //   feedback on A1 and B1 (within 3 days: on time); P1's monthly talk
  // Fri 6 March 09:00, timers fire
  //   A2's 3-day feedback falls due unmet: late (March). The response
  //   deadlines (24 h) of A1, A2 and B1 escalate: all three overdue.
  // Tue 10 March 09:00, timers fire
  //   P1's weekly video call (due 9 March) missed: late (March), overdue.
  // Wed 8 April 09:00 (no timer fires)
  //   B2 青石 guardian_neglect, mandated; transferred (closed in April)
  //   A4 城关 living_alone, mandated (teacher); left reported, not overdue
  //   P1's video call logged while armed: on time (April)
  void BuildFixture() {
    a1_ = Open(kTeacher, "mandatory_report",
               MandatoryReport("甲一", "living_alone", "mandated", "school"));
    a2_ = Open(kTeacher, "mandatory_report",
               MandatoryReport("甲二", "missing", "mandated", "school"));
    a3_ = Open(kVolunteer, "mandatory_report",
               MandatoryReport("甲三", "domestic_violence", "voluntary", "citizen"));
    b1_ = Open(kQingshiReporter, "mandatory_report",
               MandatoryReport("乙一", "living_alone", "mandated", "village_committee"));
    for (const auto& [id, officer] : {std::pair{a1_, kOfficerA}, {a2_, kOfficerA}, {b1_, kOfficerB}}) {
      Fire(id, officer, "accept", {{"intake_kind", "administrative"}, {"accepted_at", Now()}});
    }
    Fire(a3_, kOfficerA, "decline",
         {{"not_a_case_reasons", "经核实不属于报告情形"},
          {"feedback_sent_at", Now()},
          {"feedback_summary", "已核实"}});
    p1_ = Open(kPrincipal, "care_plan",
               {{"child_name", "甲五"},
                {"child_birth_date", "2016-05-01"},
                {"child_category", {"left_behind"}},
                {"pairing_mode", "one_to_one"},
                {"helpers", {kHelper}}});
    std::string survey = Open(kDirectorA, "annual_survey",
                              {{"survey_term", "2026年春季学期"}, {"households_planned", 10}});
    Fire(survey, kDirectorA, "record_households",
         {{"surveyed_at", Now()}, {"households_visited", 10}, {"children_counted", 4}});
    Fire(survey, kDirectorA, "close_survey", json::object());
    for (const auto& [who, name] : {std::pair{kDirectorA, "丙一"}, {kDirectorA, "丙二"},
                                    {kDirectorB, "丁一"}}) {
      Actor actor = As(who);
      auto r = RegisterOf(*runtime_).CreateChild(
          {Next(), actor, actor.unit, {{"child_name", name}, {"child_birth_date", "2017-01-0" + std::to_string(++files_)}}});
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }

    MoveClockTo("2026-03-03T09:00:00+08:00");
    Fire(a1_, kOfficerA, "send_feedback", {{"feedback_sent_at", Now()}, {"feedback_summary", "已受理"}});
    Fire(b1_, kOfficerB, "send_feedback", {{"feedback_sent_at", Now()}, {"feedback_summary", "已受理"}});
    Fire(p1_, kHelper, "log_talk", {{"talked_at", Now()}, {"note", "谈心"}});

    FireTimersAt("2026-03-06T09:00:00+08:00");
    FireTimersAt("2026-03-10T09:00:00+08:00");

    MoveClockTo("2026-04-08T09:00:00+08:00");
    b2_ = Open(kQingshiReporter, "mandatory_report",
               MandatoryReport("乙二", "guardian_neglect", "mandated", "village_committee"));
    Fire(b2_, kOfficerB, "transfer", {{"transfer_to", "chengguan-police"}});
    a4_ = Open(kTeacher, "mandatory_report",
               MandatoryReport("甲四", "living_alone", "mandated", "school"));
    Fire(p1_, kHelper, "log_video_call", {{"called_at", Now()}});
  }

  // The row of `report` whose members equal `where`'s; fails when there is
  // not exactly one.
  static json Row(const json& report, const json& where) {
    json found;
    int n = 0;
    for (const json& row : report["rows"]) {
      bool match = true;
      for (auto it = where.begin(); it != where.end(); ++it) match = match && row[it.key()] == *it;
      if (match) found = row, ++n;
    }
    EXPECT_EQ(n, 1) << where.dump() << " in " << report["rows"].dump();
    return found;
  }

  std::string a1_, a2_, a3_, a4_, b1_, b2_, p1_;
  int requests_ = 0;
  int files_ = 0;
};

TEST_F(ReportsTest, CasesPerUnitAndStepMatchTheHandCount) {
  BuildFixture();
  json r = Report("cases?unit=qingshan&from=2026-03&to=2026-04");
  EXPECT_EQ(r["from"], "2026-03");
  EXPECT_EQ(r["to"], "2026-04");
  auto cell = [&](const char* unit, const char* workflow, const char* state) {
    json row = Row(r, {{"unit", unit}, {"workflow", workflow}, {"state", state}});
    return std::tuple<int, int, int>(row.value("open", -1), row.value("overdue", -1),
                                     row.value("closed", -1));
  };
  // open, overdue, closed in the period
  EXPECT_EQ(cell("chengguan", "mandatory_report", "police_intake"), std::make_tuple(2, 2, 0));
  EXPECT_EQ(cell("chengguan", "mandatory_report", "reported"), std::make_tuple(1, 0, 0));
  EXPECT_EQ(cell("chengguan", "mandatory_report", "not_a_case"), std::make_tuple(0, 0, 1));
  EXPECT_EQ(cell("chengguan", "care_plan", "active"), std::make_tuple(1, 1, 0));
  EXPECT_EQ(cell("qingshi", "mandatory_report", "police_intake"), std::make_tuple(1, 1, 0));
  EXPECT_EQ(cell("qingshi", "mandatory_report", "transferred"), std::make_tuple(0, 0, 1));
  // The survey closed too (城关镇和平村's, in March).
  EXPECT_EQ(cell("chengguan", "annual_survey", "closed"), std::make_tuple(0, 0, 1));
  json total = Row(r, {{"unit", ""}});
  EXPECT_EQ(total["unit_name"], "合计");
  EXPECT_EQ(total["open"], 5);
  EXPECT_EQ(total["overdue"], 4);
  EXPECT_EQ(total["closed"], 3);
  EXPECT_EQ(r["rows"].size(), 8u) << r["rows"].dump();
  EXPECT_EQ(Row(r, {{"unit", "chengguan"}, {"state", "police_intake"}})["state_name"],
            "公安受理");

  // April alone: the closings of March drop out; open and overdue are now.
  json april = Report("cases?unit=qingshan&from=2026-04&to=2026-04");
  EXPECT_EQ(Row(april, {{"unit", ""}})["closed"], 1);
  EXPECT_EQ(Row(april, {{"unit", ""}})["open"], 5);

  // One township asked for: its rows are its villages and schools.
  json town = Report("cases?unit=chengguan&from=2026-03&to=2026-04", kChengguanBoss);
  EXPECT_EQ(Row(town, {{"unit", "chengguan-primary"}, {"state", "police_intake"}})["open"], 2);
  EXPECT_EQ(Row(town, {{"unit", "chengguan-c01"}, {"state", "not_a_case"}})["closed"], 1);
  EXPECT_EQ(Row(town, {{"unit", ""}})["open"], 4);
}

TEST_F(ReportsTest, FeedbackAndObligationsOnTimeMatchTheHandCount) {
  BuildFixture();
  json r = Report("measures?unit=qingshan&from=2026-03&to=2026-04");
  auto counts = [&](const json& where) {
    json row = Row(r, where);
    return std::make_pair(row.value("on_time", -1), row.value("late", -1));
  };
  // The police's 3-day feedback: 城关 A1 on time, A2 late; 青石 B1 on time.
  EXPECT_EQ(counts({{"measure", "police_feedback"}, {"unit", "chengguan"}}), std::make_pair(1, 1));
  EXPECT_EQ(counts({{"measure", "police_feedback"}, {"unit", "qingshi"}}), std::make_pair(1, 0));
  EXPECT_EQ(counts({{"measure", "police_feedback"}, {"unit", ""}}), std::make_pair(2, 1));
  EXPECT_DOUBLE_EQ(Row(r, {{"measure", "police_feedback"}, {"unit", ""}})["rate"].get<double>(),
                   0.6667);
  EXPECT_DOUBLE_EQ(Row(r, {{"measure", "police_feedback"}, {"unit", "chengguan"}})["rate"].get<double>(),
                   0.5);
  // Care-plan duties per helper: the talk on time; the video call missed
  // once (March) and logged on time once (April).
  EXPECT_EQ(counts({{"measure", "monthly_talk"}, {"who", kHelper}}), std::make_pair(1, 0));
  EXPECT_EQ(counts({{"measure", "weekly_video_call"}, {"who", kHelper}}), std::make_pair(1, 1));
  EXPECT_EQ(Row(r, {{"measure", "weekly_video_call"}, {"who", kHelper}})["who_name"], "谢涛");
  // Nothing else was measured: 3 measures with one row each, and a total each.
  EXPECT_EQ(r["rows"].size(), 7u) << r["rows"].dump();

  json april = Report("measures?unit=qingshan&from=2026-04&to=2026-04");
  EXPECT_EQ(april["rows"].size(), 2u) << april["rows"].dump();
  EXPECT_EQ(Row(april, {{"measure", "weekly_video_call"}, {"who", kHelper}})["on_time"], 1);
  EXPECT_EQ(Row(april, {{"measure", "weekly_video_call"}, {"who", kHelper}})["late"], 0);
}

TEST_F(ReportsTest, MonthlyCountsByCategoryAndReporterKindMatchTheHandCount) {
  BuildFixture();
  json r = Report("monthly?unit=qingshan&from=2026-03&to=2026-04");
  auto count = [&](const char* month, const char* by, const char* value) {
    return Row(r, {{"month", month}, {"by", by}, {"value", value}}).value("count", -1);
  };
  EXPECT_EQ(count("2026-03", "category", "living_alone"), 2);
  EXPECT_EQ(count("2026-03", "category", "missing"), 1);
  EXPECT_EQ(count("2026-03", "category", "domestic_violence"), 1);
  EXPECT_EQ(count("2026-03", "reporter_kind", "mandated"), 3);
  EXPECT_EQ(count("2026-03", "reporter_kind", "voluntary"), 1);
  EXPECT_EQ(count("2026-04", "category", "guardian_neglect"), 1);
  EXPECT_EQ(count("2026-04", "category", "living_alone"), 1);
  EXPECT_EQ(count("2026-04", "reporter_kind", "mandated"), 2);
  EXPECT_EQ(r["rows"].size(), 8u) << r["rows"].dump();
  EXPECT_EQ(Row(r, {{"month", "2026-03"}, {"value", "missing"}})["value_name"], "失踪");
}

TEST_F(ReportsTest, RegistrationRateMatchesTheHandCount) {
  BuildFixture();
  json r = Report("registration?unit=qingshan&from=2026-01&to=2026-12");
  // 城关: P1's file and two registered directly; 4 surveyed. 青石: one
  // file, no survey closed (no rate).
  json chengguan = Row(r, {{"unit", "chengguan"}});
  EXPECT_EQ(chengguan["registered"], 3);
  EXPECT_EQ(chengguan["surveyed"], 4);
  EXPECT_DOUBLE_EQ(chengguan["rate"].get<double>(), 0.75);
  json qingshi = Row(r, {{"unit", "qingshi"}});
  EXPECT_EQ(qingshi["registered"], 1);
  EXPECT_EQ(qingshi["surveyed"], 0);
  EXPECT_TRUE(qingshi["rate"].is_null());
  json total = Row(r, {{"unit", ""}});
  EXPECT_EQ(total["registered"], 4);
  EXPECT_EQ(total["surveyed"], 4);
  EXPECT_DOUBLE_EQ(total["rate"].get<double>(), 1.0);
  // A period without the survey has no denominator.
  EXPECT_EQ(Row(Report("registration?unit=qingshan&from=2026-04&to=2026-12"), {{"unit", ""}})["surveyed"], 0);
}

TEST_F(ReportsTest, TheXlsxExportReadsBackInOpenpyxlAsTheReport) {
  BuildFixture();
  HttpResponse x = Call("GET", "/api/v1/reports/measures?unit=qingshan&from=2026-03&to=2026-04&format=xlsx",
                        TokenFor(kCounty), "");
  ASSERT_EQ(x.status, 200) << x.body;
  EXPECT_EQ(x.content_type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  std::ofstream(dir_ + "/report.xlsx", std::ios::binary) << x.body;
  std::ofstream(dir_ + "/reader.py") << kReader;
  auto read = RunProgram(SHOUHU_PYTHON3, {dir_ + "/reader.py", dir_ + "/report.xlsx"}, dir_);
  ASSERT_EQ(read.exit_code, 0) << read.err;
  json book = json::parse(read.out);
  EXPECT_EQ(book["sheet"], "按时履责情况");
  // Written by hand: the rows in the order the report lists them (measures
  // by workflow and id; units in the county's order; the total last).
  json expected = json::array({
      {"单位 Unit", "流程 Workflow", "事项 Obligation", "责任人 Responsible", "按时 On time",
       "逾期 Late", "按时率 Rate on time"},
      {"城关镇", "结对帮扶", "每月谈心", "谢涛", 1, 0, "100.0%"},
      {"合计", "结对帮扶", "每月谈心", "", 1, 0, "100.0%"},
      {"城关镇", "结对帮扶", "每周亲情通话", "谢涛", 1, 1, "50.0%"},
      {"合计", "结对帮扶", "每周亲情通话", "", 1, 1, "50.0%"},
      {"城关镇", "强制报告", "受案后3日内反馈报告单位", "—", 1, 1, "50.0%"},
      {"青石镇", "强制报告", "受案后3日内反馈报告单位", "—", 1, 0, "100.0%"},
      {"合计", "强制报告", "受案后3日内反馈报告单位", "", 2, 1, "66.7%"},
  });
  EXPECT_EQ(book["rows"], expected) << book["rows"].dump();

  // And the cases report's export: its total row as the JSON has it.
  HttpResponse c = Call("GET", "/api/v1/reports/cases?unit=qingshan&from=2026-03&to=2026-04&format=xlsx",
                        TokenFor(kCounty), "");
  ASSERT_EQ(c.status, 200);
  std::ofstream(dir_ + "/cases.xlsx", std::ios::binary) << c.body;
  read = RunProgram(SHOUHU_PYTHON3, {dir_ + "/reader.py", dir_ + "/cases.xlsx"}, dir_);
  ASSERT_EQ(read.exit_code, 0) << read.err;
  json cases = json::parse(read.out)["rows"];
  EXPECT_EQ(cases.back(), json::array({"合计", "", "", 5, 4, 3}));
  EXPECT_EQ(cases.size(), 9u);
}

TEST_F(ReportsTest, OnlyReportReadersInTheirJurisdictionAndEveryReadIsAudited) {
  BuildFixture();
  // A police station's chief supervises but holds no reports.read.
  EXPECT_EQ(Call("GET", "/api/v1/reports/cases", TokenFor(kPoliceChief), "").status, 403);
  // A township supervisor asks for another township, or for the county.
  EXPECT_EQ(Call("GET", "/api/v1/reports/cases?unit=qingshi", TokenFor(kChengguanBoss), "").status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/reports/cases?unit=qingshan", TokenFor(kChengguanBoss), "").status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/reports/nonsense", TokenFor(kCounty), "").status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/reports/cases?from=2026-13", TokenFor(kCounty), "").status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/reports/cases?from=2026-04&to=2026-03", TokenFor(kCounty), "").status, 400);
  // Defaults: the caller's unit, this year up to this month.
  json r = Report("cases", kChengguanBoss);
  EXPECT_EQ(r["unit"], "chengguan");
  EXPECT_EQ(r["from"], "2026-01");
  EXPECT_EQ(r["to"], "2026-04");
  auto log = ReadAuditLog(*store_, "", 0);
  ASSERT_TRUE(log.ok());
  int reads = 0, refused = 0;
  for (const AuditRecord& a : *log) {
    if (a.action == "report.read") {
      ++reads;
      EXPECT_EQ(json::parse(a.detail)["report"], "cases");
    }
    if (a.action == "report.read.refused") ++refused;
  }
  EXPECT_EQ(reads, 1);
  EXPECT_EQ(refused, 3);
}

TEST_F(ReportsTest, ASpotCheckIsReproducibleFromItsSeedAndAudited) {
  BuildFixture();
  auto draw = [&](const json& body) {
    HttpResponse r = Call("POST", "/api/v1/spot-checks", TokenFor(kCounty), body.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? json::parse(r.body) : json();
  };
  json first = draw({{"kind", "cases"}, {"unit", "qingshan"}, {"size", 3}, {"seed", "20260408"}});
  json again = draw({{"kind", "cases"}, {"unit", "qingshan"}, {"size", 3}, {"seed", "20260408"}});
  EXPECT_EQ(first["population"], 8);  // six reports, the care plan, the survey
  EXPECT_EQ(first["sample"].size(), 3u);
  EXPECT_EQ(first["sample"], again["sample"]);
  EXPECT_EQ(first["seed"], "20260408");
  std::set<std::string> all = {a1_, a2_, a3_, a4_, b1_, b2_, p1_};
  int known = 0;
  for (const json& id : first["sample"]) known += all.count(id.get<std::string>()) ? 1 : 0;
  EXPECT_GE(known, 2);  // at most one of the three is the survey
  // 青石 in March: B1 only.
  json qingshi = draw({{"kind", "cases"}, {"unit", "qingshi"}, {"size", 5}, {"seed", "7"},
                       {"from", "2026-03"}, {"to", "2026-03"}});
  EXPECT_EQ(qingshi["sample"], json::array({b1_}));
  // Files: the four in the register, all drawn when asked for more.
  json files = draw({{"kind", "files"}, {"unit", "qingshan"}, {"size", 10}, {"seed", "1"}});
  EXPECT_EQ(files["population"], 4);
  EXPECT_EQ(files["sample"].size(), 4u);
  // A seed not given is drawn, returned and recorded.
  json fresh = draw({{"kind", "cases"}, {"size", 2}});
  EXPECT_FALSE(fresh["seed"].get<std::string>().empty());
  EXPECT_EQ(Call("POST", "/api/v1/spot-checks", TokenFor(kCounty), R"({"kind":"cases","size":0})").status, 422);
  EXPECT_EQ(Call("POST", "/api/v1/spot-checks", TokenFor(kPoliceChief),
                 R"({"kind":"cases","size":1})").status, 403);

  auto log = ReadAuditLog(*store_, "", 0);
  ASSERT_TRUE(log.ok());
  std::vector<json> recorded;
  for (const AuditRecord& a : *log) {
    if (a.action == "spot_check.cases" || a.action == "spot_check.files") {
      recorded.push_back(json::parse(a.detail));
    }
  }
  ASSERT_EQ(recorded.size(), 5u);
  EXPECT_EQ(recorded[0]["seed"], "20260408");
  EXPECT_EQ(recorded[0]["sample"], first["sample"]);
  EXPECT_EQ(recorded[4]["seed"], fresh["seed"]);
  EXPECT_EQ(recorded[4]["sample"], fresh["sample"]);
}

TEST(DrawSample, TheSameSeedDrawsTheSameSampleWhateverTheOrderRead) {
  std::vector<std::string> population;
  for (int i = 0; i < 50; ++i) population.push_back("c" + std::to_string(1000 + i));
  std::vector<std::string> reversed(population.rbegin(), population.rend());
  auto a = DrawSample(population, 5, 42);
  EXPECT_EQ(a, DrawSample(reversed, 5, 42));
  EXPECT_NE(a, DrawSample(population, 5, 43));
  EXPECT_EQ(std::set<std::string>(a.begin(), a.end()).size(), 5u);
  EXPECT_EQ(DrawSample(population, 80, 1).size(), 50u);
  EXPECT_TRUE(DrawSample({}, 3, 1).empty());
}

// A store that records what is read: a report must read the reports' rows
// (i/p/) and, for 建档率, the register's term index (k/x/), and nothing else.
class RecordingStore : public Store {
 public:
  explicit RecordingStore(std::unique_ptr<Store> base) : base_(std::move(base)) {}
  Status Commit(std::vector<Mutation> batch) override { return base_->Commit(std::move(batch)); }
  StatusOr<std::string> Get(std::string_view key) override {
    Note("get " + std::string(key));
    return base_->Get(key);
  }
  Status Scan(std::string_view prefix, std::string_view start,
              const std::function<bool(std::string_view, std::string_view)>& fn) override {
    Note("scan " + std::string(prefix.substr(0, 4)));
    return base_->Scan(prefix, start, [&](std::string_view k, std::string_view v) {
      ++rows_;
      return fn(k, v);
    });
  }
  StatusOr<std::string> LastKeyWithPrefix(std::string_view prefix) override {
    Note("last " + std::string(prefix));
    return base_->LastKeyWithPrefix(prefix);
  }
  Status Checkpoint(const std::string& dir) override { return base_->Checkpoint(dir); }
  StoreStats Stats() const override { return base_->Stats(); }

  std::set<std::string> TakeReads() {
    std::lock_guard lock(mu_);
    rows_ = 0;
    return std::exchange(reads_, {});
  }
  uint64_t rows() const { return rows_; }

 private:
  void Note(std::string what) {
    std::lock_guard lock(mu_);
    reads_.insert(std::move(what));
  }
  std::unique_ptr<Store> base_;
  std::mutex mu_;
  std::set<std::string> reads_;
  std::atomic<uint64_t> rows_{0};
};

TEST(ReportIndex, AReportReadsIndexRowsOnlyNeverACase) {
  char tmpl[] = "/tmp/shouhu-report-index-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  auto rocks = OpenRocksStore(dir + "/data");
  ASSERT_TRUE(rocks.ok());
  RecordingStore store(std::move(*rocks));
  std::vector<DefinitionError> errors;
  Catalog catalog = Catalog::Load({SourceTree("/workflows")}, &errors);
  ASSERT_TRUE(errors.empty());
  auto org = Organisation::Load(SourceTree("/deploy/county/organisation.json"));
  ASSERT_TRUE(org.ok());
  FakeClock clock{Instant(std::chrono::milliseconds(1'772'413'200'000))};
  auto runtime = Runtime::Create(store, catalog, clock, {});
  ASSERT_TRUE(runtime.ok());
  const User* teacher = org->FindUser(kTeacher);
  // 200 reports in 城关, one month.
  for (int i = 0; i < 200; ++i) {
    auto r = (*runtime)->Open({"o" + std::to_string(i),
                               {teacher->id, teacher->unit, teacher->roles, "test"},
                               "mandatory_report",
                               "",
                               MandatoryReport("子" + std::to_string(i), "living_alone", "mandated", "school")});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  ReportScope scope{"chengguan", {}, "2026-03", "2026-03"};
  for (const Unit& u : org->units()) {
    if (org->InSubtree(u.id, "chengguan")) scope.units.push_back(u.id);
  }
  store.TakeReads();
  uint64_t facts_before = ReportsOf(**runtime).FactRowsRead();
  for (const std::string& name : ReportNames()) {
    auto report = ComputeReport(name, scope, *org, catalog, ReportsOf(**runtime),
                                RegisterOf(**runtime));
    ASSERT_TRUE(report.ok()) << name << ": " << report.status().ToString();
  }
  std::set<std::string> reads = store.TakeReads();
  for (const std::string& read : reads) {
    EXPECT_TRUE(read == "scan i/p/" || read == "scan k/x/") << read;
  }
  // cases: 200 open-now rows and no closing; monthly: 200 opened rows;
  // measures: none (nothing accepted); registration: no survey row. The
  // term index holds no file (the reports name no birth date).
  EXPECT_EQ(ReportsOf(**runtime).FactRowsRead() - facts_before, 400u);
  runtime->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace shouhu::api
