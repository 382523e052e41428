#include <utility>

#include "shouhu/store.h"

namespace shouhu {

FaultInjectingStore::FaultInjectingStore(std::unique_ptr<Store> base)
    : base_(std::move(base)) {}

namespace {

// Claims one injected failure of `fail_next`, if any are left, without going
// below zero when several threads race for the last one.
bool ClaimFailure(std::atomic<int>& fail_next) {
  int left = fail_next.load();
  while (left > 0 && !fail_next.compare_exchange_weak(left, left - 1)) {
  }
  return left > 0;
}

}  // namespace

void FaultInjectingStore::CommitAsync(std::vector<Mutation> batch,
                                      std::function<void(const Status&)> done) {
  commit_calls_.fetch_add(1);
  if (ClaimFailure(fail_next_)) {
    injected_failures_.fetch_add(1);
    return done(Unavailable("fault injection: commit failed"));
  }
  base_->CommitAsync(std::move(batch), std::move(done));
}

Status FaultInjectingStore::Commit(std::vector<Mutation> batch) {
  commit_calls_.fetch_add(1);
  if (ClaimFailure(fail_next_)) {
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
