// What the offline admin commands share: opening a data directory that must
// already exist and must not be in use.
#pragma once

#include <memory>
#include <string>

#include "shouhu/backup.h"  // CountCases
#include "shouhu/status.h"
#include "shouhu/store.h"

namespace shouhu::cli {

// Opens an existing data directory, sealed under the key in `key_file` (""
// = a store without encryption). kNotFound when `dir` holds no store;
// kUnavailable, with a hint, when shouhud (or anyone) holds its lock;
// kPermissionDenied when the key does not fit (shouhu/sealed_store.h).
StatusOr<std::unique_ptr<Store>> OpenDataDir(const std::string& dir,
                                             const std::string& key_file);

// Whether `dir` holds a store (RocksDB's CURRENT file).
bool IsDataDir(const std::string& dir);

}  // namespace shouhu::cli
