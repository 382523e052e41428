// The RocksDB adapter. This is the only file that turns RocksDB results into
// shouhu Status; no RocksDB type crosses the Store interface. RocksDB reports
// errors through rocksdb::Status, never by throwing (std::bad_alloc aside,
// which we let terminate as everywhere else).
#include "store/rocks_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <sys/statvfs.h>

#include <algorithm>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <span>
#include <utility>
#include <vector>

#include "shouhu/mutex.h"
#include "store/chain_sealer.h"
#include "store/group_committer.h"
#include "store/guards.h"
#include "store/key_range.h"

namespace shouhu {
namespace {

rocksdb::Slice ToSlice(std::string_view s) { return {s.data(), s.size()}; }
std::string_view ToView(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

// Maps a failed RocksDB call to what the caller should do next: I/O trouble
// is worth retrying, corruption is not.
Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  std::string message = std::string(what) + ": " + s.ToString();
  if (s.IsNotFound()) return NotFound(std::move(message));
  if (s.IsCorruption()) return Internal(std::move(message));
  if (s.IsInvalidArgument()) return InvalidArgument(std::move(message));
  if (s.IsNotSupported()) return Internal(std::move(message));
  // IOError, Busy, TimedOut, TryAgain, Incomplete, ShutdownInProgress,
  // Aborted, and the rest: transient as far as we can tell.
  return Unavailable(std::move(message));
}

Status FromRocksOrOk(const rocksdb::Status& s, std::string_view what) {
  return s.ok() ? Status::Ok() : FromRocks(s, what);
}

// RocksDB's logger, as "shouhud: rocksdb: [LEVEL] message" lines on stderr.
class StderrLogger : public rocksdb::Logger {
 public:
  StderrLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    char line[1024];
    std::vsnprintf(line, sizeof line, format, ap);
    std::fprintf(stderr, "shouhud: rocksdb: %s\n", line);
  }
};

// kUnavailable "disk full" when the file system holding `dir` has less than
// `min_free` bytes available to us (0: no check).
Status CheckFreeSpace(const std::string& dir, uint64_t min_free) {
  if (min_free == 0) return Status::Ok();
  struct statvfs st {};
  if (statvfs(dir.c_str(), &st) != 0) return Status::Ok();  // RocksDB will say
  const uint64_t free = uint64_t(st.f_bavail) * st.f_frsize;
  if (free >= min_free) return Status::Ok();
  auto mib = [](uint64_t bytes) { return std::to_string((bytes + (1 << 19)) >> 20); };
  return Unavailable("store: disk full 磁盘已满: " + mib(free) + " MiB free in " + dir +
                     ", writes need " + mib(min_free) +
                     " MiB; they resume by themselves once space is freed");
}

class RocksStore final : public Store {
 public:
  RocksStore(rocksdb::DB* db, std::string dir, const StoreOptions& options)
      : db_(db),
        dir_(std::move(dir)),
        min_free_bytes_(options.min_free_bytes),
        write_options_(MakeWriteOptions(options)),
        max_group_bytes_(options.max_group_bytes),
        sealer_([this](std::string_view prefix) { return LastRecord(prefix); }),
        committer_(std::make_unique<GroupCommitter>(
            [this](std::span<const GroupCommitter::Batch* const> group,
                   std::span<Status> each) { return WriteGroup(group, each); },
            options.max_group_bytes)) {}

  ~RocksStore() override {
    // Stop the committer first: its in-flight write uses db_.
    committer_.reset();
    // Close only reports an earlier background error; acknowledged commits
    // are already synced, so there is nothing left to do about it here.
    (void)db_->Close();
  }

  Status Commit(std::vector<Mutation> batch) override {
    if (batch.empty()) return Status::Ok();
    SHOUHU_RETURN_IF_ERROR(Check(batch));
    return committer_->Commit(batch);
  }

