// The server's hand-off between its I/O threads and its workers (server.cc):
// a bounded queue of jobs, and the count of requests handed on and not yet
// answered. No Beast here.
//
// Thread safety: both are thread-safe; each holds one leaf lock (a job runs
// outside it).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>

#include "shouhu/mutex.h"

namespace shouhu::api {

// Jobs for the workers; TryPush refuses when `capacity` jobs are waiting, so
// overload is answered at once instead of piling up.
class WorkQueue {
 public:
  explicit WorkQueue(size_t capacity) : capacity_(capacity) {}
  bool TryPush(std::function<void()> job) SHOUHU_EXCLUDES(mu_) {
    MutexLock lock(mu_);
    if (stopping_ || jobs_.size() >= capacity_) return false;
    jobs_.push_back(std::move(job));
    cv_.notify_one();
    return true;
  }
  // Blocks for the next job; false once stopping and drained.
  bool Pop(std::function<void()>* job) SHOUHU_EXCLUDES(mu_) {
    MutexLock lock(mu_);
    while (!stopping_ && jobs_.empty()) cv_.wait(lock.native());
    if (jobs_.empty()) return false;
    *job = std::move(jobs_.front());
    jobs_.pop_front();
    return true;
  }
  void Stop() SHOUHU_EXCLUDES(mu_) {
    MutexLock lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }

 private:
  const size_t capacity_;
  Mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_ SHOUHU_GUARDED_BY(mu_);
  bool stopping_ SHOUHU_GUARDED_BY(mu_) = false;
};

// Requests handed to the service's asynchronous handler and not answered
// yet: the server's Stop waits for them, since their answers post to the
// connections' executors.
class InFlight {
 public:
  void Begin() SHOUHU_EXCLUDES(mu_) {
    MutexLock lock(mu_);
    ++n_;
  }
  void End() SHOUHU_EXCLUDES(mu_) {
    MutexLock lock(mu_);
    if (--n_ == 0) cv_.notify_all();
  }
  void WaitForNone() SHOUHU_EXCLUDES(mu_) {
    MutexLock lock(mu_);
    while (n_ != 0) cv_.wait(lock.native());
  }

 private:
  Mutex mu_;
  std::condition_variable cv_;
  size_t n_ SHOUHU_GUARDED_BY(mu_) = 0;
};

}  // namespace shouhu::api
