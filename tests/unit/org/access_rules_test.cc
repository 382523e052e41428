// The access rules file (shouhu/access.h): the sample county's rules load,
// and each kind of mistake is refused with `file:json-pointer: message`.
#include <gtest/gtest.h>

#include "shouhu/access.h"
#include "../../support/test_paths.h"

namespace shouhu {
namespace {

using nlohmann::json;

User WithRoles(std::vector<std::string> roles) {
  User u;
  u.id = "u";
  u.unit = "a";
  u.roles = std::move(roles);
  return u;
}

const std::set<std::string> kRoles = {"reporter", "police_officer", "administrator"};

json Valid() {
  return {{"kind", "access_rules"},
          {"roles",
           {{"reporter", {"report.file", "report.own_progress"}},
            {"police_officer", {"case.read", "case.work"}}}},
          {"sensitivity",
           {{"public", {"case.read"}}, {"personal", {"case.read"}}, {"sensitive", {"case.work"}}}}};
}

std::string ErrorOf(const json& doc) {
  auto r = AccessRules::Parse(doc, "access.json", kRoles);
  return r.ok() ? "" : r.status().message();
}

TEST(AccessRulesTest, TheSampleCountyLoads) {
  std::vector<DefinitionError> errors;
  Catalog catalog = Catalog::Load({SourceTree("/workflows")}, &errors);
  ASSERT_TRUE(errors.empty());
  auto org = Organisation::Load(SourceTree("/deploy/county/organisation.json"));
  ASSERT_TRUE(org.ok());
  auto rules = AccessRules::Load(SourceTree("/deploy/county/access.json"),
                                 KnownRoles(*org, catalog));
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  // Deny by default: a role the file does not list holds nothing.
  User stranger = WithRoles({"no_such_role"});
  EXPECT_TRUE(rules->NamesOf(stranger).empty());
  for (Sensitivity s : {Sensitivity::kPublic, Sensitivity::kPersonal, Sensitivity::kSensitive}) {
    EXPECT_FALSE(rules->Sees(stranger, s));
  }
}

TEST(AccessRulesTest, CapabilitiesAndLevelsAreLookedUpPerRole) {
  auto rules = AccessRules::Parse(Valid(), "access.json", kRoles);
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  User both = WithRoles({"reporter", "police_officer"});
  User reporter = WithRoles({"reporter"});
  User admin = WithRoles({"administrator"});  // known but not listed
  EXPECT_EQ(rules->NamesOf(both), (std::vector<std::string>{
                                      "report.file", "report.own_progress", "case.read",
                                      "case.work"}));
  EXPECT_TRUE(rules->Has(reporter, Capability::kReportFile));
  EXPECT_FALSE(rules->Has(reporter, Capability::kCaseRead));
  EXPECT_TRUE(rules->NamesOf(admin).empty());
  EXPECT_TRUE(rules->Sees(both, Sensitivity::kSensitive));
  EXPECT_FALSE(rules->Sees(reporter, Sensitivity::kPublic));
  EXPECT_EQ(rules->RolesWith(Capability::kCaseWork), std::vector<std::string>{"police_officer"});
}

// Case capabilities on one workflow's cases only: the reporter (a class
// teacher) carries dropout cases and reads no other case.
TEST(AccessRulesTest, CaseCapabilitiesOnOneWorkflowsCases) {
  json doc = Valid();
  doc["workflow_roles"] = {{"dropout_return", {{"reporter", {"case.read", "case.fire"}}}}};
  auto rules = AccessRules::Parse(doc, "access.json", kRoles);
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  User reporter = WithRoles({"reporter"});
  EXPECT_TRUE(rules->Has(reporter, Capability::kCaseRead, "dropout_return"));
  EXPECT_TRUE(rules->Has(reporter, Capability::kCaseFire, "dropout_return"));
  EXPECT_FALSE(rules->Has(reporter, Capability::kCaseWork, "dropout_return"));
  EXPECT_FALSE(rules->Has(reporter, Capability::kCaseRead, "mandatory_report"));
  EXPECT_FALSE(rules->Has(reporter, Capability::kCaseRead));
  EXPECT_TRUE(rules->HasOnSome(reporter, Capability::kCaseRead));
  EXPECT_TRUE(rules->Sees(reporter, Sensitivity::kPersonal, "dropout_return"));
  EXPECT_FALSE(rules->Sees(reporter, Sensitivity::kPersonal, "mandatory_report"));
  EXPECT_FALSE(rules->Sees(reporter, Sensitivity::kSensitive, "dropout_return"));
  EXPECT_EQ(rules->NamesOf(reporter),
            (std::vector<std::string>{"report.file", "report.own_progress", "case.read",
                                      "case.fire"}));
  // Only case capabilities, and only of known roles.
  doc["workflow_roles"]["dropout_return"]["reporter"].push_back("users.admin");
  EXPECT_NE(ErrorOf(doc).find("access.json:/workflow_roles/dropout_return/reporter: only "
                              "case.read, case.work and case.fire"),
            std::string::npos) << ErrorOf(doc);
  doc["workflow_roles"] = {{"dropout_return", {{"janitor", {"case.read"}}}}};
  EXPECT_NE(ErrorOf(doc).find("access.json:/workflow_roles/dropout_return/janitor: unknown role"),
            std::string::npos) << ErrorOf(doc);
}

TEST(AccessRulesTest, MistakesAreRefusedWithTheirPointer) {
  json doc = Valid();
  doc["roles"]["reporter"].push_back("case.everything");
  EXPECT_NE(ErrorOf(doc).find("access.json:/roles/reporter/2: unknown capability \"case.everything\""),
            std::string::npos) << ErrorOf(doc);
  doc = Valid();
  doc["roles"]["janitor"] = json::array({"case.read"});
  EXPECT_NE(ErrorOf(doc).find("access.json:/roles/janitor: unknown role \"janitor\""),
            std::string::npos) << ErrorOf(doc);
  doc = Valid();
  doc["sensitivity"]["secret"] = json::array();
  EXPECT_NE(ErrorOf(doc).find("access.json:/sensitivity/secret: unknown sensitivity"),
            std::string::npos) << ErrorOf(doc);
  doc = Valid();
  doc["sensitivity"].erase("sensitive");
  EXPECT_NE(ErrorOf(doc).find("access.json:/sensitivity: missing level \"sensitive\""),
            std::string::npos) << ErrorOf(doc);
  doc = Valid();
  doc["roles"]["reporter"] = "report.file";
  EXPECT_NE(ErrorOf(doc).find("access.json:/roles/reporter: expected a list of capabilities"),
            std::string::npos) << ErrorOf(doc);
  doc = Valid();
  doc["extra"] = 1;
  EXPECT_NE(ErrorOf(doc).find("access.json:/extra: unknown member"), std::string::npos);
  EXPECT_NE(ErrorOf(json::array()).find("access.json:: expected an object"), std::string::npos);
}

// What a notification may show on each kind of address: a webhook posts to a
// group chat, so public fields only unless "contacts" says otherwise; email
// and phone show what their recipient may see.
TEST(AccessRulesTest, ContactsCapWhatANotificationShows) {
  auto plain = AccessRules::Parse(Valid(), "access.json", kRoles);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_TRUE(plain->ContactShows("webhook", Sensitivity::kPublic));
  EXPECT_FALSE(plain->ContactShows("webhook", Sensitivity::kPersonal));
  EXPECT_FALSE(plain->ContactShows("webhook", Sensitivity::kSensitive));
  EXPECT_TRUE(plain->ContactShows("email", Sensitivity::kSensitive));
  EXPECT_TRUE(plain->ContactShows("phone", Sensitivity::kSensitive));

  json doc = Valid();
  doc["contacts"] = {{"webhook", {"public", "personal"}}, {"phone", json::array()}};
  auto listed = AccessRules::Parse(doc, "access.json", kRoles);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_TRUE(listed->ContactShows("webhook", Sensitivity::kPersonal));
  EXPECT_FALSE(listed->ContactShows("webhook", Sensitivity::kSensitive));
  EXPECT_FALSE(listed->ContactShows("phone", Sensitivity::kPublic));
  EXPECT_TRUE(listed->ContactShows("email", Sensitivity::kSensitive));

  doc = Valid();
  doc["contacts"] = {{"pager", {"public"}}};
  EXPECT_NE(ErrorOf(doc).find("access.json:/contacts/pager: unknown contact \"pager\""),
            std::string::npos) << ErrorOf(doc);
  doc["contacts"] = {{"webhook", {"secret"}}};
  EXPECT_NE(ErrorOf(doc).find("access.json:/contacts/webhook/0: unknown sensitivity"),
            std::string::npos) << ErrorOf(doc);
  doc["contacts"] = {{"webhook", "public"}};
  EXPECT_NE(ErrorOf(doc).find("access.json:/contacts/webhook: expected a list"),
            std::string::npos) << ErrorOf(doc);
}

TEST(AccessRulesTest, AWorkflowFieldTakesOnlyAKnownSensitivity) {
  Sensitivity s;
  EXPECT_TRUE(ParseSensitivity("personal", &s));
  EXPECT_EQ(s, Sensitivity::kPersonal);
  EXPECT_FALSE(ParseSensitivity("secret", &s));
}

}  // namespace
}  // namespace shouhu
