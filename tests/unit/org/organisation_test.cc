#include "shouhu/org.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include "../../support/test_paths.h"

namespace shouhu {
namespace {

const std::string kCounty = SourceTree("/deploy/county/organisation.json");

TEST(OrganisationTest, SampleCountyLoads) {
  auto org = Organisation::Load(kCounty);
  ASSERT_TRUE(org.ok()) << org.status().message();
  int townships = 0;
  for (const Unit& u : org->units()) {
    if (u.depth == 1 && (u.type == "town" || u.type == "township" || u.type == "street")) {
      ++townships;
    }
  }
  EXPECT_EQ(townships, 12);
  EXPECT_EQ(org->time_zone(), "Asia/Shanghai");
  // Sign-in by phone: each sample user has their own number.
  ASSERT_NE(org->FindUserByPhone("138 0000 0021"), nullptr);
  EXPECT_EQ(org->FindUserByPhone("13800000021")->id, "u0021");
  EXPECT_EQ(org->FindUserByPhone("13900000000"), nullptr);
  EXPECT_EQ(org->FindUserByPhone(""), nullptr);
  // Every role the workflows name is held by somebody.
  for (const char* role : {"reporter", "school_admin", "police_officer", "police_supervisor",
                           "township_case_worker", "child_director", "civil_affairs",
                           "education_bureau", "township_supervisor", "county_supervisor",
                           "administrator"}) {
    bool held = false;
    for (const User& u : org->users()) {
      held |= std::find(u.roles.begin(), u.roles.end(), role) != u.roles.end();
    }
    EXPECT_TRUE(held) << role;
  }
}

TEST(OrganisationTest, AncestorsAndSubtrees) {
  auto org = Organisation::Load(kCounty);
  ASSERT_TRUE(org.ok());
  EXPECT_EQ(org->Ancestor("liuhe-v02", 0)->id, "liuhe-v02");
  EXPECT_EQ(org->Ancestor("liuhe-v02", 1)->id, "liuhe");
  EXPECT_EQ(org->Ancestor("liuhe-v02", 2)->id, "qingshan");
  EXPECT_EQ(org->Ancestor("liuhe-v02", 3)->id, "qingshan");  // stops at the root
  EXPECT_TRUE(org->InSubtree("liuhe-v02", "liuhe"));
  EXPECT_TRUE(org->InSubtree("liuhe-v02", "qingshan"));
  EXPECT_FALSE(org->InSubtree("liuhe-v02", "qingshi"));
  EXPECT_FALSE(org->InSubtree("liuhe", "liuhe-v02"));
}

TEST(OrganisationTest, ResolveFindsTheNearestHoldersOfARole) {
  auto org = Organisation::Load(kCounty);
  ASSERT_TRUE(org.ok());
  // A village has a child director of its own.
  auto directors = org->Resolve("liuhe-v02", "child_director", 0);
  ASSERT_EQ(directors.size(), 1u);
  EXPECT_EQ(directors[0]->unit, "liuhe-v02");
  // The village has no police: the officers of the station serving its
  // township are the nearest.
  auto police = org->Resolve("liuhe-v02", "police_officer", 0);
  ASSERT_EQ(police.size(), 2u);
  EXPECT_EQ(police[0]->unit, "liuhe-police");
  // Two levels up is the county.
  auto county = org->Resolve("liuhe-v02", "county_supervisor", 2);
  ASSERT_EQ(county.size(), 2u);
  EXPECT_EQ(county[0]->unit, "qingshan");
  EXPECT_TRUE(org->Resolve("liuhe-v02", "no_such_role", 0).empty());
}

class BadOrganisationTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& text) {
    path_ = std::filesystem::temp_directory_path() /
            ("shouhu-org-" + std::to_string(::getpid()) + ".json");
    std::ofstream(path_) << text;
    return path_.string();
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::filesystem::path path_;
};

TEST_F(BadOrganisationTest, ReportsEachProblemWithItsPointer) {
  auto org = Organisation::Load(Write(R"({"units": [
      {"id": "c", "name": {"zh": "县", "en": "C"}, "parent": ""},
      {"id": "t", "name": {"zh": "乡", "en": "T"}, "parent": "nowhere"},
      {"id": "c", "name": {"zh": "县", "en": "C"}, "parent": ""}],
    "users": []})"));
  ASSERT_FALSE(org.ok());
  EXPECT_NE(org.status().message().find(":/units/1/parent: unknown unit \"nowhere\""),
            std::string::npos)
      << org.status().message();
  EXPECT_NE(org.status().message().find(":/units/2/id: duplicate id \"c\""), std::string::npos);
}

