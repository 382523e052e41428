#include "shouhu/data_store.h"

#include "runtime/codec.h"
#include "store/pg_store.h"

namespace shouhu {

StatusOr<std::unique_ptr<Store>> OpenDataStore(const std::string& dir,
                                               const StoreOptions& options,
                                               const DataKey* key) {
  return OpenSealedStore(dir, options, key, codec::StoreSealing());
}

StatusOr<std::unique_ptr<RotatableStore>> OpenRotatableDataStore(const std::string& dir,
                                                                 const StoreOptions& options,
                                                                 const DataKey& key) {
  return OpenRotatableStore(dir, options, key, codec::StoreSealing());
}

namespace {
// How messages name a PostgreSQL store: never by its DSN, which may hold a
// password.
constexpr const char* kPostgresName = "the PostgreSQL store 数据库";
}  // namespace

StatusOr<std::unique_ptr<Store>> OpenPostgresDataStore(const std::string& dsn,
                                                       const StoreOptions& options,
                                                       const DataKey* key) {
  auto base = OpenPostgresStore(dsn, options);
  if (!base.ok()) return base.status();
  return SealOpenStore(std::move(*base), kPostgresName, key, codec::StoreSealing());
}

StatusOr<std::unique_ptr<RotatableStore>> OpenRotatablePostgresDataStore(
    const std::string& dsn, const StoreOptions& options, const DataKey& key) {
  auto base = OpenPostgresStore(dsn, options);
  if (!base.ok()) return base.status();
  return SealOpenStoreRotatable(std::move(*base), kPostgresName, key, codec::StoreSealing());
}

StatusOr<RotationReport> RotateDataKey(const std::string& dir,
                                       const DataKey* old_key,
                                       const DataKey& new_key) {
  return RotateSealedStore(dir, old_key, new_key, codec::StoreSealing());
}

}  // namespace shouhu
