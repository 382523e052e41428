// Commands over HTTP do not hold a worker while their commit is in flight:
// with one worker, 64 concurrent commands all reach the store before any of
// them is written (the store holds them until the 64th arrives, which a
// worker waiting for its commit would never let happen), all are answered,
// and all are there after the store is reopened. When that group's write
// fails, every one of them is answered 503 and none is there.
//
// The runtime locks cases and request ids by stripe (runtime_impl.h: 4096
// and 1024 stripes of std::hash): a command whose stripe is held by a commit
// in flight waits for that commit. The test picks cases and keys of distinct
// stripes, so that only the worker's own waiting could stop the 64th.
#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "api/api_service.h"
#include "api/server.h"
#include "auth/token_store.h"
#include "cli/http_client.h"
#include "../../support/test_paths.h"

namespace shouhu::api {
namespace {

using nlohmann::json;

// The real store, except that the next `n` asynchronous commits are held
// until the n-th arrives; then all go on to the store together, or all fail
// as the store fails a group whose write failed.
class GatedStore : public Store {
 public:
  explicit GatedStore(std::unique_ptr<Store> base) : base_(std::move(base)) {}

  void HoldNext(size_t n, bool fail) {
    std::lock_guard<std::mutex> lock(mu_);
    hold_ = n;
    fail_ = fail;
  }

  void CommitAsync(std::vector<Mutation> batch,
                   std::function<void(const Status&)> done) override {
    std::vector<std::pair<std::vector<Mutation>, std::function<void(const Status&)>>> go;
    bool fail = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (hold_ == 0) {
        go.push_back({std::move(batch), std::move(done)});
      } else {
        held_.push_back({std::move(batch), std::move(done)});
        if (held_.size() < hold_) return;
        go.swap(held_);
        hold_ = 0;
        fail = fail_;
      }
    }
    for (auto& [b, d] : go) {
      if (fail) {
        d(Unavailable("the group's write failed"));
      } else {
        base_->CommitAsync(std::move(b), std::move(d));
      }
    }
  }
  Status Commit(std::vector<Mutation> batch) override { return base_->Commit(std::move(batch)); }
  StatusOr<std::string> Get(std::string_view key) override { return base_->Get(key); }
  Status Scan(std::string_view prefix, std::string_view start,
              const std::function<bool(std::string_view, std::string_view)>& fn) override {
    return base_->Scan(prefix, start, fn);
  }
  StatusOr<std::string> LastKeyWithPrefix(std::string_view prefix) override {
    return base_->LastKeyWithPrefix(prefix);
  }
  Status Checkpoint(const std::string& dir) override { return base_->Checkpoint(dir); }
  StoreStats Stats() const override { return base_->Stats(); }

