// Leases in PostgreSQL (shouhu/leases.h) between two holders on one real
// database: one holds, the other takes over only once the lease expired by
// the server's clock, a holder stops counting a lease as held before its
// ttl could end, and a commit fenced with a superseded epoch is refused.
//
// The server's clock is real; waiting out a ttl would make the test slow,
// so the test moves a lease's expiry into the past on the server instead
// (what the server's clock does after ttl). Each holder's own clock is a
// FakeClock, moved by the test.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "../../support/assert_ok.h"
#include "../../support/pg_cluster.h"
#include "shouhu/leases.h"
#include "shouhu/store.h"
#include "store/pg_store.h"

namespace shouhu {
namespace {

using std::chrono::milliseconds;

constexpr const char* kLease = "timers/0-of-1";

class PgLeasesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(pg_.ok()) << pg_.error();
    auto store = OpenPostgresStore(pg_.Dsn());  // migrates: makes shouhu_leases
    ASSERT_OK(store.status());
    store_ = std::move(*store);
  }

  std::unique_ptr<LeaseHolder> Holder(const std::string& owner, FakeClock& clock) {
    auto h = OpenPostgresLeases(pg_.Dsn(), clock, owner, {kLease}, options_);
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    return h.ok() ? std::move(*h) : nullptr;
  }

  // What the server's clock does once the ttl has passed.
  void ExpireOnServer() {
    ASSERT_TRUE(pg_.Sql("UPDATE shouhu_leases SET expires_at = now() - interval '1 second'"))
        << pg_.error();
  }

  // A firing's commit under the lease at `epoch`.
  Status Fire(uint64_t epoch, const std::string& what) {
    return store_->Commit({Mutation::Fence(kLease, epoch), Mutation::Put("fired/" + what, "")});
  }

  testing::PgCluster pg_;
  std::unique_ptr<Store> store_;
  LeaseOptions options_{milliseconds(10'000), milliseconds(3'000), milliseconds(2'000)};
  FakeClock clock_a_{Instant(milliseconds(1'000'000))};
  FakeClock clock_b_{Instant(milliseconds(5'000'000))};  // the nodes' clocks disagree
};

TEST_F(PgLeasesTest, OneHolderAtATimeAndTheStalledOnesCommitIsRefused) {
  auto a = Holder("node-a", clock_a_);
  auto b = Holder("node-b", clock_b_);
  ASSERT_TRUE(a && b);
  // A came first and holds; B does not, however often it tries.
  auto epoch_a = a->Held(kLease);
  ASSERT_TRUE(epoch_a.has_value());
  EXPECT_FALSE(b->Held(kLease));
  ASSERT_OK(b->RenewOnce());
  EXPECT_FALSE(b->Held(kLease));
  ASSERT_OK(Fire(*epoch_a, "a1"));

  // A renews and keeps its epoch.
  clock_a_.Advance(milliseconds(3'000));
  ASSERT_OK(a->RenewOnce());
  EXPECT_EQ(a->Held(kLease), epoch_a);

  // A stalls: it sends no renewal and its clock sees no time pass (a pause
  // of the whole process). The server's ttl runs out and B takes over.
  ExpireOnServer();
  ASSERT_OK(b->RenewOnce());
  auto epoch_b = b->Held(kLease);
  ASSERT_TRUE(epoch_b.has_value());
  EXPECT_GT(*epoch_b, *epoch_a);
  ASSERT_OK(Fire(*epoch_b, "b1"));

  // A wakes up believing it still holds, and commits: refused, nothing of
  // it written. So no timer fires twice.
  EXPECT_EQ(a->Held(kLease), epoch_a);
  Status late = Fire(*epoch_a, "a2");
  EXPECT_EQ(late.code(), StatusCode::kFailedPrecondition) << late.ToString();
  EXPECT_EQ(store_->Get("fired/a2").status().code(), StatusCode::kNotFound);
  // Its next renewal tells it so.
  ASSERT_OK(a->RenewOnce());
  EXPECT_FALSE(a->Held(kLease));
}

TEST_F(PgLeasesTest, AHolderThatCannotRenewStopsBeforeTheTtlEnds) {
  auto a = Holder("node-a", clock_a_);
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->Held(kLease));
  // No renewal answered (the server cannot be reached): held for ttl -
  // margin from when the last renewal was sent, not a moment longer.
  clock_a_.Advance(options_.ttl - options_.margin - milliseconds(1));
  EXPECT_TRUE(a->Held(kLease));
  clock_a_.Advance(milliseconds(1));
  EXPECT_FALSE(a->Held(kLease));
  // While the server still counts it as A's: nobody else may take it yet.
  auto b = Holder("node-b", clock_b_);
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->Held(kLease));
}

TEST_F(PgLeasesTest, ReleaseHandsTheLeaseOverAtOnce) {
  auto a = Holder("node-a", clock_a_);
  auto b = Holder("node-b", clock_b_);
  ASSERT_TRUE(a && b);
  auto epoch_a = a->Held(kLease);
  ASSERT_TRUE(epoch_a);
  a->Stop(/*release=*/true);
  EXPECT_FALSE(a->Held(kLease));
  ASSERT_OK(b->RenewOnce());
  ASSERT_TRUE(b->Held(kLease));
  EXPECT_EQ(*b->Held(kLease), *epoch_a + 1);
}

TEST_F(PgLeasesTest, BadOptionsAreRefused) {
  auto h = OpenPostgresLeases(pg_.Dsn(), clock_a_, "x", {kLease},
                              {milliseconds(5'000), milliseconds(3'000), milliseconds(2'000)});
  EXPECT_EQ(h.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shouhu
