// Store: the durable key-value store under the engine, and a fault-injecting
// wrapper for tests.
//
// Thread safety: every Store is safe to call from many threads at once.
//
// The store knows nothing of cases or workflows: keys are byte strings whose
// layout (prefixes, versions) is decided by the key-encoding module. One state
// change of a case is one Commit, so that its state, event, timer-index and
// outbox entries become visible together or not at all.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shouhu/status.h"

namespace shouhu {

// kChainedAppend appends `value` as the next record of the hash chain whose
// keys start with `key` (a prefix; see chain.h for the record format). The
// store's committer thread assigns the record's sequence number and hashes
// as it builds each group, so numbers and links follow the commit order of
// all concurrent callers; the chain's head advances only when the write
// succeeded, so a failed commit leaves no gap and no fork. A batch may hold
// several appends (to one chain or more), sealed in batch order.
// REQUIRES: nothing else writes keys under a chain's prefix.
//
// kInsert writes `value` under `key` only if the key is absent when the
// batch commits (create-only): the guard that two writers of one record (a
// case's next history entry, from two nodes) never overwrite each other.
// kFence writes nothing: the batch commits only while the lease named `key`
// still has the epoch `value` (decimal), so a node that lost a lease cannot
// commit under it (see shouhu/leases.h). A batch whose guard fails is
// refused alone, kFailedPrecondition (a conflict: another writer came
// first; re-read before trying again), and the other batches of its group
// commit. The RocksDB store is one process's: it checks kInsert, and holds
// every lease, so kFence always passes there.
struct Mutation {
  enum class Kind { kPut, kDelete, kChainedAppend, kInsert, kFence };
  Kind kind = Kind::kPut;
  std::string key;    // REQUIRES: non-empty (the chain prefix for appends)
  std::string value;  // ignored for kDelete; the payload for appends

  static Mutation Put(std::string key, std::string value) {
    return {Kind::kPut, std::move(key), std::move(value)};
  }
  static Mutation Delete(std::string key) {
    return {Kind::kDelete, std::move(key), {}};
  }
  static Mutation ChainedAppend(std::string chain_prefix, std::string payload) {
    return {Kind::kChainedAppend, std::move(chain_prefix), std::move(payload)};
  }
  static Mutation Insert(std::string key, std::string value) {
    return {Kind::kInsert, std::move(key), std::move(value)};
  }
  static Mutation Fence(std::string lease, uint64_t epoch) {
    return {Kind::kFence, std::move(lease), std::to_string(epoch)};
  }
};

struct StoreOptions {
  // When true, Commit returns OK only after the write-ahead log is fsynced, so
  // an acknowledged commit survives power loss. Turn off only in tests and
  // benchmarks that measure something else.
  bool sync = true;
  // Upper bound on the payload of one group commit. A single batch larger than
  // this is still committed, alone.
  size_t max_group_bytes = 8 << 20;
  // Writes are refused (kUnavailable, "disk full") while the data
  // directory's file system has less free space than this, so RocksDB keeps
  // room for its memtable flushes and compactions and seldom meets ENOSPC
  // (when it does, writes fail kUnavailable too, and RocksDB recovers by
  // itself once 64 MiB are free). Reads go on; writes resume by themselves
  // once space is freed. Also checked before opening. 0: no check.
  uint64_t min_free_bytes = 64ull << 20;
};

// Counters since open; they only grow. Successful writes only.
struct StoreStats {
  uint64_t commits = 0;  // Commit calls acknowledged OK (non-empty batches)
  uint64_t groups = 0;   // storage writes (one WAL append + sync each)
  uint64_t bytes = 0;    // key + value bytes written
};

class Store {
 public:
  virtual ~Store() = default;

  // Commits all mutations atomically, in order (a later mutation of the same
  // key wins). With StoreOptions::sync the write-ahead log is fsynced before
  // this returns OK.
  //
  // Concurrent callers are gathered by one committer thread into one write
  // and one sync (group commit), so throughput grows with concurrency while
  // each batch stays atomic. Batches that land in the same group are applied
  // in arrival order.
  //
  // Errors: kInvalidArgument for an empty key (nothing is written).
  // kFailedPrecondition when the batch's kInsert or kFence guard fails
  // (nothing of this batch is written; the rest of its group is).
  // kInternal when a chained append finds its chain's newest record
  // unreadable (nothing of the group is written).
  // kUnavailable when the write fails or the store is closing: every caller
  // in that group gets it, and none of their mutations is visible to reads in
  // this process. As with any database, a failed sync leaves durability
  // unknown: after a restart the group may or may not be present, so callers
  // re-read state before retrying. After a failed WAL write or sync RocksDB
  // refuses all writes until the store is reopened (every Commit returns
  // kUnavailable meanwhile; reads keep working); a disk-full error clears by
  // itself once space is freed. An empty batch returns OK at once.
  [[nodiscard]] virtual Status Commit(std::vector<Mutation> batch) = 0;