  void CommitAsync(std::vector<Mutation> batch,
                   std::function<void(const Status&)> done) override {
    if (batch.empty()) return done(Status::Ok());
    if (Status s = Check(batch); !s.ok()) return done(s);
    committer_->CommitAsync(std::move(batch), std::move(done));
  }

  StatusOr<std::string> Get(std::string_view key) override {
    rocksdb::PinnableSlice value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(),
                                 db_->DefaultColumnFamily(), ToSlice(key),
                                 &value);
    if (s.IsNotFound()) return NotFound("store: no such key");
    if (!s.ok()) return FromRocks(s, "store: get");
    return std::string(ToView(value));
  }

  Status Scan(std::string_view prefix, std::string_view start,
              const std::function<bool(std::string_view, std::string_view)>&
                  fn) override {
    // The bound lets RocksDB stop at the end of the prefix instead of
    // reading the next block of unrelated keys.
    const std::string upper = PrefixSuccessor(prefix);
    const rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions read_options;
    if (!upper.empty()) read_options.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options));

    const std::string_view from = start > prefix ? start : prefix;
    for (it->Seek(ToSlice(from)); it->Valid(); it->Next()) {
      const std::string_view key = ToView(it->key());
      if (!key.starts_with(prefix)) break;
      if (!fn(key, ToView(it->value()))) break;
    }
    if (!it->status().ok()) return FromRocks(it->status(), "store: scan");
    return Status::Ok();
  }

  StatusOr<std::string> LastKeyWithPrefix(std::string_view prefix) override {
    const std::string upper = PrefixSuccessor(prefix);
    const rocksdb::Slice upper_slice(upper);
    const rocksdb::Slice lower_slice = ToSlice(prefix);
    rocksdb::ReadOptions read_options;
    read_options.iterate_lower_bound = &lower_slice;
    if (!upper.empty()) read_options.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options));

    it->SeekToLast();  // honours iterate_upper_bound
    if (!it->status().ok()) {
      return FromRocks(it->status(), "store: last key");
    }
    if (!it->Valid() || !ToView(it->key()).starts_with(prefix)) {
      return NotFound("store: no key with this prefix");
    }
    return std::string(ToView(it->key()));
  }

  Status Checkpoint(const std::string& dir) override {
    // RocksDB insists on creating the directory itself, so an empty one
    // that the caller prepared is removed first.
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::exists(dir, ec)) {
      if (!fs::is_directory(dir, ec) || !fs::is_empty(dir, ec)) {
        return FailedPrecondition("store: checkpoint dir is not empty: " +
                                  dir);
      }
      if (!fs::remove(dir, ec)) {
        return Unavailable("store: cannot prepare checkpoint dir " + dir +
                           ": " + ec.message());
      }
    }
    rocksdb::Checkpoint* raw = nullptr;
    rocksdb::Status s = rocksdb::Checkpoint::Create(db_.get(), &raw);
    if (!s.ok()) return FromRocks(s, "store: checkpoint");
    std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
    s = checkpoint->CreateCheckpoint(dir);
    if (!s.ok()) return FromRocks(s, "store: checkpoint");
    return Status::Ok();
  }

  StoreStats Stats() const override { return committer_->Stats(); }

  // The disk is checked now; a RocksDB write error is remembered until a
  // write succeeds again.
  Status WriteHealth() const override {
    SHOUHU_RETURN_IF_ERROR(CheckFreeSpace(dir_, min_free_bytes_));
    MutexLock lock(write_error_mu_);
    if (!write_error_.empty()) return Unavailable(write_error_);
    return Status::Ok();
  }

 private:
  static Status Check(const std::vector<Mutation>& batch) {
    constexpr size_t kMaxLen = std::numeric_limits<uint32_t>::max();
    for (const Mutation& m : batch) {
      if (m.key.empty()) return InvalidArgument("store: empty key");
      if (m.key.size() > kMaxLen || m.value.size() > kMaxLen) {
        return InvalidArgument("store: key or value longer than 4 GiB");
      }
    }
    return Status::Ok();
  }

  // Runs on the committer thread only, so batch_ and needs_resume_ need no
  // lock. Every failure is kUnavailable, as the Store contract promises.
  Status WriteGroup(std::span<const GroupCommitter::Batch* const> group,
                    std::span<Status> each) {
    // Refuse before RocksDB meets ENOSPC: see StoreOptions::min_free_bytes.
    SHOUHU_RETURN_IF_ERROR(CheckFreeSpace(dir_, min_free_bytes_));
    Status s = WriteToRocks(group, each);
    MutexLock lock(write_error_mu_);
    write_error_ = needs_resume_ ? s.message() : "";
    return s;
  }

  // A batch's create-only writes (kInsert) against the store and the
  // batches before it in the group (`written`: key -> present after them).
  // This thread is the only writer, so nothing comes between the check and
  // the write. kFence passes: one process holds every lease.
  Status CheckInserts(const GroupCommitter::Batch& batch,
                      std::map<std::string, bool, std::less<>>& written) {
    for (const Mutation& m : batch) {
      if (m.kind != Mutation::Kind::kInsert) continue;
      auto it = written.find(m.key);
      bool present = false;
      if (it != written.end()) {
        present = it->second;
      } else {
        std::string ignored;
        rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), ToSlice(m.key), &ignored);
        if (!s.ok() && !s.IsNotFound()) return Unavailable("store: get: " + s.ToString());
        present = s.ok();
      }
      if (present) return FailedPrecondition(ConflictMessage(m.key));
    }
    for (const Mutation& m : batch) {
      if (m.kind == Mutation::Kind::kPut || m.kind == Mutation::Kind::kInsert) {
        written[m.key] = true;
      } else if (m.kind == Mutation::Kind::kDelete) {
        written[m.key] = false;
      }
    }
    return Status::Ok();
  }

  Status WriteToRocks(std::span<const GroupCommitter::Batch* const> group,
                      std::span<Status> each) {
    if (needs_resume_) {
      // A failed write puts RocksDB in read-only mode. Recoverable errors
      // (disk full: RocksDB retries by itself and answers Busy meanwhile)
      // clear with Resume(). A failed WAL write or sync is fatal to this DB
      // instance: only reopening (restarting the daemon) clears it, and
      // Resume() keeps returning the error.
      rocksdb::Status s = db_->Resume();
      if (!s.ok()) {
        return Unavailable(
            "store: writes disabled after a storage error (a restart is "
            "needed if this persists): " +
            s.ToString());
      }
      needs_resume_ = false;
    }
    batch_.Clear();
    sealer_.Discard();
    // The group's writes, with every chained append sealed (in group order,
    // so the chain follows the order in which batches commit).
    ops_.clear();
    sealed_.clear();
    std::map<std::string, bool, std::less<>> written;
    for (size_t i = 0; i < group.size(); ++i) {
      const GroupCommitter::Batch* batch = group[i];
      if (Status checked = CheckInserts(*batch, written); !checked.ok()) {
        if (checked.code() == StatusCode::kUnavailable) {
          sealer_.Discard();
          return checked;
        }
        each[i] = checked;
        continue;
      }
      for (const Mutation& m : *batch) {
        if (m.kind == Mutation::Kind::kFence) continue;
        if (m.kind != Mutation::Kind::kChainedAppend) {
          ops_.push_back({m.key, m.value, m.kind == Mutation::Kind::kDelete});
          continue;
        }
        auto& [key, value] = sealed_.emplace_back();
        Status sealed = sealer_.Seal(m, &key, &value);
        if (!sealed.ok()) {
          sealer_.Discard();
          return sealed;
        }
        ops_.push_back({key, value, false});
      }
    }
    // Into the batch in key order. The memtable is a skip list that starts
    // each insert where the last one ended, so sorted inserts touch only the
    // few levels where neighbours differ, instead of searching from the top
    // for every key (that search was a large part of the committer thread's
    // time in a burst of timers). The sort is stable: writes to the same key
    // keep their order; and the batch is applied atomically either way.
    std::stable_sort(ops_.begin(), ops_.end(),
                     [](const Op& a, const Op& b) { return a.key < b.key; });
    for (const Op& op : ops_) {
      rocksdb::Status s = op.erase ? batch_.Delete(ToSlice(op.key))
                                   : batch_.Put(ToSlice(op.key), ToSlice(op.value));
      if (!s.ok()) {
        sealer_.Discard();
        return Unavailable("store: batch: " + s.ToString());
      }
    }
    rocksdb::Status s = db_->Write(write_options_, &batch_);
    // Clear() keeps the buffer for reuse; do not keep one that a single
    // oversized batch blew up.
    if (batch_.GetDataSize() > 2 * max_group_bytes_) {
      batch_ = rocksdb::WriteBatch();
    }
    if (!s.ok()) {
      // Nothing of the group is visible, so the chains' heads stay where
      // they were. (After a failed sync the group may still turn up after
      // a restart; the heads are read from disk again then.)
      sealer_.Discard();
      needs_resume_ = true;
      return Unavailable("store: write: " + s.ToString());
    }
    sealer_.Commit();
    return Status::Ok();
  }

  // The newest record of a hash chain, for the sealer (committer thread).
  StatusOr<std::pair<std::string, std::string>> LastRecord(
      std::string_view prefix) {
    auto key = LastKeyWithPrefix(prefix);
    if (!key.ok()) return key.status();
    auto value = Get(*key);
    if (!value.ok()) return value.status();
    return std::pair{std::move(*key), std::move(*value)};
  }

  static rocksdb::WriteOptions MakeWriteOptions(const StoreOptions& options) {
    rocksdb::WriteOptions write_options;
    write_options.sync = options.sync;  // fsync the WAL before acking
    write_options.disableWAL = false;
    return write_options;
  }

  std::unique_ptr<rocksdb::DB> db_;
  const std::string dir_;
  const uint64_t min_free_bytes_;
  // The RocksDB error that disabled writes, "" once a write succeeds again.
  // A leaf lock: taken by the committer thread after a group's write and by
  // health checks, with no other lock of the store held.
  mutable Mutex write_error_mu_;
  std::string write_error_ SHOUHU_GUARDED_BY(write_error_mu_);
  const rocksdb::WriteOptions write_options_;
  const size_t max_group_bytes_;
  rocksdb::WriteBatch batch_;  // committer thread only
  // One write of a group, pointing into the group's mutations or sealed_.
  struct Op {
    std::string_view key, value;
    bool erase;
  };
  std::vector<Op> ops_;  // committer thread only
  // The keys and values of the group's sealed appends (a deque: ops_ points
  // into them, so they must not move as more are added).
  std::deque<std::pair<std::string, std::string>> sealed_;  // committer thread only
  bool needs_resume_ = false;  // committer thread only
  ChainSealer sealer_;         // committer thread only
  // Declared last: must stop before the members above go away.
  std::unique_ptr<GroupCommitter> committer_;
};

}  // namespace

