#include "shouhu/data_store.h"

#include "runtime/codec.h"

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

StatusOr<RotationReport> RotateDataKey(const std::string& dir,
                                       const DataKey* old_key,
                                       const DataKey& new_key) {
  return RotateSealedStore(dir, old_key, new_key, codec::StoreSealing());
}

}  // namespace shouhu
