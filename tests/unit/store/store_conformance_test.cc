// The Store contract (shouhu/store.h), the same assertions for every
// backend: RocksDB and PostgreSQL (backend_fixture.h). Atomic batches,
// ordering, scans of one snapshot, LastKeyWithPrefix, group commit under
// concurrency with hash chains sealed in commit order, failed commits that
// leave nothing and no chain gap, reopening, checkpoints. The faults each
// backend can meet are tested beside it (rocks_store_test.cc,
// pg_store_test.cc).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <latch>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "../../support/assert_ok.h"
#include "backend_fixture.h"
#include "shouhu/chain.h"
#include "shouhu/store.h"

namespace shouhu {
namespace {

using StoreConformanceTest = BackendTest;

constexpr std::string_view kChain = "log/";

Mutation Append(std::string payload) {
  return Mutation::ChainedAppend(std::string(kChain), std::move(payload));
}

std::vector<ChainRecord> Records(Store& store) {
  std::vector<ChainRecord> out;
  Status s = store.Scan(kChain, "", [&](std::string_view k, std::string_view v) {
    auto r = DecodeChainRecord(kChain, k, v);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok()) out.push_back(std::move(*r));
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

std::vector<std::string> Payloads(Store& store) {
  std::vector<std::string> out;
  for (const ChainRecord& r : Records(store)) out.push_back(r.payload);
  return out;
}

ChainReport Verify(Store& store) {
  auto report = VerifyChain(store, kChain);
  EXPECT_TRUE(report.ok()) << report.status().ToString();
  return report.ok() ? *report : ChainReport{};
}

TEST_P(StoreConformanceTest, PutGetDelete) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Commit({Mutation::Put("k1", "v1"), Mutation::Put("k2", "v2")}));
  EXPECT_EQ(GetOr(*store, "k1", "-"), "v1");
  EXPECT_EQ(GetOr(*store, "k2", "-"), "v2");
  ASSERT_OK(store->Commit({Mutation::Delete("k1"), Mutation::Put("k2", "v3")}));
  EXPECT_EQ(store->Get("k1").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(GetOr(*store, "k2", "-"), "v3");
  EXPECT_EQ(store->Get("never").status().code(), StatusCode::kNotFound);
  // Deleting an absent key is no error.
  ASSERT_OK(store->Commit({Mutation::Delete("never")}));
}

TEST_P(StoreConformanceTest, GetManyAnswersEachKeyAsGetDoesInOrder) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Commit({Mutation::Put("m/2", "two"), Mutation::Put("m/1", "one"),
                           Mutation::Put("m/3", "")}));
  ASSERT_OK(store->Commit({Mutation::Delete("m/3")}));
  const std::vector<std::string> keys = {"m/2", "m/absent", "m/1", "m/3", "m/2"};
  std::vector<StatusOr<std::string>> got = store->GetMany(keys);
  ASSERT_EQ(got.size(), keys.size());
  EXPECT_EQ(got[0].ok() ? *got[0] : "-", "two");
  EXPECT_EQ(got[1].status().code(), StatusCode::kNotFound);
  EXPECT_EQ(got[2].ok() ? *got[2] : "-", "one");
  EXPECT_EQ(got[3].status().code(), StatusCode::kNotFound) << "deleted";
  EXPECT_EQ(got[4].ok() ? *got[4] : "-", "two") << "a key asked twice is answered twice";
  EXPECT_TRUE(store->GetMany({}).empty());
}

TEST_P(StoreConformanceTest, KeysAndValuesAreBytes) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  const std::string key("k\0\x01\xff", 4), value("\0\0v\xfe\0", 5);
  ASSERT_OK(store->Commit({Mutation::Put(key, value), Mutation::Put("empty", "")}));
  EXPECT_EQ(GetOr(*store, key, "-"), value);
  EXPECT_EQ(GetOr(*store, "empty", "-"), "");
  EXPECT_EQ(ScanAll(*store, std::string("k\0", 2), ""), (KeyValues{{key, value}}));
}