rocksdb::Options MakeRocksOptions() {
  rocksdb::Options options;
  options.create_if_missing = true;
  // A small daemon on a small machine: two background threads for flushes
  // and compactions are plenty for our write rate.
  options.IncreaseParallelism(2);
  // Cold data compresses well and is rarely read.
  options.bottommost_compression = rocksdb::kZSTD;
  // RocksDB's messages go to our standard error, not to its LOG file in the
  // data directory: on a full disk a failed LOG write left that file's
  // writer in an error state, and the next message (the error handler
  // reporting the failed write) hit an assertion that Debian's librocksdb
  // keeps (AssertFalseAndGetStatusForPrevError, `sync_without_flush_called_`)
  // and aborted the daemon. Warnings and errors only.
  options.info_log = std::make_shared<StderrLogger>();
  // kPointInTimeRecovery (the default) is what we want: after a crash, a
  // torn WAL tail is dropped and every group synced before it is kept.
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  // Start-up must not grow with the data: do not read every SST file's
  // statistics and sizes at open (they are only compaction hints).
  options.skip_stats_update_on_db_open = true;
  options.skip_checking_sst_file_sizes_on_db_open = true;

  // Large values (the chunks of evidence photos and video) go to blob files
  // beside the SST files, so compactions do not rewrite them again and
  // again; cases, events and index entries stay far below the threshold.
  // Checkpoints (backups) copy the blob files with the rest.
  options.enable_blob_files = true;
  options.min_blob_size = 16 << 10;
  options.enable_blob_garbage_collection = true;

  rocksdb::BlockBasedTableOptions table;
  // Bounded memory: the working set (open cases) is small.
  table.block_cache = rocksdb::NewLRUCache(32 << 20);
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  // Most reads are point gets of a case by id; a bloom filter skips the
  // SST files that do not hold the key.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Partitioned index and filters: a first read loads one small top-level
  // block per file, not the whole index and filter, so start-up and the
  // first reads after it do not grow with the number of cases and timers.
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.metadata_block_size = 4096;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

StatusOr<std::unique_ptr<Store>> OpenRocksStoreWithEnv(
    const std::string& dir, const StoreOptions& options, rocksdb::Env* env) {
  rocksdb::Options rocks_options = MakeRocksOptions();
  if (env != nullptr) rocks_options.env = env;
  // Opening writes (a new log and manifest): not on a full disk either. A
  // directory still to be created is checked on its parent's file system.
  std::error_code ec;
  const bool exists = std::filesystem::exists(dir, ec);
  SHOUHU_RETURN_IF_ERROR(CheckFreeSpace(
      exists ? dir : std::filesystem::path(dir).parent_path().string(), options.min_free_bytes));
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(rocks_options, dir, &db);
  if (!s.ok()) return FromRocks(s, "store: open " + dir);
  return std::unique_ptr<Store>(std::make_unique<RocksStore>(db, dir, options));
}

Status PeekRocksStore(const std::string& dir, const std::vector<std::string>& keys,
                      std::vector<std::optional<std::string>>* values, bool* empty) {
  rocksdb::Options rocks_options = MakeRocksOptions();
  rocks_options.create_if_missing = false;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenForReadOnly(rocks_options, dir, &raw);
  if (!s.ok()) return FromRocks(s, "store: open " + dir + " read-only");
  std::unique_ptr<rocksdb::DB> db(raw);
  values->clear();
  for (const std::string& key : keys) {
    std::string value;
    s = db->Get(rocksdb::ReadOptions(), ToSlice(key), &value);
    if (s.IsNotFound()) {
      values->emplace_back();
    } else if (!s.ok()) {
      return FromRocks(s, "store: get");
    } else {
      values->emplace_back(std::move(value));
    }
  }
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  it->SeekToFirst();
  if (!it->status().ok()) return FromRocks(it->status(), "store: scan");
  *empty = !it->Valid();
  it.reset();
  (void)db->Close();
  return Status::Ok();
}

Status CompactRocksStore(const std::string& dir) {
  rocksdb::Options rocks_options = MakeRocksOptions();
  rocks_options.create_if_missing = false;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(rocks_options, dir, &raw);
  if (!s.ok()) return FromRocks(s, "store: open " + dir);
  std::unique_ptr<rocksdb::DB> db(raw);
  s = db->Flush(rocksdb::FlushOptions());
  if (s.ok()) {
    rocksdb::CompactRangeOptions compact;
    compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    s = db->CompactRange(compact, nullptr, nullptr);
  }
  if (!s.ok()) return FromRocks(s, "store: compact " + dir);
  return FromRocksOrOk(db->Close(), "store: close " + dir);
}

StatusOr<std::unique_ptr<Store>> OpenRocksStore(const std::string& dir,
                                                const StoreOptions& options) {
  return OpenRocksStoreWithEnv(dir, options, nullptr);
}

}  // namespace shouhu
