// An ApiService in-process on a real RocksDB store behind the
// fault-injecting wrapper, the bundled workflows, the sample county and a
// fake clock: for tests of the application layer without sockets.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "api/api_service.h"
#include "api/policy.h"
#include "auth/token_store.h"
#include "../../support/test_paths.h"

namespace shouhu::api {

class ApiServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shouhu-api-unit-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto rocks = OpenRocksStore(dir_ + "/data");
    ASSERT_TRUE(rocks.ok()) << rocks.status().ToString();
    store_ = std::make_unique<FaultInjectingStore>(std::move(*rocks));
    std::vector<DefinitionError> errors;
    catalog_ = Catalog::Load({SourceTree("/workflows")}, &errors);
    ASSERT_TRUE(errors.empty()) << errors.front().ToString();
    auto org = Organisation::Load(SourceTree("/deploy/county/organisation.json"));
    ASSERT_TRUE(org.ok());
    org_ = std::move(*org);
    auto access = AccessRules::Load(SourceTree("/deploy/county/access.json"),
                                    KnownRoles(org_, catalog_));
    ASSERT_TRUE(access.ok()) << access.status().ToString();
    access_ = std::move(*access);
    // In memory: changes are refused (OrgRoutesTest opens one on the store).
    orgs_ = std::make_unique<OrganisationDirectory>(org_);
    RuntimeOptions options;
    options.child_in_reach = ChildInReach(*orgs_);
    auto runtime = Runtime::Create(*store_, catalog_, clock_, options);
    ASSERT_TRUE(runtime.ok());
    runtime_ = std::move(*runtime);
    tokens_ = std::make_unique<TokenStore>(TokensPathFor(dir_ + "/data"));
    service_ = std::make_unique<ApiService>(
        ApiDeps{*runtime_, catalog_, *orgs_, *tokens_, *store_, clock_, access_}, TestOptions());
  }
  void TearDown() override {
    service_.reset();
    runtime_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // No request rate limit; everything else as configured by default.
  static ApiOptions TestOptions() {
    ApiOptions options;
    options.rate_per_second = 0;
    options.rate_burst = 1;
    return options;
  }

  std::string TokenFor(const std::string& user) {
    auto issued = tokens_->Issue(user, std::chrono::hours(1), "", clock_.Now());
    EXPECT_TRUE(issued.ok());
    return issued->token;
  }
  HttpResponse Call(const std::string& method, const std::string& target,
                    const std::string& token, const std::string& body,
                    const std::map<std::string, std::string>& headers = {}) {
    HttpRequest r;
    r.method = method;
    EXPECT_TRUE(ParseTarget(target, &r.path, &r.query));
    r.headers = headers;  // names in lower case
    if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
    r.body = body;
    r.remote = "127.0.0.1:5000";
    return service_->Handle(r);
  }
  ApiService& service() { return *service_; }

  std::string dir_;
  // 2026-03-02 09:00 in Beijing: the reports' discovered_at (08:00) is past.
  FakeClock clock_{Instant(std::chrono::milliseconds(1'772'413'200'000))};
  std::unique_ptr<FaultInjectingStore> store_;
  Catalog catalog_;
  Organisation org_;
  std::unique_ptr<OrganisationDirectory> orgs_;
  AccessRules access_;
  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<TokenStore> tokens_;
  std::unique_ptr<ApiService> service_;
};

}  // namespace shouhu::api
