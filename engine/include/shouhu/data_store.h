// The case store as shouhud and the offline commands open it: a sealed store
// (shouhu/sealed_store.h) with the key layout's choice of what is sealed,
// what stays clear and what is looked up by keyed hash (runtime/codec.h).
#pragma once

#include <memory>
#include <string>

#include "shouhu/sealed_store.h"
#include "shouhu/status.h"
#include "shouhu/store.h"

namespace shouhu {

// `key` == nullptr: no encryption (tests, development set-ups); a store
// sealed under a key is then refused. See OpenSealedStore.
StatusOr<std::unique_ptr<Store>> OpenDataStore(const std::string& dir,
                                               const StoreOptions& options,
                                               const DataKey* key);

// OpenRotatableStore with the key layout: shouhud's store when encrypted.
StatusOr<std::unique_ptr<RotatableStore>> OpenRotatableDataStore(const std::string& dir,
                                                                 const StoreOptions& options,
                                                                 const DataKey& key);

// The same on the PostgreSQL store at `dsn` (store/pg_store.h), opened and
// migrated first.
StatusOr<std::unique_ptr<Store>> OpenPostgresDataStore(const std::string& dsn,
                                                       const StoreOptions& options,
                                                       const DataKey* key);
StatusOr<std::unique_ptr<RotatableStore>> OpenRotatablePostgresDataStore(
    const std::string& dsn, const StoreOptions& options, const DataKey& key);

// See RotateSealedStore.
StatusOr<RotationReport> RotateDataKey(const std::string& dir,
                                       const DataKey* old_key,
                                       const DataKey& new_key);

}  // namespace shouhu
