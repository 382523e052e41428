// Internal to the store area (store/rocks_*.cc, raw_bench.cc and store tests):
// the RocksDB tuning and an open function with an injectable Env.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shouhu/status.h"
#include "shouhu/store.h"

namespace rocksdb {
class Env;
struct Options;
}  // namespace rocksdb

namespace shouhu {

// The RocksDB options every shouhu store uses (also used by the raw-RocksDB
// benchmark, so that it compares like with like).
rocksdb::Options MakeRocksOptions();

// Like OpenRocksStore, with `env` for all file I/O (tests inject faults this
// way). REQUIRES: env outlives the store; nullptr means the default Env.
StatusOr<std::unique_ptr<Store>> OpenRocksStoreWithEnv(
    const std::string& dir, const StoreOptions& options, rocksdb::Env* env);

// Opens the existing store in `dir` read-only (RocksDB writes nothing, not
// even a new log; it takes no lock either) and reads `keys`: values[i] is
// unset when keys[i] is absent. *empty: whether the store holds no key at all.
Status PeekRocksStore(const std::string& dir, const std::vector<std::string>& keys,
                      std::vector<std::optional<std::string>>* values, bool* empty);

// Flushes the store in `dir` and compacts all of it to the last level, so
// that overwritten and deleted values leave its files (after a key rotation:
// the values sealed under the old key, or written in clear). Offline.
Status CompactRocksStore(const std::string& dir);

}  // namespace shouhu
