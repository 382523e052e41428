// The catalog: versions side by side, the newest for new cases, and what is
// left out when a file is wrong or missing.
#include "shouhu/catalog.h"

#include <gtest/gtest.h>

#include "definitions.h"

namespace shouhu {
namespace {

using testing::FixturePath;
using testing::Load;
using testing::Loaded;

const std::string& V1() {
  static const std::string p = FixturePath("versions/v1.json");
  return p;
}
const std::string& V2() {
  static const std::string p = FixturePath("versions/v2.json");
  return p;
}
const std::string& V3() {
  static const std::string p = FixturePath("versions/v3_invalid.json");
  return p;
}

TEST(CatalogTest, TwoVersionsLoadSideBySide) {
  Loaded l = Load({V1(), V2()});
  ASSERT_EQ(l.Lines(), std::vector<std::string>{});
  auto v1 = l.catalog.Find("versioned", 1);
  auto v2 = l.catalog.Find("versioned", 2);
  ASSERT_NE(v1, nullptr);
  ASSERT_NE(v2, nullptr);
  EXPECT_EQ(v1->version, 1);
  EXPECT_EQ(v1->source_file, V1());
  EXPECT_EQ(v1->states.size(), 2u);
  EXPECT_EQ(v1->FindState("review"), nullptr);
  EXPECT_EQ(v2->version, 2);
  EXPECT_EQ(v2->source_file, V2());
  EXPECT_EQ(v2->states.size(), 3u);
  EXPECT_NE(v2->FindState("review"), nullptr);
  // Each version keeps its own rules: "close" fires from different states.
  EXPECT_EQ(v1->FindEvent("close")->from, std::vector<std::string>{"open"});
  EXPECT_EQ(v2->FindEvent("close")->from, std::vector<std::string>{"review"});
}

TEST(CatalogTest, NewestIsTheHighestVersion) {
  Loaded l = Load({V2(), V1()});  // the order given does not matter
  ASSERT_TRUE(l.errors.empty());
  auto newest = l.catalog.Newest("versioned");
  ASSERT_NE(newest, nullptr);
  EXPECT_EQ(newest->version, 2);
  EXPECT_EQ(newest, l.catalog.Find("versioned", 2));
}

TEST(CatalogTest, NewestWithOneVersion) {
  Loaded l = Load({V1()});
  ASSERT_NE(l.catalog.Newest("versioned"), nullptr);
  EXPECT_EQ(l.catalog.Newest("versioned")->version, 1);
}

TEST(CatalogTest, UnknownIdOrVersionIsNull) {
  Loaded l = Load({V1(), V2()});
  EXPECT_EQ(l.catalog.Find("versioned", 3), nullptr);
  EXPECT_EQ(l.catalog.Find("versioned", 0), nullptr);
  EXPECT_EQ(l.catalog.Find("other", 1), nullptr);
  EXPECT_EQ(l.catalog.Newest("other"), nullptr);
  EXPECT_EQ(l.catalog.Newest("versione"), nullptr);
  EXPECT_EQ(l.catalog.FindCalendar("cn-mainland"), nullptr);
}

TEST(CatalogTest, AnInvalidVersionIsLeftOutAndReported) {
  Loaded l = Load({FixturePath("versions")});
  EXPECT_EQ(l.Lines(),
            (std::vector<std::string>{
                V3() + ":/events/1/to: unknown state \"archived\"",
                V3() + ":/states/2: unreachable state \"closed\": no event "
                       "leads to it from \"open\""}));
  EXPECT_NE(l.catalog.Find("versioned", 1), nullptr);
  EXPECT_NE(l.catalog.Find("versioned", 2), nullptr);
  EXPECT_EQ(l.catalog.Find("versioned", 3), nullptr);
  // New cases start on the newest version that loaded.
  ASSERT_NE(l.catalog.Newest("versioned"), nullptr);
  EXPECT_EQ(l.catalog.Newest("versioned")->version, 2);
}

TEST(CatalogTest, AllIsByIdThenVersion) {
  Loaded l = Load({FixturePath("valid"), V2(), V1()});
  ASSERT_TRUE(l.errors.empty()) << l.Lines().front();
  auto all = l.catalog.All();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0]->id, "minimal");
  EXPECT_EQ(all[1]->id, "versioned");
  EXPECT_EQ(all[1]->version, 1);
  EXPECT_EQ(all[2]->id, "versioned");
  EXPECT_EQ(all[2]->version, 2);
}

TEST(CatalogTest, MissingPathIsReported) {
  std::string missing = FixturePath("no/such/folder");
  Loaded l = Load({missing, V1()});
  EXPECT_EQ(l.Lines(),
            std::vector<std::string>{missing + ":: no such file or folder"});
  // What could be read still loads.
  EXPECT_NE(l.catalog.Find("versioned", 1), nullptr);
}

TEST(CatalogTest, AFileGivenTwiceLoadsOnce) {
  Loaded l = Load({V1(), V1(), FixturePath("versions/../versions/v1.json")});
  // The same path twice is read once; another spelling of it is not
  // recognised and reads as a duplicate.
  ASSERT_EQ(l.errors.size(), 1u) << ::testing::PrintToString(l.Lines());
  EXPECT_EQ(l.errors[0].pointer, "/version");
  EXPECT_NE(l.errors[0].message.find("duplicate id"), std::string::npos);
  EXPECT_NE(l.catalog.Find("versioned", 1), nullptr);
}

TEST(CatalogTest, FoldersAreReadRecursivelyAndOnlyJson) {
  // fixtures/workflows/valid holds minimal.json and calendars/test-cal.json.
  Loaded l = Load({FixturePath("valid")});
  ASSERT_TRUE(l.errors.empty()) << l.Lines().front();
  EXPECT_NE(l.catalog.FindCalendar("test-cal"), nullptr);
  // workflows/ holds a README.md, which is not read.
  Loaded real = Load({testing::SourcePath("workflows")});
  EXPECT_TRUE(real.errors.empty());
}

TEST(CatalogTest, EmptyPathListLoadsNothing) {
  Loaded l = Load({});
  EXPECT_TRUE(l.errors.empty());
  EXPECT_TRUE(l.catalog.All().empty());
}

}  // namespace
}  // namespace shouhu
