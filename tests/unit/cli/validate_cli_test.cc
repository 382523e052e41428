// `shouhu validate`, run as the built binary: exit codes and the
// `file:json-pointer: message` lines on standard error.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace shouhu {
namespace {

const std::string kBinary = SHOUHU_BINARY_DIR "/engine/shouhu";
const std::string kSource = SHOUHU_SOURCE_DIR;
const std::string kFixtures = kSource + "/tests/fixtures/workflows";

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Runs the binary with `args`, standard output and error going to files so
// neither pipe can fill and block the child.
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
    Result r;
    std::string out = dir_ + "/out", err = dir_ + "/err";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::vector<char*> argv{const_cast<char*>(kBinary.c_str())};
    for (const std::string& a : args)
      argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = 0;
    int rc = posix_spawn(&pid, kBinary.c_str(), &actions, nullptr, argv.data(),
                         environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      ADD_FAILURE() << "posix_spawn: " << rc;
      return r;
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
      ADD_FAILURE() << "shouhu did not exit normally, status " << status;
      return r;
    }
    r.exit_code = WEXITSTATUS(status);
    r.out = ReadAll(out);
    r.err = ReadAll(err);
    return r;
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
                file + ":/events/3/to: unknown state \"dnoe\"", "1 error(s)"}));
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
                "2 error(s)"}));
}

TEST_F(CliTest, AMissingPathExits1) {
  std::string missing = dir_ + "/nothing-here";
  Result r = Run({"validate", missing});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(missing + ":: no such file or folder"),
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
  EXPECT_NE(r.err.find("usage: shouhu validate"), std::string::npos) << r.err;
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

}  // namespace
}  // namespace shouhu
