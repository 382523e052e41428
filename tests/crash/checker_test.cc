// The crash test is only as good as its checker: a checker that never
// complains proves nothing. Here every mutation of one atomic batch is left
// out in turn (a half-applied change, which a crash must never leave behind)
// and the checker must notice each time.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "shouhu/catalog.h"
#include "shouhu/clock.h"
#include "shouhu/runtime.h"
#include "shouhu/store.h"
#include "store_checker.h"
#include "../support/test_paths.h"

namespace shouhu::crash {
namespace {

using std::chrono::hours;

// Forwards to `base`, except that the next non-empty commit, once armed, is
// written without its mutation number `index`.
class DroppingStore : public Store {
 public:
  explicit DroppingStore(Store& base) : base_(base) {}
  void DropFromNextCommit(size_t index) {
    drop_ = index;
    armed_ = true;
  }
  size_t dropped_from_size() const { return size_; }

  Status Commit(std::vector<Mutation> batch) override {
    if (armed_ && !batch.empty()) {
      armed_ = false;
      size_ = batch.size();
      if (drop_ < batch.size()) batch.erase(batch.begin() + drop_);
    }
    return base_.Commit(std::move(batch));
  }
  StatusOr<std::string> Get(std::string_view key) override {
    return base_.Get(key);
  }
  Status Scan(std::string_view prefix, std::string_view start,
              const std::function<bool(std::string_view, std::string_view)>& fn)
      override {
    return base_.Scan(prefix, start, fn);
  }
  StatusOr<std::string> LastKeyWithPrefix(std::string_view prefix) override {
    return base_.LastKeyWithPrefix(prefix);
  }
  Status Checkpoint(const std::string& dir) override {
    return base_.Checkpoint(dir);
  }
  StoreStats Stats() const override { return base_.Stats(); }

 private:
  Store& base_;
  size_t drop_ = 0;
  bool armed_ = false;
  size_t size_ = 0;
};

enum class Target { kOpen, kFire, kTimers };

struct Outcome {
  std::vector<std::string> errors;
  size_t batch_size = 0;
};

// Builds two cases with owners, timers, a running escalation and outbox
// entries, then runs `target` with mutation `drop` left out of its batch
// (none when `drop` is past the end) and checks the store.
Outcome RunScenario(const Catalog& catalog, Target target, size_t drop) {
  Outcome out;
  std::string tmpl = "/tmp/shouhu_checker_test_XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) {
    out.errors.push_back("mkdtemp failed");
    return out;
  }
  struct Cleanup {
    std::string dir;
    ~Cleanup() { std::filesystem::remove_all(dir); }
  } cleanup{tmpl};
  auto base = OpenRocksStore(tmpl + "/db", StoreOptions{.sync = false});
  if (!base.ok()) {
    out.errors.push_back(base.status().ToString());
    return out;
  }
  DroppingStore store(**base);
  FakeClock clock(*ParseInstant("2026-03-02T08:00:00+08:00"));
  auto rt = Runtime::Create(store, catalog, clock);
  if (!rt.ok()) {
    out.errors.push_back(rt.status().ToString());
    return out;
  }
  Runtime& r = **rt;
  const Actor intake{"ivy", "unit-1", {"intake"}, "test"};
  const Actor worker{"wang", "unit-1", {"worker"}, "test"};
  const Actor supervisor{"zhao", "unit-1", {"supervisor"}, "test"};
  auto must = [&](const auto& result) {
    if (!result.ok())
      out.errors.push_back("setup: " + result.status().ToString());
  };
  OpenCase open{.request_id = "open-a",
                .actor = intake,
                .workflow_id = "crash_case",
                .unit = "",
                .data = {{"level", "high"}, {"ref", "open-a"}}};
  auto a = r.Open(open);
  must(a);
  open.request_id = "open-b";
  open.data = {{"level", "low"}, {"ref", "open-b"}};
  must(r.Open(open));
  if (!a.ok()) return out;
  must(r.Assign({"assign-a", supervisor, a->case_id, "o:assign-a"}));
  must(r.Fire(
      {"triage-a", worker, a->case_id, "triage", {{"ref", "triage-a"}}, {}}));
  must(r.Assign({"assign-a2", supervisor, a->case_id, "o:assign-a2"}));
  clock.Advance(hours(2));  // A's check_in (nudge) and B's intake_sla (late)
  must(r.FireDueTimers());

  store.DropFromNextCommit(drop);
  switch (target) {
    case Target::kOpen:
      open.request_id = "open-c";
      open.data = {{"level", "low"}, {"ref", "open-c"}};
      must(r.Open(open));
      break;
    case Target::kFire:  // triage -> review: timers, owner, index, outbox
      must(r.Fire({"escalate-a",
                   worker,
                   a->case_id,
                   "escalate",
                   {{"ref", "escalate-a"}, {"outcome", "concern"}},
                   {}}));
      break;
    case Target::kTimers:  // B's late#1 and A's nudge#1, check_in, ...
      clock.Advance(hours(1));
      must(r.FireDueTimers());
      break;
  }
  out.batch_size = store.dropped_from_size();
  CheckStore(**base, catalog, &out.errors);
  return out;
}

TEST(CrashCheckerTest, NoticesEveryMutationLeftOutOfABatch) {
  std::vector<DefinitionError> definition_errors;
  Catalog catalog =
      Catalog::Load({SourceTree("/tests/crash")}, &definition_errors);
  ASSERT_TRUE(definition_errors.empty()) << definition_errors[0].ToString();
  constexpr size_t kNone = std::numeric_limits<size_t>::max();
  for (Target target : {Target::kOpen, Target::kFire, Target::kTimers}) {
    SCOPED_TRACE(static_cast<int>(target));
    Outcome whole = RunScenario(catalog, target, kNone);
    ASSERT_TRUE(whole.errors.empty()) << whole.errors[0];
    ASSERT_GE(whole.batch_size, 6u);
    for (size_t drop = 0; drop < whole.batch_size; ++drop) {
      Outcome torn = RunScenario(catalog, target, drop);
      EXPECT_FALSE(torn.errors.empty())
          << "mutation " << drop << " of " << whole.batch_size
          << " went unnoticed";
    }
  }
}

}  // namespace
}  // namespace shouhu::crash