TEST_P(StoreConformanceTest, LaterMutationOfTheSameKeyInABatchWins) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Commit({Mutation::Put("a", "1"), Mutation::Put("a", "2"),
                           Mutation::Put("b", "1"), Mutation::Delete("b")}));
  EXPECT_EQ(GetOr(*store, "a", "-"), "2");
  EXPECT_EQ(GetOr(*store, "b", "-"), "-");
  // The stores write a group in key order; writes to one key keep theirs.
  ASSERT_OK(store->Commit({Mutation::Put("z", "1"), Mutation::Put("a", "3"),
                           Mutation::Delete("z"), Mutation::Put("m", "1"),
                           Mutation::Put("a", "4"), Mutation::Put("z", "5"),
                           Mutation::Delete("m"), Mutation::Put("b", "6")}));
  EXPECT_EQ(GetOr(*store, "a", "-"), "4");
  EXPECT_EQ(GetOr(*store, "b", "-"), "6");
  EXPECT_EQ(GetOr(*store, "m", "-"), "-");
  EXPECT_EQ(GetOr(*store, "z", "-"), "5");
}

TEST_P(StoreConformanceTest, EmptyKeyRejectsTheWholeBatch) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  Status s = store->Commit({Mutation::Put("good", "v"), Mutation::Put("", "v")});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(GetOr(*store, "good", "-"), "-");
  EXPECT_EQ(store->Stats().commits, 0u);
}

TEST_P(StoreConformanceTest, EmptyBatchIsOkAndWritesNothing) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Commit({}));
  EXPECT_EQ(store->Stats().groups, 0u);
}

TEST_P(StoreConformanceTest, DataSurvivesCloseAndReopen) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->Commit({Mutation::Put("case/1", "open")}));
    ASSERT_OK(store->Commit({Mutation::Put("case/2", "open")}));
    ASSERT_OK(store->Commit({Mutation::Delete("case/2")}));
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(GetOr(*store, "case/1", "-"), "open");
  EXPECT_EQ(GetOr(*store, "case/2", "-"), "-");
}

TEST_P(StoreConformanceTest, ScanHonoursPrefixAndStart) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Commit({Mutation::Put("a/1", "x"), Mutation::Put("a/2", "y"),
                           Mutation::Put("a/3", "z"), Mutation::Put("ab/1", "w"),
                           Mutation::Put("b/1", "v"), Mutation::Put("a", "p")}));
  EXPECT_EQ(ScanAll(*store, "a/", ""), (KeyValues{{"a/1", "x"}, {"a/2", "y"}, {"a/3", "z"}}));
  EXPECT_EQ(ScanAll(*store, "a/", "a/2"), (KeyValues{{"a/2", "y"}, {"a/3", "z"}}));
  EXPECT_EQ(ScanAll(*store, "a/", "a/25"), (KeyValues{{"a/3", "z"}}));
  // A start below the prefix means "from the prefix".
  EXPECT_EQ(ScanAll(*store, "a/", "0").size(), 3u);
  // A start past every key of the prefix finds nothing, even though keys of
  // other prefixes follow.
  EXPECT_TRUE(ScanAll(*store, "a/", "a/9").empty());
  EXPECT_TRUE(ScanAll(*store, "a/", "b").empty());
  EXPECT_TRUE(ScanAll(*store, "c/", "").empty());
  // The prefix is bytes, not a path segment.
  EXPECT_EQ(ScanAll(*store, "a", "").size(), 5u);
  EXPECT_EQ(ScanAll(*store, "", "").size(), 6u);
  // fn returning false stops the scan.
  EXPECT_EQ(ScanAll(*store, "a/", "", /*limit=*/2), (KeyValues{{"a/1", "x"}, {"a/2", "y"}}));
}

