// Hash chains (shouhu/chain.h): the sealer's numbering after a failed group,
// and what a walk of the chain detects (and does not), on a RocksDB store.
// The chain on every backend (commit order under concurrency, no gap after a
// failed commit, reopening) is in store_conformance_test.cc.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "../../support/assert_ok.h"
#include "shouhu/chain.h"
#include "shouhu/store.h"
#include "store/chain_sealer.h"
#include "temp_dir.h"

namespace shouhu {
namespace {

constexpr std::string_view kChain = "log/";

std::unique_ptr<Store> Open(const std::string& dir, bool sync = true) {
  auto store = OpenRocksStore(dir, StoreOptions{.sync = sync});
  if (!store.ok()) {
    ADD_FAILURE() << store.status().ToString();
    return nullptr;
  }
  return std::move(store).value();
}

Mutation Append(std::string payload) {
  return Mutation::ChainedAppend(std::string(kChain), std::move(payload));
}

ChainReport Verify(Store& store) {
  auto report = VerifyChain(store, kChain);
  EXPECT_TRUE(report.ok()) << report.status().ToString();
  return report.ok() ? *report : ChainReport{};
}

// The sealer moves heads only for groups that were written: a discarded
// group's numbers are handed out again, so no gap and no fork appear.
TEST(ChainTest, SealerReusesNumbersOfAFailedGroup) {
  int loads = 0;
  ChainSealer sealer([&](std::string_view) -> StatusOr<std::pair<std::string, std::string>> {
    ++loads;
    return NotFound("empty");
  });
  std::string key, value, first_value;
  ASSERT_OK(sealer.Seal(Append("one"), &key, &first_value));
  EXPECT_EQ(key, ChainKey(kChain, 1));
  sealer.Commit();
  ASSERT_OK(sealer.Seal(Append("lost"), &key, &value));
  EXPECT_EQ(key, ChainKey(kChain, 2));
  sealer.Discard();  // that group's write failed
  ASSERT_OK(sealer.Seal(Append("two"), &key, &value));
  EXPECT_EQ(key, ChainKey(kChain, 2));
  auto r1 = DecodeChainRecord(kChain, ChainKey(kChain, 1), first_value);
  auto r2 = DecodeChainRecord(kChain, key, value);
  ASSERT_TRUE(r1.ok() && r2.ok());
  EXPECT_EQ(r2->prev_hash, r1->hash) << "linked to the written record";
  EXPECT_EQ(r2->payload, "two");
  EXPECT_EQ(loads, 1) << "the head is read from the store once";
}

// --- what a walk detects ---

class TamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = Open(dir_.path());
    ASSERT_NE(store_, nullptr);
    for (int i = 1; i <= 5; ++i) {
      ASSERT_OK(store_->Commit({Append("record " + std::to_string(i))}));
    }
    ASSERT_TRUE(Verify(*store_).ok);
  }
  std::string Value(uint64_t seq) {
    auto v = store_->Get(ChainKey(kChain, seq));
    EXPECT_TRUE(v.ok());
    return v.ok() ? *v : "";
  }
  void Put(uint64_t seq, std::string value) {
    ASSERT_OK(store_->Commit({Mutation::Put(ChainKey(kChain, seq), std::move(value))}));
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(TamperTest, AlteredPayloadIsFound) {
  std::string v = Value(3);
  v.back() = 'X';
  Put(3, v);
  ChainReport r = Verify(*store_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.broken_seq, 3u);
  EXPECT_EQ(r.intact, 2u);
  EXPECT_NE(r.problem.find("altered"), std::string::npos) << r.problem;
}

TEST_F(TamperTest, RecomputedHashIsFoundAtTheNextLink) {
  // A forger who rewrites record 3 and recomputes its own hash still breaks
  // the link from record 4.
  auto old = DecodeChainRecord(kChain, ChainKey(kChain, 3), Value(3));
  ASSERT_TRUE(old.ok());
  std::string hash;
  Put(3, SealChainRecord(kChain, 3, old->prev_hash, "forged", &hash));
  ChainReport r = Verify(*store_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.broken_seq, 4u);
  EXPECT_NE(r.problem.find("does not link"), std::string::npos) << r.problem;
}

TEST_F(TamperTest, RemovedRecordIsFound) {
  ASSERT_OK(store_->Commit({Mutation::Delete(ChainKey(kChain, 2))}));
  ChainReport r = Verify(*store_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.broken_seq, 2u);
  EXPECT_NE(r.problem.find("record 2 is missing"), std::string::npos) << r.problem;
}

TEST_F(TamperTest, SwappedRecordsAreFound) {
  const std::string two = Value(2), four = Value(4);
  Put(2, four);
  Put(4, two);
  ChainReport r = Verify(*store_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.broken_seq, 2u);
}

TEST_F(TamperTest, ForeignKeyUnderThePrefixIsFound) {
  ASSERT_OK(store_->Commit({Mutation::Put(std::string(kChain) + "zz", "x")}));
  ChainReport r = Verify(*store_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.broken_seq, 6u);
  EXPECT_NE(r.problem.find("not a chain key"), std::string::npos) << r.problem;
}

// The limit stated in chain.h: cutting records off the end leaves a valid,
// shorter chain. Only a head noted elsewhere (shouhu audit verify
// --expect-head) or the audit cross-check against the cases shows it.
TEST_F(TamperTest, TruncatedTailIsNotVisibleToTheChainAlone) {
  ASSERT_OK(store_->Commit({Mutation::Delete(ChainKey(kChain, 5))}));
  ChainReport r = Verify(*store_);
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.head_seq, 4u);
}

}  // namespace
}  // namespace shouhu
