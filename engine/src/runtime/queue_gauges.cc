// Counting the store's queues for /metrics (shouhu/queue_gauges.h).
#include "shouhu/queue_gauges.h"

#include "runtime/codec.h"

namespace shouhu {
namespace {

// Keys under `prefix`, up to `cap`; `each` sees every key counted.
template <class F>
StatusOr<uint64_t> CountKeys(Store& store, std::string_view prefix, size_t cap, bool* capped,
                             F each) {
  uint64_t n = 0;
  SHOUHU_RETURN_IF_ERROR(store.Scan(prefix, "", [&](std::string_view key, std::string_view) {
    each(key);
    if (++n < cap) return true;
    *capped = true;
    return false;
  }));
  return n;
}

StatusOr<uint64_t> CountKeys(Store& store, std::string_view prefix, size_t cap, bool* capped) {
  return CountKeys(store, prefix, cap, capped, [](std::string_view) {});
}

}  // namespace

StatusOr<QueueGauges> CountQueues(Store& store, Instant now, size_t cap) {
  QueueGauges g;
  auto count = [&](std::string_view prefix, uint64_t* out) -> Status {
    auto n = CountKeys(store, prefix, cap, &g.capped);
    if (!n.ok()) return n.status();
    *out = *n;
    return Status::Ok();
  };
  SHOUHU_RETURN_IF_ERROR(count(codec::kTimerPrefix, &g.timers_pending));
  SHOUHU_RETURN_IF_ERROR(count(codec::kOverduePrefix, &g.overdue_cases));
  SHOUHU_RETURN_IF_ERROR(count(codec::kOutboxPrefix, &g.outbox_depth));
  SHOUHU_RETURN_IF_ERROR(count(codec::kDeadLetterPrefix, &g.dead_letters));
  // The due-time index of pending deliveries, earliest first: those due by
  // now are being sent; the rest wait (a retry's backoff, quiet hours).
  auto pending = CountKeys(store, codec::kDeliveryDuePrefix, cap, &g.capped,
                           [&](std::string_view key) {
                             if (codec::DeliveryDueKeyDue(key) <= now) ++g.deliveries_due;
                           });
  if (!pending.ok()) return pending.status();
  g.deliveries_waiting = *pending - g.deliveries_due;
  return g;
}

}  // namespace shouhu