// More keys than one fetch of a paged scan, in byte order (0x80 and above
// after ASCII), each exactly once, from any start.
TEST_P(StoreConformanceTest, LongScansAreInByteOrderFromAnyStart) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  std::vector<std::string> keys;
  std::vector<Mutation> batch;
  for (int i = 0; i < 1500; ++i) {
    char key[16];
    std::snprintf(key, sizeof key, "t/%04d", i);
    keys.push_back(key);
    if (i % 500 == 0) keys.back() += "\x80\xff";
    batch.push_back(Mutation::Put(keys.back(), std::to_string(i)));
  }
  ASSERT_OK(store->Commit(std::move(batch)));
  KeyValues all = ScanAll(*store, "t/", "");
  ASSERT_EQ(all.size(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(all[i].first, keys[i]);
  KeyValues tail = ScanAll(*store, "t/", keys[700]);
  ASSERT_EQ(tail.size(), keys.size() - 700);
  EXPECT_EQ(tail.front().first, keys[700]);
  EXPECT_EQ(ScanAll(*store, "t/", "", /*limit=*/1000).back().first, keys[999]);
}

// The scan reads the data as it was when the scan began; fn may write to
// the store meanwhile (the store holds no lock while calling fn).
TEST_P(StoreConformanceTest, ScanReadsOneSnapshotAndFnMayCallTheStore) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  std::vector<Mutation> batch;
  for (int i = 0; i < 1200; ++i) {
    char key[16];
    std::snprintf(key, sizeof key, "s/%04d", i);
    batch.push_back(Mutation::Put(key, "before"));
  }
  ASSERT_OK(store->Commit(std::move(batch)));
  size_t seen = 0, changed = 0;
  Status s = store->Scan("s/", "", [&](std::string_view key, std::string_view value) {
    if (seen++ == 0) {
      // Rewrites every key, deletes the last and adds one past it.
      std::vector<Mutation> rewrite;
      for (int i = 0; i < 1200; ++i) {
        char k[16];
        std::snprintf(k, sizeof k, "s/%04d", i);
        rewrite.push_back(Mutation::Put(k, "after"));
      }
      rewrite.push_back(Mutation::Delete("s/1199"));
      rewrite.push_back(Mutation::Put("s/9999", "new"));
      EXPECT_TRUE(store->Commit(std::move(rewrite)).ok());
      EXPECT_EQ(GetOr(*store, key, "-"), "after") << "fn reads the store's latest data";
    }
    changed += value != "before";
    return true;
  });
  ASSERT_OK(s);
  EXPECT_EQ(seen, 1200u);
  EXPECT_EQ(changed, 0u);
  EXPECT_EQ(ScanAll(*store, "s/", "").size(), 1200u) << "1199 rewritten and one new";
}

TEST_P(StoreConformanceTest, ScanAndLastKeyHandleHighBytePrefixes) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  const std::string ff1 = "\xff\x01", ffff = "\xff\xff", ffff2 = "\xff\xff\x02";
  ASSERT_OK(store->Commit({Mutation::Put(ff1, "1"), Mutation::Put(ffff, "2"),
                           Mutation::Put(ffff2, "3"), Mutation::Put("z", "0")}));
  EXPECT_EQ(ScanAll(*store, "\xff", "").size(), 3u);
  EXPECT_EQ(ScanAll(*store, ffff, "").size(), 2u);
  EXPECT_EQ(*store->LastKeyWithPrefix(ffff), ffff2);
  EXPECT_EQ(*store->LastKeyWithPrefix("\xff"), ffff2);
  EXPECT_EQ(*store->LastKeyWithPrefix(""), ffff2);
}

TEST_P(StoreConformanceTest, LastKeyWithPrefix) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->LastKeyWithPrefix("seq/").status().code(), StatusCode::kNotFound);
  ASSERT_OK(store->Commit({Mutation::Put("seq/0001", ""), Mutation::Put("seq/0042", ""),
                           Mutation::Put("seq/0007", ""), Mutation::Put("seqx", ""),
                           Mutation::Put("a", ""), Mutation::Put("t/1", "")}));
  EXPECT_EQ(*store->LastKeyWithPrefix("seq/"), "seq/0042");
  EXPECT_EQ(*store->LastKeyWithPrefix("seq"), "seqx");
  EXPECT_EQ(store->LastKeyWithPrefix("s/").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store->LastKeyWithPrefix("zz").status().code(), StatusCode::kNotFound);
  ASSERT_OK(store->Commit({Mutation::Delete("seq/0042")}));
  EXPECT_EQ(*store->LastKeyWithPrefix("seq/"), "seq/0007");
}

