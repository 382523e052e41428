// Mutex and MutexLock: std::mutex and its scoped lock, annotated for clang's
// -Wthread-safety, so that the build checks what each mutex guards.
//
// A member written `int count_ SHOUHU_GUARDED_BY(mu_);` may be read or
// written only with mu_ held; a function declared SHOUHU_REQUIRES(mu_) may
// be called only with it held, one declared SHOUHU_EXCLUDES(mu_) only
// without. Clang builds (the fuzz preset) compile with -Wthread-safety and
// make its findings errors; gcc ignores the attributes.
//
// Waiting on a condition: std::condition_variable takes the lock's
// unique_lock (`cv_.wait(lock.native(), ...)`). The analysis does not see
// into the predicate lambda, so a predicate reading guarded members starts
// with `mu_.AssertHeld();` (it runs with the mutex held).
#pragma once

#include <mutex>

#if defined(__clang__)
#define SHOUHU_THREAD_ATTRIBUTE(x) __attribute__((x))
#else
#define SHOUHU_THREAD_ATTRIBUTE(x)
#endif

#define SHOUHU_CAPABILITY(x) SHOUHU_THREAD_ATTRIBUTE(capability(x))
#define SHOUHU_SCOPED_CAPABILITY SHOUHU_THREAD_ATTRIBUTE(scoped_lockable)
#define SHOUHU_GUARDED_BY(x) SHOUHU_THREAD_ATTRIBUTE(guarded_by(x))
#define SHOUHU_PT_GUARDED_BY(x) SHOUHU_THREAD_ATTRIBUTE(pt_guarded_by(x))
#define SHOUHU_ACQUIRED_BEFORE(...) SHOUHU_THREAD_ATTRIBUTE(acquired_before(__VA_ARGS__))
#define SHOUHU_REQUIRES(...) SHOUHU_THREAD_ATTRIBUTE(requires_capability(__VA_ARGS__))
#define SHOUHU_EXCLUDES(...) SHOUHU_THREAD_ATTRIBUTE(locks_excluded(__VA_ARGS__))
#define SHOUHU_ACQUIRE(...) SHOUHU_THREAD_ATTRIBUTE(acquire_capability(__VA_ARGS__))
#define SHOUHU_RELEASE(...) SHOUHU_THREAD_ATTRIBUTE(release_capability(__VA_ARGS__))
#define SHOUHU_TRY_ACQUIRE(...) SHOUHU_THREAD_ATTRIBUTE(try_acquire_capability(__VA_ARGS__))
#define SHOUHU_ASSERT_HELD(x) SHOUHU_THREAD_ATTRIBUTE(assert_capability(x))
#define SHOUHU_NO_THREAD_SAFETY_ANALYSIS SHOUHU_THREAD_ATTRIBUTE(no_thread_safety_analysis)

namespace shouhu {

class SHOUHU_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() SHOUHU_ACQUIRE() { mu_.lock(); }
  void Unlock() SHOUHU_RELEASE() { mu_.unlock(); }
  // Tells the analysis the mutex is held where it cannot see so (a
  // condition variable's predicate). Checks nothing at run time.
  void AssertHeld() const SHOUHU_ASSERT_HELD(this) {}

 private:
  friend class MutexLock;
  std::mutex mu_;
};

// Holds a Mutex for its scope.
class SHOUHU_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) SHOUHU_ACQUIRE(mu) : lock_(mu.mu_) {}
  ~MutexLock() SHOUHU_RELEASE() = default;
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  // Lets go of the mutex for a while within the scope, and takes it again.
  void Unlock() SHOUHU_RELEASE() { lock_.unlock(); }
  void Lock() SHOUHU_ACQUIRE() { lock_.lock(); }

  // For std::condition_variable::wait; the mutex is held again when a
  // wait returns, so the scope's guarantee stands.
  std::unique_lock<std::mutex>& native() { return lock_; }

 private:
  std::unique_lock<std::mutex> lock_;
};

}  // namespace shouhu