  // Commit without waiting: `done` runs exactly once with what Commit would
  // have returned, once the batch is durable (or has failed), possibly
  // before CommitAsync returns and possibly on the store's committer
  // thread. So `done` must be short and must not wait for the store (a
  // Commit from it would wait for itself) nor for a lock that a thread may
  // hold while it waits for a commit. The default commits synchronously.
  virtual void CommitAsync(std::vector<Mutation> batch,
                           std::function<void(const Status&)> done) {
    done(Commit(std::move(batch)));
  }

  // Point read of committed data. kNotFound when the key is absent.
  [[nodiscard]] virtual StatusOr<std::string> Get(std::string_view key) = 0;

  // Point reads of many keys at once: one result per key, in order, each as
  // Get would answer it. RocksDB reads them in one batched lookup (a timer
  // batch reads its few hundred cases so); by default, Get one by one.
  [[nodiscard]] virtual std::vector<StatusOr<std::string>> GetMany(
      std::span<const std::string> keys) {
    std::vector<StatusOr<std::string>> out;
    out.reserve(keys.size());
    for (const std::string& key : keys) out.push_back(Get(key));
    return out;
  }

  // Calls fn for each key that starts with `prefix` and is >= `start` (empty
  // start = from the beginning of the prefix), in ascending byte order, until
  // fn returns false. The scan reads one consistent snapshot taken when it
  // starts; fn may call the store (the store holds no lock while calling fn)
  // but does not see its own writes. The views are valid only during the call.
  [[nodiscard]] virtual Status Scan(
      std::string_view prefix, std::string_view start,
      const std::function<bool(std::string_view key, std::string_view value)>&
          fn) = 0;

  // The greatest key that starts with `prefix` (used to recover sequence
  // counters at startup). kNotFound when there is none.
  [[nodiscard]] virtual StatusOr<std::string> LastKeyWithPrefix(
      std::string_view prefix) = 0;

  // Writes a consistent, openable copy of the store (a backup) into `dir`.
  // REQUIRES: `dir` does not exist or is an empty directory; its parent
  // exists. kFailedPrecondition when `dir` is not empty.
  [[nodiscard]] virtual Status Checkpoint(const std::string& dir) = 0;

  virtual StoreStats Stats() const = 0;

  // OK while writes can go ahead; else kUnavailable saying why (the disk is
  // full, or a storage error not yet recovered from). For readiness checks:
  // cheap, and it writes nothing.
  virtual Status WriteHealth() const { return Status::Ok(); }

  // Ids that no other writer of the store hands out, for a store that
  // several nodes write at once (PostgreSQL: a sequence per counter): `n`
  // new ids of `counter` ("case", "outbox"), increasing, each greater than
  // `floor` (the greatest id of that counter the caller has seen in the
  // store, so ids go on after data copied in from elsewhere). Not
  // transactional: an id taken by a change that is then refused is never
  // handed out again. None at all (an empty list) where one process writes
  // the store (RocksDB): the caller counts for itself.
  [[nodiscard]] virtual StatusOr<std::vector<uint64_t>> TakeIds(std::string_view counter,
                                                                size_t n, uint64_t floor) {
    return std::vector<uint64_t>();
  }
};

// Opens (creating if missing) a RocksDB store in `dir`. kUnavailable when the
// directory cannot be opened, is locked by another process or its disk has
// less than options.min_free_bytes free ("disk full"); kInternal when the
// data is corrupt.
StatusOr<std::unique_ptr<Store>> OpenRocksStore(
    const std::string& dir, const StoreOptions& options = {});

// Test seam: forwards to the wrapped store, except that it can fail commits.
// Thread-safe.
class FaultInjectingStore : public Store {
 public:
  // REQUIRES: base != nullptr.
  explicit FaultInjectingStore(std::unique_ptr<Store> base);

  // The next `n` Commit or CommitAsync calls (non-empty or not) fail with
  // kUnavailable and write nothing. Replaces any earlier count.
  void FailNextCommits(int n) { fail_next_.store(n); }
  // Commit calls seen, including failed ones.
  uint64_t commit_calls() const { return commit_calls_.load(); }
  // Commit calls failed by injection.
  uint64_t injected_failures() const { return injected_failures_.load(); }
  Store& base() { return *base_; }

  [[nodiscard]] Status Commit(std::vector<Mutation> batch) override;
  void CommitAsync(std::vector<Mutation> batch,
                   std::function<void(const Status&)> done) override;
  [[nodiscard]] StatusOr<std::string> Get(std::string_view key) override;
  [[nodiscard]] Status Scan(
      std::string_view prefix, std::string_view start,
      const std::function<bool(std::string_view, std::string_view)>& fn)
      override;
  [[nodiscard]] StatusOr<std::string> LastKeyWithPrefix(
      std::string_view prefix) override;
  [[nodiscard]] Status Checkpoint(const std::string& dir) override;
  StoreStats Stats() const override { return base_->Stats(); }
  Status WriteHealth() const override { return base_->WriteHealth(); }
  StatusOr<std::vector<uint64_t>> TakeIds(std::string_view counter, size_t n,
                                          uint64_t floor) override {
    return base_->TakeIds(counter, n, floor);
  }

 private:
  std::unique_ptr<Store> base_;
  std::atomic<int> fail_next_{0};
  std::atomic<uint64_t> commit_calls_{0};
  std::atomic<uint64_t> injected_failures_{0};
};

}  // namespace shouhu
