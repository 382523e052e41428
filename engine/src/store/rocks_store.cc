// The RocksDB store: the Store interface on one RocksDB instance -- reads,
// scans and checkpoints here; the committer thread's group write in
// store/rocks_writer.cc; the tuning in store/rocks_options.cc -- and the
// functions that open a store directory (for serving, read-only to peek at
// it, or offline to compact it). RocksDB results become shouhu Status only
// through store/rocks_status.h; no RocksDB type crosses the Store interface.
#include "store/rocks_store.h"

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/options.h>
#include <rocksdb/utilities/checkpoint.h>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <span>
#include <utility>
#include <vector>

#include "store/group_committer.h"
#include "store/key_range.h"
#include "store/rocks_status.h"
#include "store/rocks_writer.h"

namespace shouhu {
namespace {

class RocksStore final : public Store {
 public:
  RocksStore(rocksdb::DB* db, std::string dir, const StoreOptions& options)
      : db_(db),
        writer_(db, *this, std::move(dir), options),
        committer_(std::make_unique<GroupCommitter>(
            [this](std::span<const GroupCommitter::Batch* const> group,
                   std::span<Status> each) { return writer_.WriteGroup(group, each); },
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

  std::vector<StatusOr<std::string>> GetMany(std::span<const std::string> keys) override {
    std::vector<rocksdb::Slice> slices;
    slices.reserve(keys.size());
    for (const std::string& key : keys) slices.push_back(ToSlice(key));
    std::vector<rocksdb::PinnableSlice> values(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size());
    db_->MultiGet(rocksdb::ReadOptions(), db_->DefaultColumnFamily(), keys.size(),
                  slices.data(), values.data(), statuses.data());
    std::vector<StatusOr<std::string>> out;
    out.reserve(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      if (statuses[i].IsNotFound()) {
        out.push_back(NotFound("store: no such key"));
      } else if (!statuses[i].ok()) {
        out.push_back(FromRocks(statuses[i], "store: get"));
      } else {
        out.push_back(std::string(ToView(values[i])));
      }
    }
    return out;
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

  Status WriteHealth() const override { return writer_.Health(); }

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

  std::unique_ptr<rocksdb::DB> db_;
  RocksWriter writer_;  // used by the committer thread only, and by WriteHealth
  // Declared last: must stop before the members above go away.
  std::unique_ptr<GroupCommitter> committer_;
};

}  // namespace

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
