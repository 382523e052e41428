// RocksStore against real RocksDB in a temporary directory, plus the
// FaultInjectingStore wrapper. WAL faults are injected below RocksDB with a
// FileSystem wrapper, so the failure paths are RocksDB's own.
#include <gtest/gtest.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../../support/assert_ok.h"
#include "shouhu/chain.h"
#include "shouhu/store.h"
#include "store/rocks_store.h"
#include "temp_dir.h"

namespace shouhu {
namespace {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

std::unique_ptr<Store> Open(const std::string& dir, rocksdb::Env* env = nullptr) {
  StatusOr<std::unique_ptr<Store>> store =
      OpenRocksStoreWithEnv(dir, StoreOptions{}, env);
  if (!store.ok()) {
    ADD_FAILURE() << "open " << dir << ": " << store.status().ToString();
    return nullptr;
  }
  return std::move(store).value();
}

std::string GetOr(Store& store, std::string_view key, std::string absent) {
  StatusOr<std::string> value = store.Get(key);
  if (value.status().code() == StatusCode::kNotFound) return absent;
  EXPECT_TRUE(value.ok()) << value.status().ToString();
  return value.ok() ? *value : absent;
}

KeyValues ScanAll(Store& store, std::string_view prefix,
                  std::string_view start, size_t limit = 1000) {
  KeyValues out;
  Status s = store.Scan(prefix, start, [&](std::string_view k,
                                           std::string_view v) {
    out.emplace_back(std::string(k), std::string(v));
    return out.size() < limit;
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

// Fails or tears writes to RocksDB's write-ahead log (*.log) on request.
class WalFaultFs : public rocksdb::FileSystemWrapper {
 public:
  WalFaultFs() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "WalFaultFs"; }

  // The next n WAL syncs fail after the data has reached the file.
  std::atomic<int> fail_syncs{0};
  // The next WAL append writes only half of its data, then fails: a torn
  // write, as a crash in the middle of a write would leave it.
  std::atomic<bool> tear_next_append{false};

  rocksdb::IOStatus NewWritableFile(const std::string& name,
                                    const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewWritableFile(name, options, file, dbg);
    if (s.ok() && name.ends_with(".log")) {
      *file = std::make_unique<WalFile>(std::move(*file), this);
    }
    return s;
  }

 private:
  class WalFile : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    WalFile(std::unique_ptr<rocksdb::FSWritableFile> file, WalFaultFs* fs)
        : FSWritableFileOwnerWrapper(std::move(file)), fs_(fs) {}

    rocksdb::IOStatus Append(const rocksdb::Slice& data,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_->tear_next_append.exchange(false)) {
        (void)target()->Append(rocksdb::Slice(data.data(), data.size() / 2),
                               options, dbg);
        (void)target()->Flush(options, dbg);
        return rocksdb::IOStatus::IOError("injected torn write");
      }
      return target()->Append(data, options, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data,
                             const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo&,
                             rocksdb::IODebugContext* dbg) override {
      return Append(data, options, dbg);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
      if (TakeSyncFailure()) return rocksdb::IOStatus::IOError("injected");
      return target()->Sync(options, dbg);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg) override {
      if (TakeSyncFailure()) return rocksdb::IOStatus::IOError("injected");
      return target()->Fsync(options, dbg);
    }

   private:
    bool TakeSyncFailure() {
      int left = fs_->fail_syncs.load();
      while (left > 0 &&
             !fs_->fail_syncs.compare_exchange_weak(left, left - 1)) {
      }
      return left > 0;
    }
    WalFaultFs* fs_;
  };
};

TEST(RocksStoreTest, PutGetDelete) {
  TempDir dir;
  std::unique_ptr<Store> store = Open(dir.path());
  ASSERT_NE(store, nullptr);

  ASSERT_OK(store->Commit({Mutation::Put("k1", "v1"), Mutation::Put("k2", "v2")}));
  EXPECT_EQ(GetOr(*store, "k1", "-"), "v1");
  EXPECT_EQ(GetOr(*store, "k2", "-"), "v2");

  ASSERT_OK(store->Commit({Mutation::Delete("k1"), Mutation::Put("k2", "v3")}));
  EXPECT_EQ(store->Get("k1").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(GetOr(*store, "k2", "-"), "v3");
  EXPECT_EQ(store->Get("never").status().code(), StatusCode::kNotFound);
}

TEST(RocksStoreTest, LaterMutationOfTheSameKeyInABatchWins) {
  TempDir dir;
  std::unique_ptr<Store> store = Open(dir.path());
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Commit({Mutation::Put("a", "1"), Mutation::Put("a", "2"),
                           Mutation::Put("b", "1"), Mutation::Delete("b")}));
  EXPECT_EQ(GetOr(*store, "a", "-"), "2");
  EXPECT_EQ(GetOr(*store, "b", "-"), "-");
  // The store writes a group in key order; writes to one key keep theirs.
  ASSERT_OK(store->Commit({Mutation::Put("z", "1"), Mutation::Put("a", "3"),
                           Mutation::Delete("z"), Mutation::Put("m", "1"),
                           Mutation::Put("a", "4"), Mutation::Put("z", "5"),
                           Mutation::Delete("m"), Mutation::Put("b", "6")}));
  EXPECT_EQ(GetOr(*store, "a", "-"), "4");
  EXPECT_EQ(GetOr(*store, "b", "-"), "6");
  EXPECT_EQ(GetOr(*store, "m", "-"), "-");
  EXPECT_EQ(GetOr(*store, "z", "-"), "5");
}

TEST(RocksStoreTest, EmptyKeyRejectsTheWholeBatch) {
  TempDir dir;
  std::unique_ptr<Store> store = Open(dir.path());
  ASSERT_NE(store, nullptr);
  Status s = store->Commit({Mutation::Put("good", "v"), Mutation::Put("", "v")});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(GetOr(*store, "good", "-"), "-");
  EXPECT_EQ(store->Stats().commits, 0u);
}

TEST(RocksStoreTest, EmptyBatchIsOkAndWritesNothing) {
  TempDir dir;
  std::unique_ptr<Store> store = Open(dir.path());
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Commit({}));
  EXPECT_EQ(store->Stats().groups, 0u);
}

TEST(RocksStoreTest, DataSurvivesCloseAndReopen) {
  TempDir dir;
  {
    std::unique_ptr<Store> store = Open(dir.path());
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->Commit({Mutation::Put("case/1", "open")}));
    ASSERT_OK(store->Commit({Mutation::Put("case/2", "open")}));
    ASSERT_OK(store->Commit({Mutation::Delete("case/2")}));
  }
  std::unique_ptr<Store> store = Open(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(GetOr(*store, "case/1", "-"), "open");
  EXPECT_EQ(GetOr(*store, "case/2", "-"), "-");
}

TEST(RocksStoreTest, SecondOpenOfTheSameDirIsUnavailable) {
  TempDir dir;
  std::unique_ptr<Store> store = Open(dir.path());
  ASSERT_NE(store, nullptr);
  StatusOr<std::unique_ptr<Store>> second = OpenRocksStore(dir.path());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
}

// A batch whose WAL record is torn by a crash-like failure must vanish as a
// whole after recovery, while the batch before it survives.
TEST(RocksStoreTest, TornBatchIsAllOrNothingAfterReopen) {
  TempDir dir;
  auto fs = std::make_shared<WalFaultFs>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  std::vector<Mutation> big;
  for (int i = 0; i < 100; ++i) {  // ~100 KiB: spans several WAL blocks
    big.push_back(Mutation::Put("torn/" + std::to_string(1000 + i),
                                std::string(1024, 'x')));
  }
  {
    std::unique_ptr<Store> store = Open(dir.path(), env.get());
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->Commit({Mutation::Put("before", "kept")}));
    fs->tear_next_append = true;
    EXPECT_EQ(store->Commit(big).code(), StatusCode::kUnavailable);
    EXPECT_EQ(GetOr(*store, "torn/1000", "-"), "-");
  }
  std::unique_ptr<Store> store = Open(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(GetOr(*store, "before", "-"), "kept");
  EXPECT_EQ(ScanAll(*store, "torn/", "").size(), 0u);
}

// A failed WAL sync fails the commit without making it visible. RocksDB
// treats it as fatal for the open instance: later commits stay kUnavailable,
// reads keep working, and reopening brings writes back.
TEST(RocksStoreTest, FailedSyncIsUnavailableAndInvisibleUntilReopen) {
  TempDir dir;
  auto fs = std::make_shared<WalFaultFs>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  std::unique_ptr<Store> store = Open(dir.path(), env.get());
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Commit({Mutation::Put("before", "kept")}));

