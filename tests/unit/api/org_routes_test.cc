// The org routes in-process on a real store: org.manage acts within the
// holder's jurisdiction only (here a township's supervisor is given it, as a
// county might give a township administrator), a request reads the
// organisation it authenticated against, and GET /api/v1/users shows
// contacts to org.manage holders only. Expected outcomes are written out.
#include <gtest/gtest.h>

#include <fstream>

#include "../../support/test_paths.h"
#include "api_service_fixture.h"

namespace shouhu::api {
namespace {

using nlohmann::json;

constexpr const char* kTownship = "u0012";  // township supervisor, 城关镇
constexpr const char* kAdmin = "u0007";     // administrator, 青山县

class OrgRoutesTest : public ApiServiceTest {
 protected:
  void SetUp() override {
    ApiServiceTest::SetUp();
    std::ifstream in(SourceTree("/deploy/county/access.json"));
    json doc = json::parse(in);
    doc["roles"]["township_supervisor"].push_back("org.manage");
    auto rules = AccessRules::Parse(doc, "access.json", KnownRoles(org_, catalog_));
    ASSERT_TRUE(rules.ok()) << rules.status().ToString();
    access_ = std::move(*rules);
    auto opened = OrganisationDirectory::Open(*store_, clock_, org_,
                                              {KnownRoles(org_, catalog_), "organisation.json"});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    stored_ = std::move(*opened);
    service_ = std::make_unique<ApiService>(
        ApiDeps{*runtime_, catalog_, *stored_, *tokens_, *store_, clock_, access_}, TestOptions());
  }
  int Status(const std::string& user, const std::string& method, const std::string& path,
             const json& body) {
    HttpResponse r = Call(method, path, TokenFor(user), body.dump());
    return r.status;
  }

  std::unique_ptr<OrganisationDirectory> stored_;
};

json NewUser(const std::string& id, const std::string& unit) {
  return {{"id", id}, {"name", "测试"}, {"unit", unit}, {"roles", {"reporter"}}};
}

TEST_F(OrgRoutesTest, ATownshipManagesItsOwnSubtreeOnly) {
  EXPECT_EQ(Status(kTownship, "POST", "/api/v1/users", NewUser("u9101", "chengguan-primary")), 201);
  EXPECT_EQ(Status(kTownship, "POST", "/api/v1/users", NewUser("u9102", "qingshi-primary")), 403);
  EXPECT_EQ(Status(kTownship, "PATCH", "/api/v1/users/u0049", json{{"name", "改名"}}), 403);
  EXPECT_EQ(Status(kTownship, "PATCH", "/api/v1/users/u9101", json{{"unit", "qingshi-primary"}}), 403);
  EXPECT_EQ(Status(kTownship, "PATCH", "/api/v1/units/chengguan-v02", json{{"parent", "qingshi"}}), 403);
  EXPECT_EQ(Status(kTownship, "PATCH", "/api/v1/units/chengguan-v02", json{{"parent", "chengguan-c01"}}), 200);
  EXPECT_EQ(Status(kTownship, "PATCH", "/api/v1/units/qingshan", json{{"name", {{"zh", "县"}}}}), 403);
  // The county's administrator reaches everything.
  EXPECT_EQ(Status(kAdmin, "POST", "/api/v1/users", NewUser("u9102", "qingshi-primary")), 201);
  EXPECT_EQ(stored_->version(), 4u);  // seed, two users, one move
}

TEST_F(OrgRoutesTest, ContactsAreShownToOrgManagersOnly) {
  HttpResponse admin = Call("GET", "/api/v1/users?unit=chengguan-primary", TokenFor(kAdmin), "");
  ASSERT_EQ(admin.status, 200);
  json users = json::parse(admin.body)["users"];
  ASSERT_FALSE(users.empty());
  EXPECT_EQ(users[0]["phone"], "13800000021");
  EXPECT_EQ(users[0]["active"], true);
  // A police supervisor lists users (supervise) but holds no org.manage.
  HttpResponse chief = Call("GET", "/api/v1/users", TokenFor("u0010"), "");
  ASSERT_EQ(chief.status, 200);
  const json listed = json::parse(chief.body);  // kept: the loop reads into it
  for (const json& u : listed["users"]) {
    EXPECT_FALSE(u.contains("phone")) << u.dump();
    EXPECT_TRUE(u.contains("active")) << u.dump();
  }
}

TEST_F(OrgRoutesTest, DeactivationStopsTheNextRequestAndUnknownMembersAreProblems) {
  std::string token = TokenFor("u0021");
  EXPECT_EQ(Call("GET", "/api/v1/me", token, "").status, 200);
  HttpResponse off = Call("PATCH", "/api/v1/users/u0021", TokenFor(kAdmin), R"({"active": false})");
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(json::parse(off.body)["tokens_revoked"], 1);
  EXPECT_EQ(Call("GET", "/api/v1/me", token, "").status, 401);
  // A fresh token of a deactivated user is refused too: the snapshot, not
  // only the revocation, stops them.
  EXPECT_EQ(Call("GET", "/api/v1/me", TokenFor("u0021"), "").status, 401);

  HttpResponse typo = Call("PATCH", "/api/v1/users/u0022", TokenFor(kAdmin),
                           R"({"phon": "13912345678", "roles": "reporter"})");
  ASSERT_EQ(typo.status, 422) << typo.body;
  json fields = json::parse(typo.body)["error"]["fields"];
  EXPECT_TRUE(fields.contains("phon")) << typo.body;
  EXPECT_TRUE(fields.contains("roles")) << typo.body;
}

}  // namespace
}  // namespace shouhu::api
