// The log's line format (shouhu/log.h) and the configuration's "log" member.
#include "shouhu/log.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "daemon/config.h"

namespace shouhu {
namespace {

TEST(LogTest, FieldsAreKeyValuePairsQuotedWhenTheyMustBe) {
  EXPECT_EQ(log::Format("dead letter 死信", {{"event", "dead_letter"}, {"case", "C0000000001"},
                                            {"attempt", 3}, {"ms", 12.5}}),
            "dead letter 死信 event=dead_letter case=C0000000001 attempt=3 ms=12.500");
  EXPECT_EQ(log::Format("m", {{"why", "two words"}, {"empty", ""}, {"q", "a\"b\\c"},
                             {"eq", "a=b"}, {"nl", "a\nb"}}),
            "m why=\"two words\" empty=\"\" q=\"a\\\"b\\\\c\" eq=\"a=b\" nl=\"a\\nb\"");
  EXPECT_EQ(log::Format("", {{"event", "x"}}), "event=x");
}

TEST(LogTest, LevelsAndOutputsByName) {
  EXPECT_EQ(log::ParseLevel("debug"), log::Level::kDebug);
  EXPECT_EQ(log::ParseLevel("info"), log::Level::kInfo);
  EXPECT_EQ(log::ParseLevel("warn"), log::Level::kWarning);
  EXPECT_EQ(log::ParseLevel("warning"), log::Level::kWarning);
  EXPECT_EQ(log::ParseLevel("error"), log::Level::kError);
  EXPECT_EQ(log::ParseLevel("loud"), std::nullopt);
  EXPECT_EQ(log::ParseOutput("journal"), log::Output::kJournal);
  EXPECT_EQ(log::ParseOutput("syslog"), std::nullopt);
  log::Configure({log::Level::kWarning, log::Output::kStderr});
  EXPECT_FALSE(log::Enabled(log::Level::kInfo));
  EXPECT_TRUE(log::Enabled(log::Level::kError));
  log::Configure({});
  EXPECT_TRUE(log::Enabled(log::Level::kInfo));
  EXPECT_FALSE(log::Enabled(log::Level::kDebug));
}

class LogConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shouhu-logcfg-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  StatusOr<DaemonConfig> Load(const std::string& log) {
    std::string path = dir_ + "/shouhud.json";
    std::ofstream(path) << R"({"data_dir": "d", "workflows": ["w"],
        "encryption": {"none": "development"})" << (log.empty() ? "" : ", \"log\": " + log) << "}";
    return LoadDaemonConfig(path);
  }
  std::string dir_;
};

TEST_F(LogConfigTest, TheLevelAndOutputComeFromTheConfiguration) {
  auto none = Load("");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(none->log.level, log::Level::kInfo);
  EXPECT_EQ(none->log.output, log::Output::kAuto);
  auto set = Load(R"({"level": "debug", "output": "journal"})");
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->log.level, log::Level::kDebug);
  EXPECT_EQ(set->log.output, log::Output::kJournal);
  struct Bad {
    std::string log, message;
  } bad[] = {{R"({"level": "loud"})", ":/log/level: expected \"debug\""},
             {R"({"output": "syslog"})", ":/log/output: expected \"auto\""},
             {R"({"colour": true})", ":/log/colour: unknown member"},
             {R"("info")", ":/log: expected"}};
  for (const Bad& b : bad) {
    auto c = Load(b.log);
    ASSERT_FALSE(c.ok()) << b.log;
    EXPECT_NE(c.status().message().find(b.message), std::string::npos) << c.status().message();
  }
}

}  // namespace
}  // namespace shouhu
