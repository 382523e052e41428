// The batch guards of the Store contract (shouhu/store.h), on both backends:
// create-only writes (Mutation::kInsert) and lease fences (kFence). A batch
// whose guard fails is refused alone, kFailedPrecondition, writing none of
// its mutations, and the other batches of its group commit.
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "../../support/assert_ok.h"
#include "backend_fixture.h"
#include "shouhu/store.h"

namespace shouhu {
namespace {

using StoreGuardTest = BackendTest;

// Commits `batches` without waiting between them, so that they may share a
// group, and returns each one's Status.
std::vector<Status> CommitTogether(Store& store, std::vector<std::vector<Mutation>> batches) {
  std::vector<std::promise<Status>> done(batches.size());
  for (size_t i = 0; i < batches.size(); ++i) {
    store.CommitAsync(std::move(batches[i]), [&done, i](const Status& s) { done[i].set_value(s); });
  }
  std::vector<Status> out;
  for (auto& d : done) out.push_back(d.get_future().get());
  return out;
}

TEST_P(StoreGuardTest, InsertWritesAnAbsentKeyAndRefusesAPresentOne) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Commit({Mutation::Insert("h/1", "first")}));
  EXPECT_EQ(GetOr(*store, "h/1", "-"), "first");
  Status again = store->Commit({Mutation::Insert("h/1", "second"), Mutation::Put("other", "x")});
  EXPECT_EQ(again.code(), StatusCode::kFailedPrecondition) << again.ToString();
  // Nothing of the refused batch is written.
  EXPECT_EQ(GetOr(*store, "h/1", "-"), "first");
  EXPECT_EQ(GetOr(*store, "other", "-"), "-");
  // Once the key is gone it may be inserted again.
  ASSERT_OK(store->Commit({Mutation::Delete("h/1")}));
  ASSERT_OK(store->Commit({Mutation::Insert("h/1", "third")}));
  EXPECT_EQ(GetOr(*store, "h/1", "-"), "third");
}

TEST_P(StoreGuardTest, AConflictFailsOnlyItsOwnBatch) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  for (int round = 0; round < 20; ++round) {
    const std::string r = std::to_string(round);
    std::vector<Status> s = CommitTogether(
        *store, {{Mutation::Insert("seq/" + r, "a"), Mutation::Put("a/" + r, "1")},
                 {Mutation::Insert("seq/" + r, "b"), Mutation::Put("b/" + r, "1"),
                  Mutation::ChainedAppend("log/", "b" + r)},
                 {Mutation::Put("c/" + r, "1"), Mutation::ChainedAppend("log/", "c" + r)}});
    ASSERT_OK(s[0]);
    EXPECT_EQ(s[1].code(), StatusCode::kFailedPrecondition) << s[1].ToString();
    ASSERT_OK(s[2]);
    EXPECT_EQ(GetOr(*store, "seq/" + r, "-"), "a");
    EXPECT_EQ(GetOr(*store, "a/" + r, "-"), "1");
    EXPECT_EQ(GetOr(*store, "b/" + r, "-"), "-");
    EXPECT_EQ(GetOr(*store, "c/" + r, "-"), "1");
  }
  // The refused batches' appends left no record and no gap.
  EXPECT_EQ(ScanAll(*store, "log/", "").size(), 20u);
}

TEST_P(StoreGuardTest, InsertAfterAPutOfTheSameKeyInOneGroupIsRefused) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  std::vector<Status> s =
      CommitTogether(*store, {{Mutation::Put("k", "put")}, {Mutation::Insert("k", "insert")}});
  ASSERT_OK(s[0]);
  EXPECT_EQ(s[1].code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(GetOr(*store, "k", "-"), "put");
}

// RocksDB is one process's store: it holds every lease, so a fence passes.
// PostgreSQL refuses a fence of a lease nobody holds (pg_leases_test.cc has
// the takeovers).
TEST_P(StoreGuardTest, FenceOfALeaseNobodyHolds) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  Status s = store->Commit({Mutation::Fence("timers/0-of-1", 1), Mutation::Put("k", "v")});
  if (GetParam() == Backend::kRocksDB) {
    ASSERT_OK(s);
    EXPECT_EQ(GetOr(*store, "k", "-"), "v");
  } else {
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
    EXPECT_EQ(GetOr(*store, "k", "-"), "-");
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreGuardTest,
                         ::testing::Values(Backend::kRocksDB, Backend::kPostgreSQL), BackendName);

}  // namespace
}  // namespace shouhu
