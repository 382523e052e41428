#include <utility>

#include "shouhu/store.h"

namespace shouhu {

FaultInjectingStore::FaultInjectingStore(std::unique_ptr<Store> base)
    : base_(std::move(base)) {}

Status FaultInjectingStore::Commit(std::vector<Mutation> batch) {
  commit_calls_.fetch_add(1);
  // Claim one injected failure, if any are left, without going below zero
  // when several threads race for the last one.
  int left = fail_next_.load();
  while (left > 0 && !fail_next_.compare_exchange_weak(left, left - 1)) {
  }
  if (left > 0) {
    injected_failures_.fetch_add(1);
    return Unavailable("fault injection: commit failed");
  }
  return base_->Commit(std::move(batch));
}

StatusOr<std::string> FaultInjectingStore::Get(std::string_view key) {
  return base_->Get(key);
}

Status FaultInjectingStore::Scan(
    std::string_view prefix, std::string_view start,
    const std::function<bool(std::string_view, std::string_view)>& fn) {
  return base_->Scan(prefix, start, fn);
}

StatusOr<std::string> FaultInjectingStore::LastKeyWithPrefix(
    std::string_view prefix) {
  return base_->LastKeyWithPrefix(prefix);
}

Status FaultInjectingStore::Checkpoint(const std::string& dir) {
  return base_->Checkpoint(dir);
}

}  // namespace shouhu