  fs->fail_syncs = 1;
  EXPECT_EQ(store->Commit({Mutation::Put("lost", "x")}).code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(GetOr(*store, "lost", "-"), "-");
  EXPECT_EQ(store->Commit({Mutation::Put("next", "y")}).code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(GetOr(*store, "before", "-"), "kept");
  EXPECT_EQ(store->Stats().commits, 1u);

  store.reset();
  store = Open(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(GetOr(*store, "before", "-"), "kept");
  ASSERT_OK(store->Commit({Mutation::Put("after", "z")}));
  EXPECT_EQ(GetOr(*store, "after", "-"), "z");
}

// A hash-chain append in a group whose WAL write is torn: the group is gone
// after recovery, and the chain continues from the last written record with
// no gap and no fork.
TEST(RocksStoreTest, TornGroupLeavesNoGapInAHashChain) {
  TempDir dir;
  auto fs = std::make_shared<WalFaultFs>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  {
    std::unique_ptr<Store> store = Open(dir.path(), env.get());
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->Commit({Mutation::ChainedAppend("log/", "kept")}));
    fs->tear_next_append = true;
    EXPECT_EQ(store->Commit({Mutation::ChainedAppend("log/", "torn"),
                             Mutation::Put("pad", std::string(64 << 10, 'x'))})
                  .code(),
              StatusCode::kUnavailable);
  }
  std::unique_ptr<Store> store = Open(dir.path());
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Commit({Mutation::ChainedAppend("log/", "next")}));
  KeyValues records = ScanAll(*store, "log/", "");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].first, ChainKey("log/", 2));
  EXPECT_TRUE(records[1].second.ends_with("next"));
  auto report = VerifyChain(*store, "log/");
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok) << report->problem;
}

