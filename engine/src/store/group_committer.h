// GroupCommitter: turns many concurrent commits into few synced writes.
//
// Thread safety: Commit and CommitAsync may be called from any number of
// threads. One lock, mu_, guards the queue and the stopping flag; it is a
// leaf (nothing else is locked while it is held) and is never held while a
// group is written or its callers are answered, so an asynchronous
// commit's callback may take any lock of its own (the runtime's case and
// request-id locks are released from there).
//
// Callers queue their batch and block (Commit), or queue it with a callback
// and go on (CommitAsync). One committer thread takes everything
// queued (up to max_group_bytes, at least one batch), hands the group to the
// write function as one unit, and wakes every caller in it with the result (or runs its callback).
// While a write (and its fsync) is in flight, new callers queue up, so the
// next group forms for free and throughput grows with concurrency. An idle
// committer writes a lone batch at once; the only added latency is the
// hand-off to the committer thread and back (two context switches).
//
// The committer knows nothing of the storage engine: the write function (see
// rocks_writer.cc, pg_store.cc) builds the engine's batch and writes it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "shouhu/mutex.h"
#include "shouhu/status.h"
#include "shouhu/store.h"

namespace shouhu {

class GroupCommitter {
 public:
  using Batch = std::vector<Mutation>;
  // Writes all batches of one group atomically (all or none), in order.
  // Called only on the committer thread, one group at a time, never with an
  // empty group. A failed Status is returned to every caller in the group.
  // On success, `each` (one OK per batch when called) says what each
  // caller gets: a batch whose guard failed (Mutation::kInsert, kFence) is
  // set to its error by the write, which then wrote the others without it.
  using WriteGroupFn =
      std::function<Status(std::span<const Batch* const> group, std::span<Status> each)>;

  // A group write slower than this is logged (event=slow_commit): on a
  // healthy disk it takes a few milliseconds; 200 ms means every request in
  // the group waited that long (a failing disk, a saturated volume).
  static constexpr std::chrono::milliseconds kSlowWrite{200};

  // Starts the committer thread.
  GroupCommitter(WriteGroupFn write, size_t max_group_bytes,
                 std::chrono::milliseconds slow_write = kSlowWrite);
  // BeginShutdown(), then waits for the committer thread to end. REQUIRES: no
  // Commit call starts after destruction begins.
  ~GroupCommitter();

  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Blocks until `batch` has been written as part of some group, and returns
  // that group's Status. REQUIRES: batch is non-empty and validated.
  [[nodiscard]] Status Commit(const Batch& batch);

  // Runs when an asynchronous commit's group has been written (and synced)
  // or has failed, with that group's Status.
  using Done = std::function<void(const Status&)>;
  // Queues `batch` (taken) and returns at once; `done` runs exactly once
  // with the group's Status: on the committer thread after the group's
  // write, or on this thread at once when the committer is shutting down.
  // Callbacks of one group run in arrival order, before the next group is
  // taken, so they should be short. REQUIRES: `done` never blocks on the
  // store (a synchronous Commit from it would wait for itself) nor on a lock
  // that a thread may hold while it waits for a commit. REQUIRES: batch is
  // non-empty and validated.
  void CommitAsync(Batch batch, Done done);

  // From now on Commit fails at once with kUnavailable. The write in flight
  // (if any) finishes normally; batches still queued behind it are failed
  // with kUnavailable, never written. Idempotent; does not block.
  void BeginShutdown();

  StoreStats Stats() const;
  // Batches queued and not yet taken by the committer (for tests).
  size_t queued() const;

 private:
  // One queued batch. Owned by the committer side (queue_, then group_), so
  // that fulfilling `done` never races with the caller returning: the caller
  // holds only the future, which shares ownership of the result.
  // An asynchronous one owns its batch and has a callback instead.
  struct Pending {
    const Batch* batch;  // the caller's; valid until `done` is set (sync)
    size_t bytes;
    std::promise<Status> done;  // sync
    Batch owned;                // async: the batch
    Done callback;              // async: runs instead of `done`
    std::chrono::steady_clock::time_point submitted;  // async
    const Batch* Get() const { return callback ? &owned : batch; }
  };

  void Run();
  // Moves the next group from queue_ to group_. REQUIRES: queue_ non-empty.
  void TakeGroupLocked() SHOUHU_REQUIRES(mu_);
  // Fulfils and drops every entry of group_: with `status` when it failed,
  // else with each batch's own (each_).
  void ReleaseGroup(const Status& status);

  const WriteGroupFn write_;
  const size_t max_group_bytes_;
  const std::chrono::milliseconds slow_write_;

  mutable Mutex mu_;
  std::condition_variable work_cv_;  // signalled on enqueue and on stop
  std::deque<Pending> queue_ SHOUHU_GUARDED_BY(mu_);
  bool stopping_ SHOUHU_GUARDED_BY(mu_) = false;

  // Touched only by the committer thread; kept to reuse their capacity.
  std::vector<Pending> group_;
  std::vector<const Batch*> group_batches_;
  std::vector<Status> each_;  // one per batch of group_

  std::atomic<uint64_t> commits_{0};
  std::atomic<uint64_t> groups_{0};
  std::atomic<uint64_t> bytes_{0};

  std::thread thread_;  // last: starts after every member above exists
};

}  // namespace shouhu
