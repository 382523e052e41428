#include "store/group_committer.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "shouhu/log.h"
#include "shouhu/telemetry.h"

namespace shouhu {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

size_t PayloadBytes(const GroupCommitter::Batch& batch) {
  size_t bytes = 0;
  for (const Mutation& m : batch) bytes += m.key.size() + m.value.size();
  return bytes;
}

}  // namespace

GroupCommitter::GroupCommitter(WriteGroupFn write, size_t max_group_bytes,
                               std::chrono::milliseconds slow_write)
    : write_(std::move(write)),
      max_group_bytes_(max_group_bytes),
      slow_write_(slow_write),
      thread_([this] {
        log::NameThread("shouhu-commit");
        Run();
      }) {}

GroupCommitter::~GroupCommitter() {
  BeginShutdown();
  thread_.join();
}

void GroupCommitter::BeginShutdown() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_one();
}

Status GroupCommitter::Commit(const Batch& batch) {
  // One small allocation (the future's shared state) per commit; nothing
  // compared to a sync, and it is what makes the hand-off lifetime-safe.
  const auto submitted = std::chrono::steady_clock::now();
  std::promise<Status> done;
  std::future<Status> result = done.get_future();
  const size_t bytes = PayloadBytes(batch);
  {
    MutexLock lock(mu_);
    if (stopping_) return Unavailable("store is shutting down");
    Pending& p = queue_.emplace_back();
    p.batch = &batch;
    p.bytes = bytes;
    p.done = std::move(done);
  }
  // Waking an already busy committer is a cheap no-op; it re-checks the queue
  // after every write anyway.
  work_cv_.notify_one();
  Status status = result.get();
  if (status.ok()) telemetry::EngineTelemetry::Get().ObserveCommit(SecondsSince(submitted));
  return status;
}

void GroupCommitter::CommitAsync(Batch batch, Done done) {
  Pending p;
  p.batch = nullptr;
  p.bytes = PayloadBytes(batch);
  p.owned = std::move(batch);
  p.submitted = std::chrono::steady_clock::now();
  p.callback = std::move(done);
  bool queued = false;
  {
    MutexLock lock(mu_);
    if (!stopping_) {
      queue_.push_back(std::move(p));
      queued = true;
    }
  }
  // Refused outside mu_: the callback may commit again (and fail at once).
  if (!queued) return p.callback(Unavailable("store is shutting down"));
  work_cv_.notify_one();
}

StoreStats GroupCommitter::Stats() const {
  return {.commits = commits_.load(std::memory_order_relaxed),
          .groups = groups_.load(std::memory_order_relaxed),
          .bytes = bytes_.load(std::memory_order_relaxed)};
}

size_t GroupCommitter::queued() const {
  MutexLock lock(mu_);
  return queue_.size();
}

void GroupCommitter::TakeGroupLocked() {
  size_t bytes = 0;
  // Always take the first batch, however large, so that no batch starves.
  do {
    Pending& next = queue_.front();
    if (!group_.empty() && bytes + next.bytes > max_group_bytes_) break;
    bytes += next.bytes;
    group_.push_back(std::move(next));
    queue_.pop_front();
  } while (!queue_.empty());
}

void GroupCommitter::ReleaseGroup(const Status& status) {
  // set_value wakes a sleeping caller with one futex call and never touches
  // the caller's stack, unlike a per-caller mutex and condition variable
  // (which costs the committer two wake-ups per caller: one for the
  // condition, one for the mutex the woken caller then blocks on).
  for (size_t i = 0; i < group_.size(); ++i) {
    Pending& p = group_[i];
    const Status& own = status.ok() && i < each_.size() ? each_[i] : status;
    if (!p.callback) {
      p.done.set_value(own);
      continue;
    }
    if (own.ok()) {
      telemetry::EngineTelemetry::Get().ObserveCommit(SecondsSince(p.submitted));
    }
    p.callback(own);
  }
  group_.clear();
  each_.clear();
}

void GroupCommitter::Run() {
  MutexLock lock(mu_);
  for (;;) {
    work_cv_.wait(lock.native(), [&] {
      mu_.AssertHeld();
      return stopping_ || !queue_.empty();
    });
    if (stopping_) break;
    TakeGroupLocked();
    // The write runs without mu_, so callers keep queueing behind it: that
    // queue is the next group.
    lock.Unlock();

    group_batches_.clear();
    size_t bytes = 0;
    for (const Pending& p : group_) {
      group_batches_.push_back(p.Get());
      bytes += p.bytes;
    }
    const auto started = std::chrono::steady_clock::now();
    each_.assign(group_.size(), Status::Ok());
    const Status status = write_(group_batches_, each_);
    const double seconds = SecondsSince(started);
    if (seconds * 1000 >= static_cast<double>(slow_write_.count())) {
      log::Warning("slow commit 写入缓慢",
                   {{"event", "slow_commit"}, {"ms", static_cast<int64_t>(seconds * 1000)},
                    {"commits", group_.size()}, {"bytes", bytes},
                    {"ok", status.ok() ? "true" : "false"}});
    }
    if (status.ok()) {
      telemetry::EngineTelemetry::Get().ObserveGroup(group_.size());
      const size_t refused = std::count_if(each_.begin(), each_.end(),
                                           [](const Status& e) { return !e.ok(); });
      commits_.fetch_add(group_.size() - refused, std::memory_order_relaxed);
      groups_.fetch_add(1, std::memory_order_relaxed);
      bytes_.fetch_add(bytes, std::memory_order_relaxed);
    }
    ReleaseGroup(status);

    lock.Lock();
  }
  // Stopping: whatever is still queued was never written.
  for (Pending& p : queue_) group_.push_back(std::move(p));
  queue_.clear();
  ReleaseGroup(Unavailable("store is shutting down"));
}

}  // namespace shouhu