TEST(RocksStoreTest, ScanHonoursPrefixAndStart) {
  TempDir dir;
  std::unique_ptr<Store> store = Open(dir.path());
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Commit({Mutation::Put("a/1", "x"), Mutation::Put("a/2", "y"),
                           Mutation::Put("a/3", "z"), Mutation::Put("ab/1", "w"),
                           Mutation::Put("b/1", "v"), Mutation::Put("a", "p")}));

  EXPECT_EQ(ScanAll(*store, "a/", ""),
            (KeyValues{{"a/1", "x"}, {"a/2", "y"}, {"a/3", "z"}}));
  EXPECT_EQ(ScanAll(*store, "a/", "a/2"),
            (KeyValues{{"a/2", "y"}, {"a/3", "z"}}));
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
  EXPECT_EQ(ScanAll(*store, "a/", "", /*limit=*/2),
            (KeyValues{{"a/1", "x"}, {"a/2", "y"}}));
}

TEST(RocksStoreTest, ScanAndLastKeyHandleHighBytePrefixes) {
  TempDir dir;
  std::unique_ptr<Store> store = Open(dir.path());
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

TEST(RocksStoreTest, LastKeyWithPrefix) {
  TempDir dir;
  std::unique_ptr<Store> store = Open(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->LastKeyWithPrefix("seq/").status().code(),
            StatusCode::kNotFound);
  ASSERT_OK(store->Commit({Mutation::Put("seq/0001", ""),
                           Mutation::Put("seq/0042", ""),
                           Mutation::Put("seq/0007", ""),
                           Mutation::Put("seqx", ""), Mutation::Put("a", ""),
                           Mutation::Put("t/1", "")}));
  EXPECT_EQ(*store->LastKeyWithPrefix("seq/"), "seq/0042");
  EXPECT_EQ(*store->LastKeyWithPrefix("seq"), "seqx");
  EXPECT_EQ(store->LastKeyWithPrefix("s/").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store->LastKeyWithPrefix("zz").status().code(),
            StatusCode::kNotFound);

  ASSERT_OK(store->Commit({Mutation::Delete("seq/0042")}));
  EXPECT_EQ(*store->LastKeyWithPrefix("seq/"), "seq/0007");
}

TEST(RocksStoreTest, CheckpointOpensAndHoldsTheData) {
  TempDir dir;
  std::unique_ptr<Store> store = Open(dir.Sub("db"));
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Commit({Mutation::Put("case/1", "v1")}));

  std::filesystem::create_directory(dir.Sub("backup"));  // empty: accepted
  ASSERT_OK(store->Checkpoint(dir.Sub("backup")));
  ASSERT_OK(store->Checkpoint(dir.Sub("fresh")));  // absent: accepted
  // Later commits do not reach the backup.
  ASSERT_OK(store->Commit({Mutation::Put("case/2", "v2")}));

  std::unique_ptr<Store> backup = Open(dir.Sub("backup"));
  ASSERT_NE(backup, nullptr);
  EXPECT_EQ(GetOr(*backup, "case/1", "-"), "v1");
  EXPECT_EQ(GetOr(*backup, "case/2", "-"), "-");
}

TEST(RocksStoreTest, CheckpointRefusesANonEmptyDir) {
  TempDir dir;
  std::unique_ptr<Store> store = Open(dir.Sub("db"));
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Checkpoint(dir.Sub("db")).code(),
            StatusCode::kFailedPrecondition);
}

TEST(FaultInjectingStoreTest, FailedCommitIsUnavailableAndWritesNothing) {
  TempDir dir;
  std::unique_ptr<Store> base = Open(dir.path());
  ASSERT_NE(base, nullptr);
  FaultInjectingStore store(std::move(base));

  store.FailNextCommits(2);
  EXPECT_EQ(store.Commit({Mutation::Put("k", "1")}).code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(store.Commit({Mutation::Put("k", "2")}).code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(GetOr(store, "k", "-"), "-");
  EXPECT_EQ(store.base().Stats().groups, 0u);

  ASSERT_OK(store.Commit({Mutation::Put("k", "3")}));
  EXPECT_EQ(GetOr(store, "k", "-"), "3");
  EXPECT_EQ(store.commit_calls(), 3u);
  EXPECT_EQ(store.injected_failures(), 2u);
  EXPECT_EQ(store.Stats().commits, 1u);
}

}  // namespace
}  // namespace shouhu
