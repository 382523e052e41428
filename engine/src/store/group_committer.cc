#include "store/group_committer.h"

#include <utility>

namespace shouhu {
namespace {

size_t PayloadBytes(const GroupCommitter::Batch& batch) {
  size_t bytes = 0;
  for (const Mutation& m : batch) bytes += m.key.size() + m.value.size();
  return bytes;
}

}  // namespace

GroupCommitter::GroupCommitter(WriteGroupFn write, size_t max_group_bytes)
    : write_(std::move(write)),
      max_group_bytes_(max_group_bytes),
      thread_([this] { Run(); }) {}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_one();
  thread_.join();
}

Status GroupCommitter::Commit(const Batch& batch) {
  Request request{.batch = &batch, .bytes = PayloadBytes(batch)};
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return Unavailable("store is shutting down");
    queue_.push_back(&request);
  }
  // Waking an already busy committer is a cheap no-op; it re-checks the queue
  // after every write anyway.
  work_cv_.notify_one();

  std::unique_lock<std::mutex> lock(request.mu);
  request.cv.wait(lock, [&] { return request.done; });
  return std::move(request.status);
}

StoreStats GroupCommitter::Stats() const {
  return {.commits = commits_.load(std::memory_order_relaxed),
          .groups = groups_.load(std::memory_order_relaxed),
          .bytes = bytes_.load(std::memory_order_relaxed)};
}

size_t GroupCommitter::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

void GroupCommitter::TakeGroupLocked() {
  group_.clear();
  size_t bytes = 0;
  // Always take the first batch, however large, so that no batch starves.
  do {
    Request* next = queue_.front();
    if (!group_.empty() && bytes + next->bytes > max_group_bytes_) break;
    bytes += next->bytes;
    group_.push_back(next);
    queue_.pop_front();
  } while (!queue_.empty());
}

void GroupCommitter::Finish(Request* r, const Status& s) {
  // Notify while holding r->mu: once the caller sees done it returns and its
  // Request (on its stack) is gone, so we must not touch it after unlocking.
  std::lock_guard<std::mutex> lock(r->mu);
  r->status = s;
  r->done = true;
  r->cv.notify_one();
}

void GroupCommitter::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) break;
    TakeGroupLocked();
    // The write runs without mu_, so callers keep queueing behind it: that
    // queue is the next group.
    lock.unlock();

    group_batches_.clear();
    size_t bytes = 0;
    for (const Request* r : group_) {
      group_batches_.push_back(r->batch);
      bytes += r->bytes;
    }
    const Status status = write_(group_batches_);
    if (status.ok()) {
      commits_.fetch_add(group_.size(), std::memory_order_relaxed);
      groups_.fetch_add(1, std::memory_order_relaxed);
      bytes_.fetch_add(bytes, std::memory_order_relaxed);
    }
    for (Request* r : group_) Finish(r, status);
    group_.clear();

    lock.lock();
  }
  // Stopping: whatever is still queued was never written.
  for (Request* r : queue_) {
    Finish(r, Unavailable("store is shutting down"));
  }
  queue_.clear();
}

}  // namespace shouhu
