// Internal to the sealed store (store/sealed_store.cc): its commit lock, a
// shared/exclusive lock that favours the exclusive side and whose shared
// holds may be released on another thread. Annotated for clang's
// -Wthread-safety; the sealed store takes it below its rotation lock.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>

#include "shouhu/mutex.h"

namespace shouhu {

// Commits share the store; a re-seal batch (and a rotation's start and end)
// has it alone. A caller waiting to have it alone holds new commits back at
// the gate, so a steady stream of commits cannot starve it (glibc's
// read-write lock would let them). A shared hold is a count, not a thread's
// lock, so an asynchronous commit's callback releases it on the committer
// thread.
class CommitLock {
 public:
  // Released by ReleaseShared, from any thread.
  void AcquireShared() SHOUHU_EXCLUDES(gate_, mu_) {
    MutexLock gate(gate_);
    MutexLock lock(mu_);
    idle_.wait(lock.native(), [&] {
      mu_.AssertHeld();
      return !alone_;
    });
    ++shared_;
  }
  void ReleaseShared() SHOUHU_EXCLUDES(mu_) {
    MutexLock lock(mu_);
    if (--shared_ == 0) idle_.notify_all();
  }
  // Holds the gate from construction to destruction: new commits wait.
  class SHOUHU_SCOPED_CAPABILITY Exclusive {
   public:
    explicit Exclusive(CommitLock& l) SHOUHU_ACQUIRE(l.gate_) : l_(l) {
      l_.gate_.Lock();
      MutexLock lock(l_.mu_);
      l_.idle_.wait(lock.native(), [&] {
        l_.mu_.AssertHeld();
        return l_.shared_ == 0;
      });
      l_.alone_ = true;
    }
    ~Exclusive() SHOUHU_RELEASE() {
      {
        MutexLock lock(l_.mu_);
        l_.alone_ = false;
        l_.idle_.notify_all();
      }
      l_.gate_.Unlock();
    }

   private:
    CommitLock& l_;
  };
  // Released when the result is destroyed, on this thread.
  [[nodiscard]] std::unique_ptr<Exclusive> Alone() { return std::make_unique<Exclusive>(*this); }

 private:
  // Lock order: gate_, then mu_.
  Mutex gate_ SHOUHU_ACQUIRED_BEFORE(mu_);
  Mutex mu_;
  std::condition_variable idle_;  // shared_ reached 0, or alone_ ended
  size_t shared_ SHOUHU_GUARDED_BY(mu_) = 0;
  bool alone_ SHOUHU_GUARDED_BY(mu_) = false;
};

}  // namespace shouhu
