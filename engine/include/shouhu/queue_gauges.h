// What is waiting in the store, for /metrics: pending timers, overdue cases,
// the outbox and the delivery queue, dead letters.
//
// Counted from the store's keys at scrape time rather than kept as running
// counters: each figure is then exactly what the store holds (also after a
// restart, a crash, a restore or a redrive from the CLI), with no second
// book to keep in step with every write path. Each count walks one index
// (keys with small values: t/, i/d/, q/) or one small area (o/ is drained
// every dispatcher round; x/ should stay near empty), and stops at `cap`
// entries, so a scrape costs at most about `cap` key reads per figure
// (~10-50 ms at 100 000) however large the store grows; a count that reached
// the cap is reported as the cap and `capped` says so.
#pragma once

#include <cstddef>
#include <cstdint>

#include "shouhu/clock.h"
#include "shouhu/status.h"
#include "shouhu/store.h"

namespace shouhu {

struct QueueGauges {
  uint64_t timers_pending = 0;      // armed timers in the due-time index (all, not only in memory)
  uint64_t overdue_cases = 0;       // cases in the overdue index
  uint64_t outbox_depth = 0;        // notifications not yet expanded into deliveries
  uint64_t deliveries_due = 0;      // pending deliveries due now (being sent)
  uint64_t deliveries_waiting = 0;  // pending, due later: waiting to retry or for quiet hours' end
  uint64_t dead_letters = 0;        // deliveries given up on, until redriven
  bool capped = false;              // some count stopped at the cap
};

StatusOr<QueueGauges> CountQueues(Store& store, Instant now, size_t cap = 100'000);

}  // namespace shouhu
