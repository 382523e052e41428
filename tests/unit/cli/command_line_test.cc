// The command lines of `shouhu` and `shouhud` (CLI11, cli/command_line.h),
// run as the built binaries: `--name value` and `--name=value` are the same
// option, --version is the project's, an unknown option, a wrong or missing
// value and missing options are errors in Chinese with English beside (all
// the missing options in one message), and every command and action has
// --help.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../../support/run_program.h"
#include "../../support/test_paths.h"

namespace shouhu {
namespace {

using Result = testing::ProgramResult;

const std::string kCli = BuildTree("/engine/shouhu");
const std::string kDaemon = BuildTree("/engine/shouhud");

// A command line and the one line it must print on standard error.
struct Refusal {
  std::vector<std::string> args;
  std::string err;
};

class CommandLineTest : public ::testing::Test {
 protected:
  // Each refused with exit 2 and exactly its line.
  void ExpectRefused(const std::vector<Refusal>& refusals) {
    for (const Refusal& r : refusals) {
      Result got = Cli(r.args);
      EXPECT_EQ(got.exit_code, 2) << r.args[0];
      EXPECT_EQ(got.err, r.err);
      EXPECT_EQ(got.out, "");
    }
  }
  void SetUp() override {
    char tmpl[] = "/tmp/shouhu_command_line_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result Cli(const std::vector<std::string>& args) {
    return testing::RunProgram(kCli, args, dir_);
  }
  Result Daemon(const std::vector<std::string>& args) {
    return testing::RunProgram(kDaemon, args, dir_);
  }