TEST_F(BadOrganisationTest, RefusesUsersWithoutRolesOrInUnknownUnits) {
  auto org = Organisation::Load(Write(R"({"units": [
      {"id": "c", "name": {"zh": "县", "en": "C"}, "parent": ""}],
    "users": [{"id": "a", "unit": "c", "roles": []},
              {"id": "b", "unit": "x", "roles": ["reporter"]},
              {"id": "s", "unit": "c", "roles": ["system"]}]})"));
  ASSERT_FALSE(org.ok());
  const std::string m = org.status().message();
  EXPECT_NE(m.find(":/users/0/roles: a user needs at least one role"), std::string::npos) << m;
  EXPECT_NE(m.find(":/users/1/unit: unknown unit \"x\""), std::string::npos) << m;
  EXPECT_NE(m.find(":/users/2/roles: no user may hold role \"system\""), std::string::npos) << m;
}

TEST_F(BadOrganisationTest, RefusesServingUnknownUnits) {
  auto org = Organisation::Load(Write(R"({"units": [
      {"id": "c", "name": {"zh": "县", "en": "C"}, "parent": ""},
      {"id": "p", "name": {"zh": "派出所", "en": "P"}, "parent": "c", "serves": ["c", "x"]},
      {"id": "q", "name": {"zh": "派出所", "en": "Q"}, "parent": "c", "serves": "c"}],
    "users": []})"));
  ASSERT_FALSE(org.ok());
  const std::string m = org.status().message();
  EXPECT_NE(m.find(":/units/1/serves/1: unknown unit \"x\""), std::string::npos) << m;
  EXPECT_NE(m.find(":/units/2/serves: expected an array of unit ids"), std::string::npos) << m;
}

TEST_F(BadOrganisationTest, RefusesABadTimeZoneAndASharedPhoneSignsNobodyIn) {
  auto bad = Organisation::Load(Write(R"({"time_zone": "../../etc/passwd", "units": [
      {"id": "c", "name": {"zh": "县", "en": "C"}, "parent": ""}], "users": []})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(":/time_zone: expected an IANA time zone name"),
            std::string::npos)
      << bad.status().message();
  auto shared = Organisation::Load(Write(R"({"units": [
      {"id": "c", "name": {"zh": "县", "en": "C"}, "parent": ""}],
    "users": [{"id": "a", "unit": "c", "roles": ["reporter"], "phone": "13800000001"},
              {"id": "b", "unit": "c", "roles": ["reporter"], "phone": "138-0000-0001"}]})"));
  ASSERT_TRUE(shared.ok()) << shared.status().message();
  EXPECT_EQ(shared->time_zone(), "Asia/Shanghai");  // the default
  EXPECT_EQ(shared->FindUserByPhone("13800000001"), nullptr);
}

TEST_F(BadOrganisationTest, RefusesACycle) {
  auto org = Organisation::Load(Write(R"({"units": [
      {"id": "r", "name": {"zh": "县", "en": "R"}, "parent": ""},
      {"id": "a", "name": {"zh": "甲", "en": "A"}, "parent": "b"},
      {"id": "b", "name": {"zh": "乙", "en": "B"}, "parent": "a"}],
    "users": []})"));
  ASSERT_FALSE(org.ok());
  EXPECT_NE(org.status().message().find("cycle"), std::string::npos) << org.status().message();
}

// A chain of `levels` units below the root "u0", listed leaf first (so a walk
// up from the first unit meets no unit whose depth is known yet).
std::string Chain(int levels) {
  std::string units;
  for (int i = levels; i >= 1; --i) {
    units += R"({"id": "u)" + std::to_string(i) + R"(", "name": {"zh": "级", "en": "L"},
                "parent": "u)" + std::to_string(i - 1) + R"("},)";
  }
  units += R"({"id": "u0", "name": {"zh": "根", "en": "Root"}, "parent": ""})";
  return R"({"units": [)" + units + R"(], "users": [{"id": "a", "unit": "u)" +
         std::to_string(levels) + R"(", "roles": ["reporter"]}]})";
}

// Regression (issue 11): depths were found by walking up from every unit, so
// a 20,000-level chain took 18.6 s to start. Now one pass, and such a chain
// is refused at once, naming the limit.
TEST_F(BadOrganisationTest, RefusesAChainDeeperThan64LevelsNamingTheLimit) {
  auto org = Organisation::Load(Write(Chain(20'000)));
  ASSERT_FALSE(org.ok());
  EXPECT_NE(org.status().message().find(
                ":/units: 单位层级超过 64 层 / unit \"u65\" is more than 64 levels below the root"),
            std::string::npos)
      << org.status().message().substr(0, 300);
}

TEST_F(BadOrganisationTest, AChainOf64LevelsLoadsWithItsDepths) {
  auto org = Organisation::Load(Write(Chain(64)));
  ASSERT_TRUE(org.ok()) << org.status().message();
  EXPECT_EQ(org->FindUnit("u64")->depth, 64);
  EXPECT_EQ(org->FindUnit("u1")->depth, 1);
  EXPECT_EQ(org->FindUnit("u0")->depth, 0);
  EXPECT_EQ(org->Ancestor("u64", 63)->id, "u1");
  EXPECT_FALSE(Organisation::Load(Write(Chain(65))).ok());
}

}  // namespace
}  // namespace shouhu
