// The README's CLI session against a real shouhud: the first administrator's
// token issued offline before the daemon starts, tokens for the others
// through the admin API, a report filed as a teacher, accepted as police, and
// the overdue escalation seen as the police station's supervisor once the
// (test-shortened) response deadline has fired.
#include <gtest/gtest.h>

#include <cstdio>
#include <regex>

#include "api_daemon.h"

namespace shouhu {
namespace {

using nlohmann::json;
using testing::ApiDaemon;
using testing::kCliPath;

struct CliRun {
  int code = -1;
  std::string out;  // stdout and stderr
};

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs the CLI with `args`, SHOUHU_SERVER and (if set) SHOUHU_TOKEN.
CliRun Cli(const std::vector<std::string>& args, const std::string& server = "",
        const std::string& token = "") {
  std::string cmd = "env";
  if (!server.empty()) cmd += " SHOUHU_SERVER=" + Quote(server);
  cmd += token.empty() ? " -u SHOUHU_TOKEN" : " SHOUHU_TOKEN=" + Quote(token);
  cmd += " " + Quote(kCliPath);
  for (const auto& a : args) cmd += " " + Quote(a);
  cmd += " 2>&1";
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

TEST(CliSessionTest, TeacherReportsPoliceAcceptsSupervisorSeesTheEscalation) {
  ApiDaemon daemon;
  // Before the first start: the first administrator's token, offline.
  CliRun admin = Cli({"token", "issue", "--data-dir", daemon.data_dir(), "--user", "u0007",
                   "--label", "first admin", "--quiet"});
  ASSERT_EQ(admin.code, 0) << admin.out;
  std::string admin_token = Trim(admin.out);
  ASSERT_EQ(admin_token.rfind("shh_", 0), 0u) << admin.out;
  daemon.SimulateTime();  // the bundled deadlines, passed in a call each
  daemon.Start();
  std::string server = daemon.base_url();

  auto issue = [&](const std::string& user) {
    CliRun r = Cli({"token", "issue", "--user", user, "--ttl", "P7D", "--quiet"}, server, admin_token);
    EXPECT_EQ(r.code, 0) << r.out;
    return Trim(r.out);
  };
  std::string teacher = issue("u0021"), police = issue("u0008"), chief = issue("u0010");

  CliRun report = Cli({"report", "--key", "report-2026-001", "child_name=小明",
                    "category=living_alone", "reporter_kind=mandated",
                    "reporter_category=school", "discovered_at=2026-03-02T08:00:00+08:00",
                    "child_category:=[\"left_behind\"]", "--json"},
                   server, teacher);
  ASSERT_EQ(report.code, 0) << report.out;
  std::string id = json::parse(report.out)["case_id"];

  CliRun shown = Cli({"show", id}, server, police);
  ASSERT_EQ(shown.code, 0) << shown.out;
  EXPECT_NE(shown.out.find("已报告 Reported"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("acceptance_sla"), std::string::npos);
  EXPECT_NE(shown.out.find("小明"), std::string::npos);
  // Who reported, with name, unit and phone, for the police.
  EXPECT_NE(shown.out.find("u0021  梁磊 · chengguan-primary · 13800000021"), std::string::npos)
      << shown.out;
  // Enum values read as their labels, not as codes.
  EXPECT_NE(shown.out.find("脱离监护单独居住 Living alone without a guardian"), std::string::npos)
      << shown.out;
  EXPECT_NE(shown.out.find("留守儿童 Left-behind child"), std::string::npos) << shown.out;
  EXPECT_EQ(shown.out.find("living_alone"), std::string::npos) << shown.out;
  // Times in the organisation's time zone (Asia/Shanghai), never as UTC.
  EXPECT_NE(shown.out.find(" +0800"), std::string::npos) << shown.out;
  EXPECT_FALSE(std::regex_search(shown.out, std::regex(R"(\d\d:\d\d:\d\d(\.\d+)?Z)")))
      << shown.out;

  EXPECT_EQ(Cli({"assign", id, "u0008"}, server, police).code, 0);
  CliRun accepted = Cli({"fire", id, "accept", "intake_kind=administrative",
                          "accepted_at=" + testing::NowText()}, server, police);
  ASSERT_EQ(accepted.code, 0) << accepted.out;
  EXPECT_NE(accepted.out.find("police_intake"), std::string::npos) << accepted.out;

  // The teacher sees progress, and may not act.
  CliRun feedback = Cli({"show", id}, server, teacher);
  EXPECT_NE(feedback.out.find("公安受理 Police intake"), std::string::npos) << feedback.out;
  EXPECT_EQ(feedback.out.find("小明"), std::string::npos) << feedback.out;
  CliRun refused = Cli({"fire", id, "respond"}, server, teacher);
  EXPECT_EQ(refused.code, 1);
  EXPECT_NE(refused.out.find("forbidden"), std::string::npos) << refused.out;

  // The response deadline (24 hours) passes, then the step to the
  // station's supervisor (2 hours later).
  daemon.Advance("PT26H");
  CliRun escalations = Cli({"escalations", "--json"}, server, chief);
  ASSERT_EQ(escalations.code, 0) << escalations.out;
  ASSERT_EQ(json::parse(escalations.out)["escalations"].size(), 1u) << escalations.out;
  CliRun overdue = Cli({"overdue"}, server, chief);
  EXPECT_EQ(overdue.code, 0) << overdue.out;
  EXPECT_NE(overdue.out.find(id), std::string::npos) << overdue.out;
  EXPECT_NE(overdue.out.find("逾期 overdue"), std::string::npos) << overdue.out;
  CliRun table = Cli({"escalations"}, server, chief);
  EXPECT_NE(table.out.find("出警处置超时"), std::string::npos) << table.out;

  CliRun users = Cli({"users", "--unit", "chengguan-police"}, server, chief);
  EXPECT_NE(users.out.find("徐勇"), std::string::npos) << users.out;
  // The supervisor is no administrator; the administrator lists the tokens.
  EXPECT_EQ(Cli({"token", "list"}, server, chief).code, 1);
  CliRun tokens = Cli({"token", "list", "--json"}, server, admin_token);
  // Four issued here, and the one the test moves the clock with.
  EXPECT_EQ(json::parse(tokens.out)["tokens"].size(), 5u) << tokens.out;
}

TEST(CliSessionTest, HelpEverywhereAndClearErrors) {
  for (std::string cmd : {"report", "show", "fire", "note", "assign", "list", "overdue",
                          "escalations", "whoami", "token", "user", "unit", "dead-letters",
                          "child", "backup", "restore", "audit", "key", "reports",
                          "spot-check"}) {
    CliRun help = Cli({cmd, "--help"});
    EXPECT_EQ(help.code, 0) << cmd;
    EXPECT_NE(help.out.find("usage: shouhu " + cmd), std::string::npos) << help.out;
  }
  // Each action of a command has its own --help, with its options.
  CliRun add = Cli({"user", "add", "--help"});
  EXPECT_EQ(add.code, 0);
  EXPECT_NE(add.out.find("usage: shouhu user add"), std::string::npos) << add.out;
  EXPECT_NE(add.out.find("--roles ROLE,ROLE"), std::string::npos) << add.out;
  EXPECT_NE(Cli({"users", "--help"}).out.find("shouhu users [--unit UNIT]"), std::string::npos);
  CliRun top = Cli({"help"});
  EXPECT_NE(top.out.find("token issue|revoke|list"), std::string::npos) << top.out;
  EXPECT_EQ(Cli({"show"}).code, 2);
  EXPECT_EQ(Cli({"list", "--bogus"}).code, 2);
  EXPECT_EQ(Cli({"report", "not-a-field"}).code, 2);
  CliRun unreachable = Cli({"whoami", "--server", "http://127.0.0.1:1"});
  EXPECT_EQ(unreachable.code, 3) << unreachable.out;
  EXPECT_NE(unreachable.out.find("cannot reach"), std::string::npos);
}

}  // namespace
}  // namespace shouhu
