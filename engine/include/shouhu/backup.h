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

// Checkpoints `live` into a new folder under options.root named by `now`,
// opens the copy on its own and checks it as it lies on disk: the audit
// chain (kept clear in an encrypted store) verified record by record, and
// the cases counted. No key is needed, so a backup checks the same before,
// during and after an online key rotation; `shouhu restore` opens it with
// the key and checks it all. A copy that does not check is renamed
// "<name>.failed" and kept as evidence; the error says why. Then deletes the
// oldest backups beyond options.keep.
StatusOr<BackupInfo> TakeBackup(Store& live, const BackupOptions& options, Instant now);

// The backups under `root`, oldest first (names only).
std::vector<std::string> ListBackups(const std::string& root);

}  // namespace shouhu
