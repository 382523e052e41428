// Regression (issue 11): a definition nested absurdly deep is refused with an
// error naming the limit, not a stack overflow in the loader.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "definitions.h"
#include "shouhu/json_parse.h"

namespace shouhu {
namespace {

using testing::Load;
using testing::MinimalWithGuard;
using testing::NotChain;
using testing::Loaded;
using testing::TestCalendarFile;

class NestingLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shouhu-nesting-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(NestingLimitsTest, ParseJsonRefusesPastItsLimitAndTakesUpToIt) {
  EXPECT_TRUE(ParseJson(std::string(64, '[') + std::string(64, ']'), 64).ok());
  auto deep = ParseJson(std::string(65, '[') + std::string(65, ']'), 64);
  ASSERT_FALSE(deep.ok());
  EXPECT_NE(deep.status().message().find("deeper than 64 levels"), std::string::npos)
      << deep.status().message();
  // Objects count like arrays; a syntax error keeps nlohmann's reason.
  EXPECT_FALSE(ParseJson(R"({"a":{"b":{}}})", 2).ok());
  EXPECT_TRUE(ParseJson(R"({"a":{"b":1}})", 2).ok());
  auto bad = ParseJson("[1,", 64);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("not valid JSON", 0), 0u) << bad.status().message();
}

TEST_F(NestingLimitsTest, AFileNested100000DeepIsRefusedNamingTheLimit) {
  std::string file = MinimalWithGuard(dir_, NotChain(100'000));
  Loaded l = Load({file, TestCalendarFile()});
  ASSERT_EQ(l.errors.size(), 1u) << ::testing::PrintToString(l.Lines());
  EXPECT_EQ(l.errors[0].file, file);
  EXPECT_NE(l.errors[0].message.find("nested deeper than 64 levels"), std::string::npos)
      << l.errors[0].message;
  EXPECT_TRUE(l.catalog.All().empty());
}

TEST_F(NestingLimitsTest, AGuardNestedPastSixteenLevelsIsAnErrorAtItsPointer) {
  Loaded ok = Load({MinimalWithGuard(dir_, NotChain(16)), TestCalendarFile()});
  EXPECT_TRUE(ok.errors.empty()) << ::testing::PrintToString(ok.Lines());

  std::string file = MinimalWithGuard(dir_, NotChain(17));
  Loaded l = Load({file, TestCalendarFile()});
  std::string pointer = "/events/3/guard";
  for (int i = 1; i < 17; ++i) pointer += "/not";
  ASSERT_EQ(l.Lines().size(), 1u) << ::testing::PrintToString(l.Lines());
  EXPECT_EQ(l.errors[0].pointer, pointer);
  EXPECT_NE(l.errors[0].message.find("deeper than 16 levels"), std::string::npos);
}

}  // namespace
}  // namespace shouhu
