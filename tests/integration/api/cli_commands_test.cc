// The CLI's commands for dead letters (死信), children's files (儿童档案) and
// the API's errors, against a real shouhud: a report's SMS notifications die
// at once (the daemon has no "sms" channel), are listed and re-driven one by
// one and all at once; a child's file is listed, searched, shown and its
// history printed; a report missing fields names every one; the API's
// refusals print in Chinese with English beside.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "../../support/run_program.h"
#include "api_daemon.h"

namespace shouhu {
namespace {

using nlohmann::json;
using testing::ApiDaemon;
using testing::kTeacher;
using testing::kPolice;
using testing::ProgramResult;

constexpr const char* kSupervisor = "u0001";  // county supervisor
constexpr const char* kCaseWorker = "u0011";  // township case worker, 城关镇

// Notifications through an e-mail channel only: the report's SMS to the
// police (mandatory_report's new_report) has no channel and dies at once.
json NotifiersWithoutSms() {
  return {{"notifiers",
           {{"plugin_dir", BuildTree("/plugins")},
            {"retry", {{"max_attempts", 1}}},
            {"channels",
             {{"email",
               {{"plugin", "email"},
                {"config",
                 {{"url", "smtp://127.0.0.1:1"},
                  {"starttls", "none"},
                  {"from", "守护 <shouhu@localhost>"}}}}}}}}}};
}

json Body(const cli::HttpReply& r) { return json::parse(r.body.empty() ? "{}" : r.body); }

class CliCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override { daemon_.Start(); }

  // The CLI as `user`, the server and token given as --name=value.
  ProgramResult Cli(const std::string& user, std::vector<std::string> args) {
    args.push_back("--server=" + daemon_.base_url());
    args.push_back("--token=" + daemon_.TokenFor(user));
    return testing::RunProgram(testing::kCliPath, args, daemon_.dir());
  }
  cli::HttpReply Send(const std::string& user, const std::string& method,
                      const std::string& path, const json& body = nullptr) {
    return daemon_.ClientFor(user)->Send(method, path, body.is_null() ? "" : body.dump());
  }
  // The dead letters the county supervisor sees, once at least `n` are
  // there: asked of the API again until the dispatcher's round recorded
  // them (no sleep; bounded).
  json DeadLetters(size_t n) {
    json letters = json::array();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      letters = Body(Send(kSupervisor, "GET", "/api/v1/dead-letters"))["dead_letters"];
      if (letters.size() >= n) break;
    }
    return letters;
  }

  ApiDaemon daemon_{json{{"rate_per_second", 0}}, NotifiersWithoutSms()};
};

