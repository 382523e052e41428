// RocksStore's own faults against real RocksDB in a temporary directory:
// WAL faults are injected below RocksDB with a FileSystem wrapper, so the
// failure paths are RocksDB's own. The Store contract itself is tested for
// every backend in store_conformance_test.cc.
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
#include "backend_fixture.h"

namespace shouhu {
namespace {

std::unique_ptr<Store> Open(const std::string& dir, rocksdb::Env* env = nullptr) {
  StatusOr<std::unique_ptr<Store>> store = OpenRocksStoreWithEnv(dir, StoreOptions{}, env);
  if (!store.ok()) {
    ADD_FAILURE() << "open " << dir << ": " << store.status().ToString();
    return nullptr;
  }
  return std::move(store).value();
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

// One process writes a RocksDB store: it hands out no ids of its own (the
// runtime counts them).
TEST(RocksStoreTest, HandsOutNoIds) {
  TempDir dir;
  auto store = Open(dir.path() + "/db");
  ASSERT_NE(store, nullptr);
  auto ids = store->TakeIds("case", 3, 0);
  ASSERT_OK(ids.status());
  EXPECT_TRUE(ids->empty());
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

}  // namespace
}  // namespace shouhu
