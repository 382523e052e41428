// `shouhu validate`, run as the built binary: exit codes and the
// `file:json-pointer: message` lines on standard error.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../../support/data_key.h"
#include "../../support/run_program.h"
#include "../workflow/definitions.h"
#include "../../support/test_paths.h"

namespace shouhu {
namespace {

const std::string kBinary = BuildTree("/engine/shouhu");
const std::string kSource = SourceTree("");
const std::string kFixtures = kSource + "/tests/fixtures/workflows";

using Result = testing::ProgramResult;

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Runs the binary with `args` (run_program.h).
class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shouhu_cli_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ASSERT_TRUE(std::filesystem::exists(kBinary)) << kBinary;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result Run(const std::vector<std::string>& args) {
    return testing::RunProgram(kBinary, args, dir_);
  }

  std::string dir_;
};

TEST_F(CliTest, RealWorkflowsAreValid) {
  Result r = Run({"validate", kSource + "/workflows"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("ok  mandatory_report v1"), std::string::npos) << r.out;
}

TEST_F(CliTest, ALoneWorkflowFileSeesTheCalendarsBesideIt) {
  Result r = Run({"validate", kFixtures + "/valid/minimal.json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ok  minimal v1"), std::string::npos) << r.out;
}

TEST_F(CliTest, AnInvalidFixturePrintsItsErrorLineAndExits1) {
  std::string file = kFixtures + "/invalid/unknown_state_in_to.json";
  Result r = Run({"validate", file, kFixtures + "/valid/calendars"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(SplitLines(r.err),
            (std::vector<std::string>{
                file + ":/events/3/to: unknown state \"dnoe\"", "1 error(s) 个错误"}));
  EXPECT_EQ(r.out, "");
}

TEST_F(CliTest, EveryErrorIsOneLine) {
  std::string v3 = kFixtures + "/versions/v3_invalid.json";
  Result r = Run({"validate", kFixtures + "/versions"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(SplitLines(r.err),
            (std::vector<std::string>{
                v3 + ":/events/1/to: unknown state \"archived\"",
                v3 + ":/states/2: unreachable state \"closed\": no event "
                     "leads to it from \"open\"",
                "2 error(s) 个错误"}));
}

TEST_F(CliTest, AMissingPathExits1) {
  std::string missing = dir_ + "/nothing-here";
  Result r = Run({"validate", missing});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(missing + ":: no such file or folder"),
            std::string::npos)
      << r.err;
}

// Regression (issue 11): a guard nested 100,000 deep segfaulted the loader.
TEST_F(CliTest, ADefinitionNestedTooDeepIsOneErrorLineNotACrash) {
  std::string file = testing::MinimalWithGuard(dir_, testing::NotChain(100'000));
  Result r = Run({"validate", file, kFixtures + "/valid/calendars"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(file + ":: JSON 嵌套超过 64 层 / nested deeper than 64 levels"),
            std::string::npos)
      << r.err;
}

TEST_F(CliTest, ValidateHelpExits0) {
  Result r = Run({"validate", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("usage: shouhu validate"), std::string::npos) << r.out;
  EXPECT_EQ(r.err, "");
}

TEST_F(CliTest, ValidateWithoutAPathExits2) {
  Result r = Run({"validate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "错误：缺少参数 PATH 或 --config / error: missing PATH... or --config\n");
  EXPECT_EQ(r.out, "");
}

TEST_F(CliTest, NoCommandExits2AndUnknownCommandToo) {
  Result none = Run({});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("usage: shouhu <command>"), std::string::npos);
  Result unknown = Run({"vaildate", kSource + "/workflows"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown command \"vaildate\""), std::string::npos)
      << unknown.err;
  Result help = Run({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("usage: shouhu <command>"), std::string::npos);
}

// `validate --config`: what shouhud checks at start, the access rules and
// the data key file included (issue 12).
TEST_F(CliTest, ValidatesAConfigurationWithItsAccessRulesAndDataKey) {
  std::ifstream in(kSource + "/deploy/county/access.json");
  std::string rules((std::istreambuf_iterator<char>(in)), {});
  std::ofstream(dir_ + "/access.json") << rules;
  testing::WriteTestKeyFile(dir_ + "/shouhud.key");
  std::ofstream(dir_ + "/shouhud.json")
      << R"({"data_dir": "data", "workflows": [")" << kSource << R"(/workflows"],
             "organisation": ")" << kSource << R"(/deploy/county/organisation.json",
             "access": "access.json", "encryption": {"key_file": "shouhud.key"}})";
  Result ok = Run({"validate", "--config", dir_ + "/shouhud.json"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("ok  access rules  " + dir_ + "/access.json"), std::string::npos)
      << ok.out;
  EXPECT_NE(ok.out.find("ok  data key "), std::string::npos) << ok.out;
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/data")) << "validate creates nothing";

  const auto at = rules.find("\"case.reporter_identity\"");
  ASSERT_NE(at, std::string::npos);
  rules.replace(at, 24, "\"case.everything\"");
  std::ofstream(dir_ + "/access.json") << rules;
  ASSERT_EQ(::chmod((dir_ + "/shouhud.key").c_str(), 0644), 0);
  Result bad = Run({"validate", "--config", dir_ + "/shouhud.json"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find(dir_ + "/access.json:/roles/police_officer/1: unknown capability "
                                "\"case.everything\""),
            std::string::npos)
      << bad.err;
  EXPECT_NE(bad.err.find(dir_ + "/shouhud.key has mode 0644"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("2 error(s)"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace shouhu
