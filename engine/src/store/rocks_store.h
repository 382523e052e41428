// Internal to the store area (rocks_store.cc, raw_bench.cc and store tests):
// the RocksDB tuning and an open function with an injectable Env.
#pragma once

#include <memory>
#include <string>

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

}  // namespace shouhu
