// /metrics in the Prometheus text format: HTTP requests by route (the
// route's name, e.g. "cases.fire", never the raw path with its ids) and
// status code with a latency histogram per route; the engine's counters
// (shouhu/telemetry.h); and what waits in the store, counted at scrape time
// (shouhu/queue_gauges.h). deploy/grafana and deploy/prometheus use these
// names; tests/integration/dispatch/observability_test.cc checks that they
// use no other.
//
// Thread safety: Record and Render are safe from many threads.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "shouhu/mutex.h"
#include "shouhu/queue_gauges.h"
#include "shouhu/telemetry.h"

namespace shouhu::api {

// Engine figures sampled at scrape time.
struct EngineGauges {
  uint64_t commits = 0;            // store commits acknowledged since start
  uint64_t timers_in_memory = 0;   // armed timers in the near-term window
  uint64_t timers_fired = 0;       // timers fired since start
  std::optional<QueueGauges> queues;  // none when the store could not be read
};

class Metrics {
 public:
  void Record(const std::string& route, int status,
              std::chrono::microseconds latency);
  std::string Render(const EngineGauges& gauges) const;

 private:
  mutable Mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_ SHOUHU_GUARDED_BY(mu_);
  std::map<std::string, std::unique_ptr<telemetry::Histogram>> latency_ SHOUHU_GUARDED_BY(mu_);
};

}  // namespace shouhu::api
