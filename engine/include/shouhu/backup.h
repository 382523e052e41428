// Online backup (在线备份): while shouhud serves, a RocksDB checkpoint of the
// running store into a new folder, which counts as a backup only once it has
// been opened on its own and its audit chain verified. The oldest backups
// beyond the number to keep are deleted. `shouhu backup --online` asks the
// daemon for one (POST /api/v1/backups); `shouhu restore` puts one back.
//
// Thread safety: TakeBackup calls are serialised inside; the store keeps
// serving writes while a checkpoint is taken.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "shouhu/clock.h"
#include "shouhu/sealed_store.h"
#include "shouhu/status.h"
#include "shouhu/store.h"

namespace shouhu {

struct BackupOptions {
  std::string root;  // the folder that holds the backups, one folder each
  int keep = 7;      // the newest this many are kept
};

// What a check of a store found.
struct StoreCheck {
  uint64_t cases = 0;
  uint64_t audit_records = 0;
  uint64_t head_seq = 0;
  std::string head_hash;
};

struct BackupInfo {
  std::string name;  // "shouhu-20261205T080400.123Z"
  std::string path;
  StoreCheck check;
  std::vector<std::string> removed;  // older backups deleted to keep `keep`
};

// The number of cases in `store`.
StatusOr<uint64_t> CountCases(Store& store);

// Verifies the audit chain of `store` and counts its cases. kDataLoss when
// the chain is broken or a case's newest change has no audit record.
StatusOr<StoreCheck> CheckStore(Store& store);

// Checkpoints `live` into a new folder under options.root named by `now`,
// opens the copy under `key` (null: unencrypted) and checks it. A copy that
// does not check is renamed "<name>.failed" and kept as evidence; the
// error says why. Then deletes the oldest backups beyond options.keep.
StatusOr<BackupInfo> TakeBackup(Store& live, const BackupOptions& options,
                                const DataKey* key, Instant now);

// The backups under `root`, oldest first (names only).
std::vector<std::string> ListBackups(const std::string& root);

}  // namespace shouhu
