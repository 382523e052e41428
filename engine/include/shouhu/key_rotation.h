// Online key rotation as shouhud runs it (`shouhu key rotate --online`, the
// admin API): the store's re-sealing (RotatableStore) driven in batches on a
// thread of its own while the daemon serves, its start and end audited.
//
// Thread safety: Begin and Progress from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "shouhu/audit_trail.h"
#include "shouhu/sealed_store.h"
#include "shouhu/status.h"

namespace shouhu {

class KeyRotationService {
 public:
  virtual ~KeyRotationService() = default;
  // Reads the new key file (refused as shouhud refuses its own key file:
  // kNotFound, kPermissionDenied for a file its group or others may read,
  // kInvalidArgument), begins rotating to it, audits "key.rotate.begin:<id>"
  // by `by`, and wakes the re-sealing. kFailedPrecondition while a rotation
  // is under way, kInvalidArgument for the key in use.
  virtual StatusOr<RotationProgress> Begin(const std::string& new_key_file,
                                           const Actor& by) = 0;
  virtual RotationProgress Progress() const = 0;
  // Waits until `resealed_seen` records are no longer the count re-sealed
  // (a batch went by), the rotation is over, or `limit` passed; then the
  // progress. For a client that follows the rotation (a long poll).
  virtual RotationProgress AwaitProgress(uint64_t resealed_seen,
                                         std::chrono::milliseconds limit) = 0;
};

struct KeyRotationOptions {
  size_t batch = 256;  // records re-sealed per atomic batch
  std::function<void(const std::string&)> log;  // one line each, no newline
};

// Starts the re-sealing thread over `store`; a rotation the store was left
// in (a restart mid-way) goes on at once. When one finishes, it is audited
// ("key.rotate.done:<id>", by "system") and logged. Stops when destroyed.
// REQUIRES: store and audit outlive the service.
std::unique_ptr<KeyRotationService> StartKeyRotation(RotatableStore& store, AuditTrail& audit,
                                                     KeyRotationOptions options);

}  // namespace shouhu