  std::string dir_;
};

TEST_F(CommandLineTest, BothOptionFormsAreTheSameOption) {
  // Offline: two tokens issued, one with each form, both for u0001.
  const std::string data = dir_ + "/data";
  std::filesystem::create_directories(data);
  Result spaced = Cli({"token", "issue", "--data-dir", data, "--user", "u0001", "--label",
                       "spaced", "--quiet"});
  ASSERT_EQ(spaced.exit_code, 0) << spaced.err;
  Result joined = Cli({"token", "issue", "--data-dir=" + data, "--user=u0001", "--label=joined",
                       "--quiet"});
  ASSERT_EQ(joined.exit_code, 0) << joined.err;
  Result list = Cli({"token", "list", "--data-dir=" + data, "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  nlohmann::json tokens = nlohmann::json::parse(list.out)["tokens"];
  ASSERT_EQ(tokens.size(), 2u) << list.out;
  std::vector<std::string> labels;
  for (const auto& t : tokens) {
    EXPECT_EQ(t["user"], "u0001");
    labels.push_back(t["label"]);
  }
  std::sort(labels.begin(), labels.end());
  EXPECT_EQ(labels, (std::vector<std::string>{"joined", "spaced"}));

  // A client command's --server, either way: the address it could not reach.
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"whoami", "--server", "http://127.0.0.1:1"}, {"whoami", "--server=http://127.0.0.1:1"}}) {
    Result r = Cli(args);
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_EQ(r.err.rfind("错误：无法连接 http://127.0.0.1:1 / error: cannot reach "
                          "http://127.0.0.1:1: ", 0),
              0u)
        << r.err;
  }
  // The daemon's: the same configuration file checked, the same answer.
  const std::string missing = dir_ + "/missing.json";
  Result check_spaced = Daemon({"--check-config", missing});
  Result check_joined = Daemon({"--check-config=" + missing});
  EXPECT_EQ(check_spaced.exit_code, 1);
  EXPECT_NE(check_spaced.err.find(missing + ": cannot read the configuration file"),
            std::string::npos)
      << check_spaced.err;
  EXPECT_EQ(check_joined.exit_code, check_spaced.exit_code);
  EXPECT_EQ(check_joined.err, check_spaced.err);
}

TEST_F(CommandLineTest, VersionIsTheProjectsOnBothPrograms) {
  Result cli = Cli({"--version"});
  EXPECT_EQ(cli.exit_code, 0);
  EXPECT_EQ(cli.out, std::string("shouhu ") + SHOUHU_EXPECTED_VERSION + "\n");
  Result daemon = Daemon({"--version"});
  EXPECT_EQ(daemon.exit_code, 0);
  EXPECT_EQ(daemon.out, std::string("shouhud ") + SHOUHU_EXPECTED_VERSION + "\n");
}

TEST_F(CommandLineTest, AnUnknownOptionOrCommandIsAnErrorInChineseAndEnglish) {
  ExpectRefused({
      {{"list", "--bogus"},
       "错误：未知选项 --bogus / error: unknown option --bogus (shouhu list --help)\n"},
      {{"user", "add", "u1", "--name=x", "--unit=y", "--roles=z", "--colour=red"},
       "错误：未知选项 --colour / error: unknown option --colour (shouhu user add --help)\n"},
      {{"vaildate"},
       "错误：未知命令 \"vaildate\" / error: unknown command \"vaildate\" (shouhu --help)\n"},
      {{"show", "C1", "C2"},
       "错误：多余的参数 C2 / error: unexpected argument(s) C2 (shouhu show --help)\n"},
  });
  Result daemon = Daemon({"--bogus"});
  EXPECT_EQ(daemon.exit_code, 2);
  EXPECT_EQ(daemon.err,
            "错误：未知选项 --bogus / error: unknown option --bogus (shouhud --help)\n");
}

TEST_F(CommandLineTest, EveryMissingOptionIsNamedInOneMessage) {
  ExpectRefused({
      {{"user", "add", "u9001"},
       "错误：缺少参数 --name、--unit、--roles / error: missing options --name, --unit, --roles "
       "(shouhu user add --help)\n"},
      {{"user", "add", "u9001", "--unit=x"},
       "错误：缺少参数 --name、--roles / error: missing options --name, --roles "
       "(shouhu user add --help)\n"},
      {{"unit", "add"},
       "错误：缺少参数 ID、--name-zh、--type、--parent / error: missing ID, --name-zh, --type, "
       "--parent (shouhu unit add --help)\n"},
      {{"restore"},
       "错误：缺少参数 --from、--data-dir / error: missing options --from, --data-dir "
       "(shouhu restore --help)\n"},
      {{"show"}, "错误：缺少参数 CASE / error: missing CASE (shouhu show --help)\n"},
      // Required in one mode only: offline backup and key rotation.
      {{"backup", "--data-dir", "d"}, "错误：缺少参数 --to / error: missing option --to\n"},
      {{"key", "rotate"},
       "错误：缺少参数 --data-dir、--new-key / error: missing options --data-dir, --new-key\n"},
      {{"token"},
       "错误：缺少命令，可用：issue、revoke、list / error: missing a command, one of: issue, "
       "revoke, list (shouhu token --help)\n"},
  });
  Result daemon = Daemon({});
  EXPECT_EQ(daemon.exit_code, 2);
  EXPECT_EQ(daemon.err,
            "错误：缺少参数 --config 或 --check-config / error: missing option --config or "
            "--check-config (shouhud --help)\n");
}

TEST_F(CommandLineTest, AWrongOrMissingValueIsNamed) {
  ExpectRefused({
      {{"list", "--limit", "abc"},
       "错误：--limit 的值「abc」不是正整数 / error: --limit: \"abc\" is not a positive whole "
       "number (shouhu list --help)\n"},
      {{"overdue", "--limit=0"},
       "错误：--limit 的值「0」不是正整数 / error: --limit: \"0\" is not a positive whole "
       "number (shouhu overdue --help)\n"},
      {{"list", "--token"},
       "错误：--token 缺少值 / error: --token needs a value (shouhu list --help)\n"},
  });
  Result daemon = Daemon({"--config", "x.json", "--listen", "8620"});
  EXPECT_EQ(daemon.exit_code, 2);
  EXPECT_EQ(daemon.err,
            "错误：--listen 的值「8620」须为 地址:端口 / error: --listen: \"8620\" is not "
            "address:port (shouhud --help)\n");
  Result both = Daemon({"--config", "a.json", "--check-config", "b.json"});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.err.find("错误：--config 与 --check-config 不能同时使用"), std::string::npos)
      << both.err;
}

TEST_F(CommandLineTest, EveryCommandAndActionHasHelp) {
  const std::vector<std::vector<std::string>> commands = {
      {"report"},         {"fire"},          {"list"},         {"token", "issue"},
      {"token", "revoke"}, {"user", "add"},   {"user", "set"},  {"user", "invite"},
      {"user", "list"},   {"unit", "move"},  {"dead-letters", "list"},
      {"dead-letters", "redrive"},           {"child", "search"}, {"child", "show"},
      {"child", "history"}, {"key", "rotate"}, {"audit", "verify"}, {"backup"},
      {"validate"}};
  for (std::vector<std::string> args : commands) {
    std::string path = "shouhu";
    for (const auto& a : args) path += " " + a;
    args.push_back("--help");
    Result r = Cli(args);
    EXPECT_EQ(r.exit_code, 0) << path;
    EXPECT_NE(r.out.find("usage: " + path), std::string::npos) << path << "\n" << r.out;
    EXPECT_NE(r.out.find("-h,--help"), std::string::npos) << r.out;
    EXPECT_EQ(r.err, "");
  }
  Result daemon = Daemon({"--help"});
  EXPECT_EQ(daemon.exit_code, 0);
  EXPECT_NE(daemon.out.find("usage: shouhud --config"), std::string::npos) << daemon.out;
  EXPECT_NE(daemon.out.find("--check-config FILE"), std::string::npos) << daemon.out;
}

}  // namespace
}  // namespace shouhu
