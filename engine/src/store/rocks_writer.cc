// The RocksDB store's group write (store/rocks_writer.h).
#include "store/rocks_writer.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <utility>

#include "store/guards.h"
#include "store/rocks_status.h"

namespace shouhu {
namespace {

rocksdb::WriteOptions MakeWriteOptions(const StoreOptions& options) {
  rocksdb::WriteOptions write_options;
  write_options.sync = options.sync;  // fsync the WAL before acking
  write_options.disableWAL = false;
  return write_options;
}

}  // namespace

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

RocksWriter::RocksWriter(rocksdb::DB* db, Store& store, std::string dir,
                         const StoreOptions& options)
    : db_(db),
      dir_(std::move(dir)),
      min_free_bytes_(options.min_free_bytes),
      write_options_(MakeWriteOptions(options)),
      max_group_bytes_(options.max_group_bytes),
      sealer_(store) {}

Status RocksWriter::Health() const {
  SHOUHU_RETURN_IF_ERROR(CheckFreeSpace(dir_, min_free_bytes_));
  MutexLock lock(write_error_mu_);
  if (!write_error_.empty()) return Unavailable(write_error_);
  return Status::Ok();
}

Status RocksWriter::WriteGroup(std::span<const GroupCommitter::Batch* const> group,
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
Status RocksWriter::CheckInserts(const GroupCommitter::Batch& batch,
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

Status RocksWriter::WriteToRocks(std::span<const GroupCommitter::Batch* const> group,
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
    SHOUHU_RETURN_IF_ERROR(sealer_.SealBatch(
        *batch, [&](Mutation::Kind kind, std::string_view key, std::string_view value) {
          if (kind == Mutation::Kind::kFence) return;  // writes nothing; passes here
          ops_.push_back({key, value, kind == Mutation::Kind::kDelete});
        }));
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

}  // namespace shouhu