 private:
  std::unique_ptr<Store> base_;
  std::mutex mu_;
  size_t hold_ = 0;
  bool fail_ = false;
  std::vector<std::pair<std::vector<Mutation>, std::function<void(const Status&)>>> held_;
};

constexpr int kRequests = 64;
constexpr size_t kCaseStripes = 4096, kRequestStripes = 1024;  // runtime_impl.h

size_t Stripe(const std::string& key, size_t stripes) {
  return std::hash<std::string_view>()(key) % stripes;
}

class AsyncCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shouhu-async-XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::vector<DefinitionError> errors;
    catalog_ = Catalog::Load({SourceTree("/tests/bench/bench_workflow.json")}, &errors);
    ASSERT_TRUE(errors.empty());
    auto org = Organisation::Parse(json::parse(R"({"kind": "organisation", "id": "t",
      "units": [{"id": "u1", "type": "county", "parent": "", "name": {"zh": "县", "en": "County"}}],
      "users": [{"id": "w1", "name": "工作人员", "unit": "u1", "roles": ["worker"]}]})"),
                                   "test");
    ASSERT_TRUE(org.ok()) << org.status().ToString();
    org_ = std::move(*org);
    auto access = AccessRules::Parse(json::parse(R"({"kind": "access_rules",
      "roles": {"worker": ["report.file", "case.read", "case.work", "case.fire"]},
      "sensitivity": {"public": ["case.read"], "personal": ["case.read"],
                      "sensitive": ["case.work"]}})"),
                                     "test", KnownRoles(org_, catalog_));
    ASSERT_TRUE(access.ok()) << access.status().ToString();
    access_ = std::move(*access);
    orgs_ = std::make_unique<OrganisationDirectory>(org_);
    Open();
    tokens_ = std::make_unique<TokenStore>(TokensPathFor(dir_ + "/data"));
    auto issued = tokens_->Issue("w1", std::chrono::hours(1), "", clock_.Now());
    ASSERT_TRUE(issued.ok());
    token_ = issued->token;
    ApiOptions options;
    options.rate_per_second = 0;
    service_ = std::make_unique<ApiService>(
        ApiDeps{*runtime_, catalog_, *orgs_, *tokens_, *store_, clock_, access_}, options);
    ServerOptions server;
    server.port = 0;
    server.workers = 1;
    server.clock = &clock_;
    auto started = ApiServer::Start(*service_, server);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    server_ = std::move(*started);
    std::set<size_t> case_stripes, key_stripes;
    for (int i = 0; cases_.size() < size_t(kRequests); ++i) {
      auto c = runtime_->Open({"open-" + std::to_string(i), {"w1", "u1", {"worker"}, "t"},
                               "bench", "", json::object()});
      ASSERT_TRUE(c.ok()) << c.status().ToString();
      if (case_stripes.insert(Stripe(c->case_id, kCaseStripes)).second) {
        cases_.push_back(c->case_id);
      }
    }
    for (int i = 0; keys_.size() < size_t(kRequests); ++i) {
      std::string key = "flip-" + std::to_string(i);
      if (key_stripes.insert(Stripe("api/w1/" + key, kRequestStripes)).second) {
        keys_.push_back(key);
      }
    }
  }
  void TearDown() override {
    Close();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    auto rocks = OpenRocksStore(dir_ + "/data");
    ASSERT_TRUE(rocks.ok()) << rocks.status().ToString();
    store_ = std::make_unique<GatedStore>(std::move(*rocks));
    auto runtime = Runtime::Create(*store_, catalog_, clock_);
    ASSERT_TRUE(runtime.ok()) << runtime.status().ToString();
    runtime_ = std::move(*runtime);
  }
  void Close() {
    if (server_) server_->Stop();
    server_.reset();
    service_.reset();
    runtime_.reset();
    store_.reset();
  }

  // Fires "flip" on every case at once, one client each; their statuses.
  std::vector<long> FlipAll() {
    std::vector<long> statuses(kRequests);
    std::vector<std::thread> clients;
    for (int i = 0; i < kRequests; ++i) {
      clients.emplace_back([&, i] {
        cli::HttpClient http("http://" + server_->BoundAddress(), token_);
        auto reply = http.Send("POST", "/api/v1/cases/" + cases_[i] + "/events",
                                R"({"event": "flip"})",
                                {{"Idempotency-Key", keys_[i]}});
        statuses[i] = reply.status;
        EXPECT_TRUE(reply.error.empty()) << reply.error;
      });
    }
    for (auto& t : clients) t.join();
    return statuses;
  }

  std::string dir_;
  FakeClock clock_{Instant(std::chrono::milliseconds(1'772'413'200'000))};
  Catalog catalog_;
  Organisation org_;
  AccessRules access_;
  std::unique_ptr<OrganisationDirectory> orgs_;
  std::unique_ptr<GatedStore> store_;
  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<TokenStore> tokens_;
  std::string token_;
  std::unique_ptr<ApiService> service_;
  std::unique_ptr<ApiServer> server_;
  std::vector<std::string> cases_;
  std::vector<std::string> keys_;  // Idempotency-Keys
};

TEST_F(AsyncCommandsTest, OneWorkerCarriesSixtyFourCommitsInFlightAllDurable) {
  store_->HoldNext(kRequests, /*fail=*/false);
  for (long status : FlipAll()) EXPECT_EQ(status, 200);
  Close();
  Open();
  for (const std::string& id : cases_) {
    auto c = runtime_->GetCase(id);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->state, "b") << id;
    EXPECT_EQ(c->last_seq, 2u) << id;
  }
}

TEST_F(AsyncCommandsTest, AFailedGroupAnswers503ToEachOfItsCommandsAndAcknowledgesNone) {
  store_->HoldNext(kRequests, /*fail=*/true);
  for (long status : FlipAll()) EXPECT_EQ(status, 503);
  Close();
  Open();
  for (const std::string& id : cases_) {
    auto c = runtime_->GetCase(id);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->state, "a") << id;
    EXPECT_EQ(c->last_seq, 1u) << id;
  }
}

}  // namespace
}  // namespace shouhu::api
