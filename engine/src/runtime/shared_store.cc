// What the runtime does when other shouhud nodes share its store
// (RuntimeOptions::leases): id counters read again after a conflict, and
// the outbox's lease fence. The timer shards' fences are in timers.cc.
#include <memory>

#include "runtime/codec.h"
#include "runtime/runtime_impl.h"

namespace shouhu {

void RuntimeImpl::NoteConflict(const Status& s) {
  if (s.code() == StatusCode::kFailedPrecondition) resync_counters_ = true;
}

void RuntimeImpl::MaybeResyncCounters() {
  if (!resync_counters_.exchange(false)) return;
  auto last_case = store_.LastKeyWithPrefix(codec::kCasePrefix);
  if (last_case.ok()) {
    uint64_t n = std::stoull(last_case->substr(codec::kCasePrefix.size() + 1));
    uint64_t have = next_case_.load();
    while (have < n && !next_case_.compare_exchange_weak(have, n)) {
    }
  }
  auto last_outbox = store_.LastKeyWithPrefix(codec::kOutboxPrefix);
  if (last_outbox.ok()) {
    uint64_t n = codec::DecodeBigEndian(last_outbox->substr(codec::kOutboxPrefix.size()));
    uint64_t have = next_outbox_.load();
    while (have < n && !next_outbox_.compare_exchange_weak(have, n)) {
    }
  }
  if (!last_case.ok() || !last_outbox.ok() || !RecoverOutboxHighWater().ok()) {
    resync_counters_ = true;  // try again next time
  }
}

namespace {

// Moves `counter` on to at least `to`.
void RaiseTo(std::atomic<uint64_t>& counter, uint64_t to) {
  uint64_t have = counter.load();
  while (have < to && !counter.compare_exchange_weak(have, to)) {
  }
}

}  // namespace

StatusOr<std::string> RuntimeImpl::NewCaseId() {
  if (!StoreShared()) {
    return FormatCaseId(next_case_.fetch_add(1) + 1);
  }
  auto ids = store_.TakeIds("case", 1, next_case_.load());
  if (!ids.ok()) return ids.status();
  if (ids->empty()) return FormatCaseId(next_case_.fetch_add(1) + 1);  // one writer after all
  RaiseTo(next_case_, ids->back());
  return FormatCaseId(ids->front());
}

StatusOr<std::function<uint64_t()>> RuntimeImpl::OutboxIds(size_t n) {
  std::function<uint64_t()> local = [this] { return next_outbox_.fetch_add(1) + 1; };
  if (n == 0 || !StoreShared()) return local;
  auto ids = store_.TakeIds("outbox", n, next_outbox_.load());
  if (!ids.ok()) return ids.status();
  if (ids->empty()) return local;
  RaiseTo(next_outbox_, ids->back());
  return std::function<uint64_t()>(
      [taken = std::make_shared<std::vector<uint64_t>>(std::move(*ids)), next = size_t(0),
       local]() mutable { return next < taken->size() ? (*taken)[next++] : local(); });
}

void RuntimeImpl::PutsUnlessShared(std::vector<Mutation>& batch) const {
  // A case's history and outbox entries are written create-only so that two
  // nodes changing one case at once cannot overwrite each other. On a store
  // this node alone writes, the case's lock already makes them new, and a
  // create-only write costs the committer thread a read per entry.
  if (StoreShared()) return;
  for (Mutation& m : batch) {
    if (m.kind == Mutation::Kind::kInsert) m.kind = Mutation::Kind::kPut;
  }
}

StatusOr<std::optional<Mutation>> RuntimeImpl::OutboxFence() const {
  if (!StoreShared()) return std::optional<Mutation>();
  std::optional<uint64_t> epoch = options_.leases->Held(kOutboxLease);
  if (!epoch) {
    return FailedPrecondition("this node does not hold the outbox's lease now 本节点未持有发件租约");
  }
  return std::optional<Mutation>(Mutation::Fence(std::string(kOutboxLease), *epoch));
}

}  // namespace shouhu