// A checkpoint is a RocksDB store on its own, for either backend: that is
// what the online backup and `shouhu restore` expect.
TEST_P(StoreConformanceTest, CheckpointOpensAndHoldsTheData) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Commit({Mutation::Put("case/1", "v1"), Append("audited")}));
  std::filesystem::create_directory(dir_.Sub("backup"));  // empty: accepted
  ASSERT_OK(store->Checkpoint(dir_.Sub("backup")));
  ASSERT_OK(store->Checkpoint(dir_.Sub("fresh")));  // absent: accepted
  // Later commits do not reach the backup.
  ASSERT_OK(store->Commit({Mutation::Put("case/2", "v2")}));

  auto backup = OpenRocksStore(dir_.Sub("backup"));
  ASSERT_TRUE(backup.ok()) << backup.status().ToString();
  EXPECT_EQ(GetOr(**backup, "case/1", "-"), "v1");
  EXPECT_EQ(GetOr(**backup, "case/2", "-"), "-");
  EXPECT_EQ(Verify(**backup).records, 1u);
  EXPECT_TRUE(Verify(**backup).ok);
}

TEST_P(StoreConformanceTest, CheckpointRefusesANonEmptyDir) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  std::filesystem::create_directory(dir_.Sub("full"));
  std::ofstream(dir_.Sub("full/file")) << "x";
  EXPECT_EQ(store->Checkpoint(dir_.Sub("full")).code(), StatusCode::kFailedPrecondition);
}

TEST_P(StoreConformanceTest, FaultInjectedCommitIsUnavailableAndWritesNothing) {
  auto base = Open();
  ASSERT_NE(base, nullptr);
  FaultInjectingStore store(std::move(base));
  store.FailNextCommits(2);
  EXPECT_EQ(store.Commit({Mutation::Put("k", "1")}).code(), StatusCode::kUnavailable);
  EXPECT_EQ(store.Commit({Mutation::Put("k", "2")}).code(), StatusCode::kUnavailable);
  EXPECT_EQ(GetOr(store, "k", "-"), "-");
  EXPECT_EQ(store.base().Stats().groups, 0u);
  ASSERT_OK(store.Commit({Mutation::Put("k", "3")}));
  EXPECT_EQ(GetOr(store, "k", "-"), "3");
  EXPECT_EQ(store.commit_calls(), 3u);
  EXPECT_EQ(store.injected_failures(), 2u);
  EXPECT_EQ(store.Stats().commits, 1u);
}

// Many threads committing at once all succeed, in fewer storage writes than
// commits, and everything is there after a reopen.
TEST_P(StoreConformanceTest, ConcurrentCommitsAllSucceedInFewerWrites) {
  constexpr int kThreads = 16, kCommitsPerThread = 40, kPutsPerCommit = 3;
  auto store = Open();
  ASSERT_NE(store, nullptr);
  std::latch start(kThreads);
  std::vector<int> failures(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < kCommitsPerThread; ++i) {
        std::vector<Mutation> batch;
        for (int p = 0; p < kPutsPerCommit; ++p) {
          char key[32];
          std::snprintf(key, sizeof key, "t%02d/%03d/%d", t, i, p);
          batch.push_back(Mutation::Put(key, "value"));
        }
        if (!store->Commit(std::move(batch)).ok()) ++failures[t];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
  constexpr uint64_t kCommits = kThreads * kCommitsPerThread;
  const StoreStats stats = store->Stats();
  EXPECT_EQ(stats.commits, kCommits);
  EXPECT_LT(stats.groups, kCommits);
  EXPECT_EQ(stats.bytes, kCommits * kPutsPerCommit * (9 + 5));
  store.reset();
  store = Open();
  ASSERT_NE(store, nullptr);
  size_t count = 0;
  for (const auto& [key, value] : ScanAll(*store, "t", "")) count += value == "value";
  EXPECT_EQ(count, kCommits * kPutsPerCommit);
}

// --- hash chains (shouhu/chain.h) ---

TEST_P(StoreConformanceTest, AppendsAreNumberedFromOneAndLinked) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Commit({Mutation::Put("x", "1"), Append("first")}));
  ASSERT_OK(store->Commit({Append("second"), Append("third")}));
  std::vector<ChainRecord> r = Records(*store);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].seq, 1u);
  EXPECT_EQ(r[0].prev_hash, std::string(kChainHashBytes, '\0'));
  EXPECT_EQ(r[1].prev_hash, r[0].hash);
  EXPECT_EQ(r[2].prev_hash, r[1].hash);
  EXPECT_EQ(Payloads(*store), (std::vector<std::string>{"first", "second", "third"}));
  EXPECT_TRUE(store->Get(ChainKey(kChain, 3)).ok());
  ChainReport report = Verify(*store);
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.records, 3u);
  EXPECT_EQ(report.head_seq, 3u);
  EXPECT_EQ(report.head_hash, HexOf(r[2].hash));
}

