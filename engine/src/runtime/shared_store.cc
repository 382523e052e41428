// What the runtime does when other shouhud nodes share its store
// (RuntimeOptions::leases): id counters read again after a conflict, and
// the outbox's lease fence. The timer shards' fences are in timers.cc.
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

void RuntimeImpl::SyncCaseCounterIfShared() {
  if (options_.leases && options_.leases->shared()) resync_counters_ = true;
  MaybeResyncCounters();
}

void RuntimeImpl::PutsUnlessShared(std::vector<Mutation>& batch) const {
  // A case's history and outbox entries are written create-only so that two
  // nodes changing one case at once cannot overwrite each other. On a store
  // this node alone writes, the case's lock already makes them new, and a
  // create-only write costs the committer thread a read per entry.
  if (options_.leases && options_.leases->shared()) return;
  for (Mutation& m : batch) {
    if (m.kind == Mutation::Kind::kInsert) m.kind = Mutation::Kind::kPut;
  }
}

StatusOr<std::optional<Mutation>> RuntimeImpl::OutboxFence() const {
  if (!options_.leases || !options_.leases->shared()) return std::optional<Mutation>();
  std::optional<uint64_t> epoch = options_.leases->Held(kOutboxLease);
  if (!epoch) {
    return FailedPrecondition("this node does not hold the outbox's lease now 本节点未持有发件租约");
  }
  return std::optional<Mutation>(Mutation::Fence(std::string(kOutboxLease), *epoch));
}

}  // namespace shouhu
