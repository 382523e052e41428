// The dispatcher under test: a real RocksDB store in a temporary directory,
// the runtime on it with the test workflow tests/fixtures/dispatch (one
// notification per event, on chosen channels) and a small organisation, a
// FakeClock, and in-test senders that answer as each test scripts them.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>

// The runtime tests' helpers (TempDir, At, SourcePath, ASSERT_OK,
// EXPECT_CODE). Their actor helpers leave Actor::origin out, which
// -Wmissing-field-initializers rejects since origin was added.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "../runtime/runtime_fixture.h"
#pragma GCC diagnostic pop
#include "shouhu/access.h"
#include "shouhu/dispatcher.h"
#include "shouhu/org.h"
#include "shouhu/org_directory.h"

namespace shouhu::dispatch_test {

using runtime_test::At;
using runtime_test::SourcePath;
using runtime_test::TempDir;

// What the senders of one channel saw, and how they answer.
struct Peer {
  struct Call {
    NotifierMessage message;
    Instant at;
  };
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Call> calls;
  // Decides each answer; the default accepts everything.
  std::function<SendResult(const NotifierMessage&)> answer =
      [](const NotifierMessage&) { return SendResult{}; };
  // Concurrency probe: sends in flight now, and the most seen at once.
  int in_flight = 0;
  int max_in_flight = 0;
  // When set, a send waits (up to a deadline) until this many are in flight
  // or every expected send has started, so the cap is reached if it can be.
  int hold_until_in_flight = 0;
  int expected_sends = 0;

  std::vector<std::string> Keys() {
    std::lock_guard<std::mutex> lock(mu);
    std::vector<std::string> keys;
    for (const Call& c : calls) keys.push_back(c.message.idempotency_key);
    return keys;
  }
  size_t Count() {
    std::lock_guard<std::mutex> lock(mu);
    return calls.size();
  }
};

class ScriptedSender : public Sender {
 public:
  ScriptedSender(Peer& peer, const Clock& clock) : peer_(peer), clock_(clock) {}
  SendResult Send(const NotifierMessage& m) override {
    std::unique_lock<std::mutex> lock(peer_.mu);
    peer_.calls.push_back({m, clock_.Now()});
    ++peer_.in_flight;
    peer_.max_in_flight = std::max(peer_.max_in_flight, peer_.in_flight);
    peer_.cv.notify_all();
    if (peer_.hold_until_in_flight > 0) {
      peer_.cv.wait_for(lock, std::chrono::seconds(5), [&] {
        return peer_.in_flight >= peer_.hold_until_in_flight ||
               static_cast<int>(peer_.calls.size()) >= peer_.expected_sends;
      });
    }
    --peer_.in_flight;
    auto answer = peer_.answer;
    lock.unlock();
    return answer(m);
  }

 private:
  Peer& peer_;
  const Clock& clock_;
};

inline Actor User(std::string id, std::string unit, std::string role) {
  return {std::move(id), std::move(unit), {std::move(role)}, "test"};
}
inline Actor Teacher() { return User("teacher", "village", "reporter"); }

class DispatcherTest : public ::testing::Test {
 protected:
  // Monday 2 March 2026, 09:00 in Beijing.
  DispatcherTest() : clock_(At("2026-03-02T09:00:00+08:00")) {}

  void SetUp() override {
    std::vector<DefinitionError> errors;
    catalog_ = Catalog::Load({SourcePath("tests/fixtures/dispatch/workflows")},
                             &errors);
    for (const DefinitionError& e : errors) ADD_FAILURE() << e.ToString();
    auto org = Organisation::Load(
        SourcePath("tests/fixtures/dispatch/org/organisation.json"));
    ASSERT_TRUE(org.ok()) << org.status().ToString();
    org_ = std::move(*org);
    orgs_ = std::make_unique<OrganisationDirectory>(org_);
    auto rules = AccessRules::Load(SourcePath("tests/fixtures/dispatch/org/access.json"),
                                   KnownRoles(org_, catalog_));
    ASSERT_TRUE(rules.ok()) << rules.status().ToString();
    rules_ = std::move(*rules);
    options_.retry = {std::chrono::seconds(10), std::chrono::seconds(80), 5,
                      0.0};
    options_.seed = 42;
    Reopen();
  }
  void TearDown() override {
    dispatcher_.reset();
    rt_.reset();
    store_.reset();
  }

  // Configures a channel for the next Start (defaults: one sender, no
  // limits); call before Start.
  ChannelOptions& Channel(const std::string& name, int concurrency = 1) {
    ChannelOptions c;
    c.name = name;
    c.contact = name == "sms" ? "phone" : name;
    for (int i = 0; i < concurrency; ++i) {
      c.senders.push_back(
          std::make_unique<ScriptedSender>(peers_[name], clock_));
    }
    pending_channels_.push_back(std::move(c));
    return pending_channels_.back();
  }
  void Start() {
    if (pending_channels_.empty()) {
      Channel("email");
      Channel("sms");
      Channel("webhook");
    }
    auto d = Dispatcher::Create(*rt_, catalog_, *orgs_, rules_, clock_,
                                std::move(pending_channels_), options_);
    pending_channels_.clear();
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    dispatcher_ = std::move(*d);
  }
  // As after a crash: new store handle, runtime and dispatcher on the same
  // data; the channels must be configured again before Start.
  void Reopen() {
    dispatcher_.reset();
    rt_.reset();
    store_.reset();
    auto store = OpenRocksStore(dir_.Sub("db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    auto rt = Runtime::Create(*store_, catalog_, clock_);
    ASSERT_TRUE(rt.ok()) << rt.status().ToString();
    rt_ = std::move(*rt);
  }

  std::string OpenCaseAt(const std::string& unit = "village",
                         const std::string& child = "小明") {
    OpenCase cmd{"open-" + std::to_string(++requests_),
                 Teacher(),
                 "notice",
                 unit,
                 {{"child_name", child}, {"signs", {"alone", "malnourished"}}}};
    auto r = rt_->Open(cmd);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->case_id : "";
  }
  void FireOn(const std::string& case_id, const std::string& event) {
    auto r =
        rt_->Fire({"fire-" + std::to_string(++requests_), Teacher(), case_id,
                   event, nlohmann::json::object(), std::nullopt});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
  }
  DispatchRound Run() {
    auto r = dispatcher_->RunOnce();
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : DispatchRound{};
  }
  std::vector<HistoryEntry> Deliveries(const std::string& case_id) {
    std::vector<HistoryEntry> out;
    auto h = rt_->History(case_id);
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    if (h.ok()) {
      for (HistoryEntry& e : *h) {
        if (e.kind == "delivery") out.push_back(std::move(e));
      }
    }
    return out;
  }
  std::vector<DeadLetter> DeadLetters() {
    auto d = rt_->DeadLetters("", 1000);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? *d : std::vector<DeadLetter>{};
  }
  std::optional<Instant> NextDue() {
    auto n = rt_->NextDeliveryDue();
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? *n : std::nullopt;
  }

  TempDir dir_;
  FakeClock clock_;
  Catalog catalog_;
  Organisation org_;
  std::unique_ptr<OrganisationDirectory> orgs_;  // over org_, fixed
  AccessRules rules_;
  DispatcherOptions options_;
  std::map<std::string, Peer> peers_;
  std::vector<ChannelOptions> pending_channels_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Runtime> rt_;
  std::unique_ptr<Dispatcher> dispatcher_;
  int requests_ = 0;
};

}  // namespace shouhu::dispatch_test
