// The online key rotation's thread and its audit records
// (shouhu/key_rotation.h).
#include "shouhu/key_rotation.h"

#include <condition_variable>
#include <thread>

#include "shouhu/log.h"
#include "shouhu/mutex.h"

namespace shouhu {
namespace {

// How long the thread waits after a failed batch before trying again (the
// store may be full or closing); a begun rotation wakes it at once.
constexpr auto kRetryAfter = std::chrono::seconds(5);

class KeyRotation final : public KeyRotationService {
 public:
  KeyRotation(RotatableStore& store, AuditTrail& audit, KeyRotationOptions options)
      : store_(store), audit_(audit), options_(std::move(options)) {
    if (options_.batch == 0) options_.batch = 1;
    thread_ = std::thread([this] {
      log::NameThread("shouhu-rekey");
      Run();
    });
  }
  ~KeyRotation() override {
    {
      MutexLock lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    progress_cv_.notify_all();
    thread_.join();
  }

  StatusOr<RotationProgress> Begin(const std::string& new_key_file, const Actor& by) override {
    auto key = ReadDataKeyFile(new_key_file);
    if (!key.ok()) return key.status();
    SHOUHU_RETURN_IF_ERROR(store_.BeginRotation(*key, new_key_file));
    const std::string id = DataKeyIdText(key->id);
    Log("key rotation to key " + id + " begun; re-encrypting in the background");
    Status audited = audit_.RecordAccess({by, "key.rotate.begin:" + id, "", ""});
    if (!audited.ok()) Log("key rotation: cannot audit its start: " + audited.ToString());
    { MutexLock lock(mu_); }  // the thread waits or sees it
    cv_.notify_all();
    return store_.Progress();
  }

  RotationProgress Progress() const override { return store_.Progress(); }

  RotationProgress AwaitProgress(uint64_t resealed_seen,
                                 std::chrono::milliseconds limit) override {
    MutexLock lock(mu_);
    progress_cv_.wait_for(lock.native(), limit, [&] {
      mu_.AssertHeld();
      RotationProgress p = store_.Progress();
      return stopping_ || !p.rotating || p.resealed != resealed_seen;
    });
    return store_.Progress();
  }

 private:
  void Log(const std::string& line) {
    if (options_.log) options_.log(line);
  }

  void Run() {
    MutexLock lock(mu_);
    while (!stopping_) {
      if (!store_.Progress().rotating) {
        cv_.wait(lock.native(), [this] {
          mu_.AssertHeld();
          return stopping_ || store_.Progress().rotating;
        });
        continue;
      }
      lock.Unlock();
      bool failed = !Step();
      lock.Lock();
      progress_cv_.notify_all();
      if (failed) {
        cv_.wait_for(lock.native(), kRetryAfter, [this] {
          mu_.AssertHeld();
          return stopping_;
        });
      }
    }
  }

  // One batch; false when it failed.
  bool Step() {
    const RotationProgress before = store_.Progress();
    auto p = store_.ContinueRotation(options_.batch);
    if (!p.ok()) {
      Log("key rotation: " + p.status().ToString() + "; trying again");
      return false;
    }
    if (p->resealed != before.resealed) {
      Log("key rotation: " + std::to_string(p->resealed) + " record(s) re-encrypted under key " +
          DataKeyIdText(p->key_id));
    }
    if (!p->rotating) {
      const std::string id = DataKeyIdText(p->key_id);
      Status audited = audit_.RecordAccess(
          {Actor{"system", "", {}, "key-rotation"}, "key.rotate.done:" + id, "", ""});
      if (!audited.ok()) Log("key rotation: cannot audit its end: " + audited.ToString());
      Log("key rotation finished: every record is under key " + id + " (" + before.key_file +
          "); point \"encryption\" at it, the old key is no longer needed");
    }
    return true;
  }

  RotatableStore& store_;
  AuditTrail& audit_;
  KeyRotationOptions options_;
  Mutex mu_;
  std::condition_variable cv_;
  std::condition_variable progress_cv_;  // a batch done: AwaitProgress
  bool stopping_ SHOUHU_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<KeyRotationService> StartKeyRotation(RotatableStore& store, AuditTrail& audit,
                                                     KeyRotationOptions options) {
  return std::make_unique<KeyRotation>(store, audit, std::move(options));
}

}  // namespace shouhu
