// GroupCommitter: turns many concurrent commits into few synced writes.
//
// Thread safety: Commit may be called from any number of threads.
//
// Callers queue their batch and block. One committer thread takes everything
// queued (up to max_group_bytes, at least one batch), hands the group to the
// write function as one unit, and wakes every caller in it with the result.
// While a write (and its fsync) is in flight, new callers queue up, so the
// next group forms for free and throughput grows with concurrency; an idle
// committer writes a lone batch at once, so there is no added latency.
//
// The committer knows nothing of the storage engine: the write function (see
// rocks_store.cc) builds the engine's batch and writes it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "shouhu/status.h"
#include "shouhu/store.h"

namespace shouhu {

class GroupCommitter {
 public:
  using Batch = std::vector<Mutation>;
  // Writes all batches of one group atomically (all or none), in order.
  // Called only on the committer thread, one group at a time, never with an
  // empty group. Its Status is returned to every caller in the group.
  using WriteGroupFn = std::function<Status(std::span<const Batch* const>)>;

  // Starts the committer thread.
  GroupCommitter(WriteGroupFn write, size_t max_group_bytes);
  // Lets the write in flight finish, fails every batch still queued with
  // kUnavailable, and joins the thread. REQUIRES: no Commit call starts after
  // destruction begins (calls already blocked in Commit are woken).
  ~GroupCommitter();

  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Blocks until `batch` has been written as part of some group, and returns
  // that group's Status. REQUIRES: batch is non-empty and validated.
  [[nodiscard]] Status Commit(const Batch& batch);

  StoreStats Stats() const;
  // Batches queued and not yet taken by the committer (for tests).
  size_t queued() const;

 private:
  // Lives on the caller's stack for the duration of Commit. The committer
  // signals it under `mu` so that the caller cannot return (and destroy it)
  // before the committer is done touching it.
  struct Request {
    const Batch* batch;
    size_t bytes;
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    Status status;
  };

  void Run();
  // Takes the next group off queue_ into group_. REQUIRES: mu_ held, queue_
  // non-empty.
  void TakeGroupLocked();
  static void Finish(Request* r, const Status& s);

  const WriteGroupFn write_;
  const size_t max_group_bytes_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // signalled on enqueue and on stop
  std::deque<Request*> queue_;       // guarded by mu_
  bool stopping_ = false;            // guarded by mu_

  // Touched only by the committer thread; kept to reuse their capacity.
  std::vector<Request*> group_;
  std::vector<const Batch*> group_batches_;

  std::atomic<uint64_t> commits_{0};
  std::atomic<uint64_t> groups_{0};
  std::atomic<uint64_t> bytes_{0};

  std::thread thread_;  // last: starts after every member above exists
};

}  // namespace shouhu