TEST_F(CliCommandsTest, DeadLettersAreListedAndRedrivenAllOrOne) {
  auto filed = Send(kTeacher, "POST", "/api/v1/cases", testing::ReportBody());
  ASSERT_EQ(filed.status, 201) << filed.body;
  const std::string case_id = Body(filed)["case_id"];
  json letters = DeadLetters(1);
  ASSERT_GE(letters.size(), 1u) << daemon_.output();

  ProgramResult listed = Cli(kSupervisor, {"dead-letters", "list", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  std::set<std::string> ids;
  const json listed_json = json::parse(listed.out);
  for (const json& d : listed_json["dead_letters"]) {
    EXPECT_EQ(d["case_id"], case_id);
    EXPECT_EQ(d["channel"], "sms");
    EXPECT_EQ(d["reason"], "渠道未配置 / channel \"sms\" is not configured");
    ids.insert(d["id"].get<std::string>());
  }
  ASSERT_GE(ids.size(), letters.size());
  ProgramResult table = Cli(kSupervisor, {"dead-letters", "list", "--limit", "200"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find(*ids.begin()), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("渠道未配置"), std::string::npos) << table.out;

  // All of them sent again: each re-drive is a change of the case.
  const json history = Body(Send(kSupervisor, "GET", "/api/v1/cases/" + case_id))["history"];
  ASSERT_FALSE(history.empty());
  const int seq_before = history.back()["seq"];
  ProgramResult all = Cli(kSupervisor, {"dead-letters", "redrive", "--all", "--json"});
  ASSERT_EQ(all.exit_code, 0) << all.out << all.err;
  json done = json::parse(all.out);
  EXPECT_EQ(done["failed"], 0);
  std::set<std::string> redriven;
  for (const json& r : done["redriven"]) {
    redriven.insert(r["dead_letter"].get<std::string>());
    EXPECT_EQ(r["case_id"], case_id);
    EXPECT_GT(r["seq"].get<int>(), seq_before);
  }
  // Every one listed (and any that died since).
  EXPECT_TRUE(std::includes(redriven.begin(), redriven.end(), ids.begin(), ids.end()));

  // Dead again (still no SMS channel): one re-driven by its id.
  ASSERT_GE(DeadLetters(1).size(), 1u);
  const std::string one = DeadLetters(1)[0]["id"];
  ProgramResult single = Cli(kSupervisor, {"dead-letters", "redrive", one});
  ASSERT_EQ(single.exit_code, 0) << single.err;
  EXPECT_EQ(single.out.rfind("re-driven 已重新投递: " + one + "  case " + case_id, 0), 0u)
      << single.out;

  // Refusals, as the API gives them, in Chinese with English beside.
  ProgramResult unknown = Cli(kSupervisor, {"dead-letters", "redrive", "no-such-letter"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(unknown.err,
            "错误：未找到 (HTTP 404) / error: not_found: no dead letter \"no-such-letter\"\n");
  ProgramResult police = Cli(kPolice, {"dead-letters", "list"});
  EXPECT_EQ(police.exit_code, 1);
  EXPECT_EQ(police.err,
            "错误：无权执行此操作 (HTTP 403) / error: forbidden: only supervisors see dead "
            "letters\n");
}

TEST_F(CliCommandsTest, ChildFilesAreListedSearchedShownWithTheirHistory) {
  json report = testing::ReportBody("甲一");
  report["data"]["child_birth_date"] = "2016-02-03";
  report["data"]["child_unit"] = "chengguan-c01";
  auto filed = Send(kTeacher, "POST", "/api/v1/cases", report);
  ASSERT_EQ(filed.status, 201) << filed.body;
  const std::string case_id = Body(filed)["case_id"];
  const std::string child =
      Body(Send(kPolice, "GET", "/api/v1/cases/" + case_id)).value("child_id", "");
  ASSERT_FALSE(child.empty());
  auto changed = Send(kCaseWorker, "PATCH", "/api/v1/children/" + child,
                      json{{"fields", {{"grade", "二年级"}}}});
  ASSERT_EQ(changed.status, 200) << changed.body;

  ProgramResult list = Cli(kCaseWorker, {"child", "list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  std::set<std::string> listed;
  const json list_json = json::parse(list.out);
  for (const json& f : list_json["children"]) listed.insert(f["id"].get<std::string>());
  EXPECT_TRUE(listed.count(child)) << list.out;

  ProgramResult found = Cli(kCaseWorker, {"child", "search", "--name", "甲一", "--json"});
  ASSERT_EQ(found.exit_code, 0) << found.err;
  json hits = json::parse(found.out);
  ASSERT_EQ(hits["total"], 1) << found.out;
  EXPECT_EQ(hits["children"][0]["id"], child);
  ProgramResult table = Cli(kCaseWorker, {"child", "search", "--name=甲一"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find(child), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("2016-02-03"), std::string::npos) << table.out;
  ProgramResult none = Cli(kCaseWorker, {"child", "search", "--name", "无此人", "--json"});
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(json::parse(none.out)["total"], 0);
  ProgramResult no_criteria = Cli(kCaseWorker, {"child", "search", "--unit", "chengguan"});
  EXPECT_EQ(no_criteria.exit_code, 2);
  EXPECT_EQ(no_criteria.err.rfind("错误：至少给一个条件", 0), 0u) << no_criteria.err;

  ProgramResult shown = Cli(kCaseWorker, {"child", "show", child});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  for (const std::string& text : {child, std::string("甲一"), std::string("二年级"), case_id}) {
    EXPECT_NE(shown.out.find(text), std::string::npos) << text << "\n" << shown.out;
  }
  ProgramResult history = Cli(kCaseWorker, {"child", "history", child, "--json"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  json revisions = json::parse(history.out)["revisions"];
  ASSERT_EQ(revisions.size(), 2u) << history.out;
  EXPECT_EQ(revisions[1]["actor"], kCaseWorker);
  EXPECT_EQ(revisions[1]["changes"]["grade"], "二年级");

  ProgramResult teacher = Cli(kTeacher, {"child", "list"});
  EXPECT_EQ(teacher.exit_code, 1);
  EXPECT_EQ(teacher.err.rfind("错误：无权执行此操作 (HTTP 403) / error: forbidden: ", 0), 0u)
      << teacher.err;
}

TEST_F(CliCommandsTest, AReportMissingFieldsNamesEveryOne) {
  ProgramResult r = Cli(kTeacher, {"report", "child_name=小明"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.err.rfind("错误：数据无效 (HTTP 422) / error: invalid_data:\n", 0), 0u) << r.err;
  for (const char* field : {"category", "reporter_kind", "reporter_category", "discovered_at"}) {
    EXPECT_NE(r.err.find(std::string("  缺少字段 ") + field + " / field \"" + field +
                         "\" is required"),
              std::string::npos)
        << field << "\n" << r.err;
  }
}

TEST_F(CliCommandsTest, TheTokenEitherWayIsTheSameUser) {
  const std::string token = daemon_.TokenFor(kTeacher);
  ProgramResult joined = testing::RunProgram(
      testing::kCliPath, {"whoami", "--server=" + daemon_.base_url(), "--token=" + token},
      daemon_.dir());
  ProgramResult spaced = testing::RunProgram(
      testing::kCliPath, {"whoami", "--server", daemon_.base_url(), "--token", token},
      daemon_.dir());
  ASSERT_EQ(joined.exit_code, 0) << joined.err;
  EXPECT_EQ(joined.out.rfind(std::string(kTeacher) + " ", 0), 0u) << joined.out;
  EXPECT_EQ(spaced.exit_code, 0) << spaced.err;
  EXPECT_EQ(spaced.out, joined.out);
}

}  // namespace
}  // namespace shouhu