// Each thread's records appear in the order its commits were acknowledged,
// and the chain is one unbroken line with no number skipped or repeated.
TEST_P(StoreConformanceTest, ConcurrentCommitsFormOneChainInCommitOrder) {
  constexpr int kThreads = 16, kPerThread = 60;
  // Synced, so that each group's sync keeps the others waiting and commits
  // share groups even on a loaded machine.
  auto store = Open();
  ASSERT_NE(store, nullptr);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = std::to_string(t) + ":" + std::to_string(i);
        Status s = store->Commit({Mutation::Put("data/" + id, id), Append(id)});
        EXPECT_TRUE(s.ok()) << s.ToString();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  ChainReport report = Verify(*store);
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.records, uint64_t{kThreads * kPerThread});
  std::map<int, int> next;  // thread -> the next i expected
  for (const std::string& p : Payloads(*store)) {
    const int t = std::stoi(p.substr(0, p.find(':')));
    const int i = std::stoi(p.substr(p.find(':') + 1));
    EXPECT_EQ(i, next[t]) << "thread " << t << " out of commit order";
    next[t] = i + 1;
  }
  EXPECT_LT(store->Stats().groups, store->Stats().commits)
      << "the commits were expected to share groups";
}

TEST_P(StoreConformanceTest, ReopenedStoreContinuesTheChain) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->Commit({Append("a"), Append("b")}));
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Commit({Append("c")}));
  std::vector<ChainRecord> r = Records(*store);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[2].seq, 3u);
  EXPECT_EQ(r[2].prev_hash, r[1].hash);
  EXPECT_TRUE(Verify(*store).ok);
}

TEST_P(StoreConformanceTest, FailedCommitLeavesNoGap) {
  auto base = Open();
  ASSERT_NE(base, nullptr);
  FaultInjectingStore store(std::move(base));
  ASSERT_OK(store.Commit({Append("a")}));
  store.FailNextCommits(2);
  EXPECT_EQ(store.Commit({Append("x")}).code(), StatusCode::kUnavailable);
  EXPECT_EQ(store.Commit({Append("y")}).code(), StatusCode::kUnavailable);
  ASSERT_OK(store.Commit({Append("b")}));
  EXPECT_EQ(Payloads(store), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(Verify(store).ok);
}

TEST_P(StoreConformanceTest, UnreadableHeadRefusesAppendsAndWritesNothing) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->Commit({Append("a")}));
    ASSERT_OK(store->Commit({Mutation::Put(ChainKey(kChain, 2), "garbage")}));
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  Status s = store->Commit({Mutation::Put("other", "v"), Append("b")});
  EXPECT_EQ(s.code(), StatusCode::kInternal) << s.ToString();
  EXPECT_EQ(store->Get("other").status().code(), StatusCode::kNotFound);
  // Commits without appends are not affected.
  ASSERT_OK(store->Commit({Mutation::Put("other", "v")}));
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformanceTest,
                         ::testing::Values(Backend::kRocksDB, Backend::kPostgreSQL), BackendName);

}  // namespace
}  // namespace shouhu
