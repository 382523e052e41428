// Internal to the RocksDB store (store/rocks_store.cc): RocksWriter, the
// committer thread's write of one group -- the create-only guards checked,
// the chained appends sealed, the group written as one synced WriteBatch --
// and the remembering of a write error until writes work again.
//
// Thread safety: WriteGroup runs on the store's committer thread only (one
// group at a time), so its members need no lock; Health may be called from
// any thread. The one lock, write_error_mu_, is a leaf: taken by the
// committer thread after a group's write and by health checks, with no
// other lock of the store held.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "shouhu/mutex.h"
#include "shouhu/status.h"
#include "shouhu/store.h"
#include "store/chain_sealer.h"
#include "store/group_committer.h"

namespace shouhu {

// kUnavailable "disk full" when the file system holding `dir` has less than
// `min_free` bytes available to us (0: no check).
Status CheckFreeSpace(const std::string& dir, uint64_t min_free);

class RocksWriter {
 public:
  // Writes to `db` (the store in `dir`); reads the chains' heads through
  // `store`. REQUIRES: both outlive the writer.
  RocksWriter(rocksdb::DB* db, Store& store, std::string dir, const StoreOptions& options);

  // A GroupCommitter::WriteGroupFn. Every failure is kUnavailable, as the
  // Store contract promises; a batch whose kInsert guard fails gets its
  // kFailedPrecondition in `each` and the others are written without it.
  // Committer thread only.
  Status WriteGroup(std::span<const GroupCommitter::Batch* const> group, std::span<Status> each);

  // The disk is checked now; a RocksDB write error is remembered until a
  // write succeeds again.
  Status Health() const SHOUHU_EXCLUDES(write_error_mu_);

 private:
  Status CheckInserts(const GroupCommitter::Batch& batch,
                      std::map<std::string, bool, std::less<>>& written);
  Status WriteToRocks(std::span<const GroupCommitter::Batch* const> group,
                      std::span<Status> each);

  rocksdb::DB* const db_;
  const std::string dir_;
  const uint64_t min_free_bytes_;
  // The RocksDB error that disabled writes, "" once a write succeeds again.
  mutable Mutex write_error_mu_;
  std::string write_error_ SHOUHU_GUARDED_BY(write_error_mu_);
  const rocksdb::WriteOptions write_options_;
  const size_t max_group_bytes_;
  // Committer thread only, from here on.
  rocksdb::WriteBatch batch_;
  // One write of a group, pointing into the group's mutations or sealer_.
  struct Op {
    std::string_view key, value;
    bool erase;
  };
  std::vector<Op> ops_;
  bool needs_resume_ = false;
  ChainSealer sealer_;
};

}  // namespace shouhu
