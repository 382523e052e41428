// Internal to the store area: the sealed store's decorator
// (store/sealed_store.cc), made by the open functions of
// store/sealed_open.cc once the store's marks have passed their checks.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "shouhu/sealed_store.h"
#include "shouhu/store.h"

namespace shouhu {

// `base` with its values sealed under `key`; while `next` is set, a store
// mid-way through an online rotation to `next` (read from `next_file`),
// which new writes are sealed under. REQUIRES: `base`'s marks were checked
// for `key` (sealed_open.cc) and its check value is written.
std::unique_ptr<RotatableStore> NewSealedStore(std::unique_ptr<Store> base, const DataKey& key,
                                               std::optional<DataKey> next, std::string next_file,
                                               SealingLayout layout);

}  // namespace shouhu
