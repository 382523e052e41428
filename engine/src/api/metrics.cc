// Prometheus text rendering of /metrics (api/metrics.h).
#include "api/metrics.h"

namespace shouhu::api {

using telemetry::RenderHeader;
using telemetry::RenderSample;

void Metrics::Record(const std::string& route, int status,
                     std::chrono::microseconds latency) {
  telemetry::Histogram* h;
  {
    MutexLock lock(mu_);
    ++requests_[{route, status}];
    auto& slot = latency_[route];
    if (!slot) slot = std::make_unique<telemetry::Histogram>(telemetry::LatencyBuckets());
    h = slot.get();  // never removed
  }
  h->Observe(latency.count() / 1e6);
}

std::string Metrics::Render(const EngineGauges& g) const {
  std::string out;
  RenderHeader(out, "shouhu_http_requests_total", "counter",
               "HTTP requests by route (its name, not the path) and status code.");
  {
    MutexLock lock(mu_);
    for (const auto& [key, n] : requests_) {
      RenderSample(out, "shouhu_http_requests_total",
                   "route=\"" + key.first + "\",code=\"" + std::to_string(key.second) + "\"",
                   static_cast<double>(n));
    }
    RenderHeader(out, "shouhu_http_request_duration_seconds", "histogram",
                 "Time to answer a request, by route.");
    for (const auto& [route, h] : latency_) {
      h->Render(out, "shouhu_http_request_duration_seconds", "route=\"" + route + "\"");
    }
  }
  auto one = [&](const char* name, const char* type, const char* help, uint64_t v) {
    RenderHeader(out, name, type, help);
    RenderSample(out, name, "", static_cast<double>(v));
  };
  one("shouhu_store_commits_total", "counter",
      "Store commits acknowledged (synced) since start.", g.commits);
  one("shouhu_timers_in_memory", "gauge",
      "Pending timers due within the in-memory window.", g.timers_in_memory);
  one("shouhu_timers_fired_total", "counter", "Timers fired since start.", g.timers_fired);
  out += telemetry::EngineTelemetry::Get().Render();
  // What waits in the store; left out when the store cannot be read (the
  // scrape then shows shouhu_store_readable 0 instead of false zeros).
  one("shouhu_store_readable", "gauge",
      "1 when the store's queues could be counted for this scrape, else 0.",
      g.queues ? 1 : 0);
  if (!g.queues) return out;
  const QueueGauges& q = *g.queues;
  one("shouhu_timers_pending", "gauge",
      "Armed timers in the store's due-time index (all of them, not only those in memory).",
      q.timers_pending);
  one("shouhu_cases_overdue", "gauge", "Cases whose current step has escalated.",
      q.overdue_cases);
  one("shouhu_outbox_depth", "gauge",
      "Notifications in the outbox, not yet expanded into deliveries.", q.outbox_depth);
  RenderHeader(out, "shouhu_delivery_queue_depth", "gauge",
               "Pending deliveries: due now (being sent), or waiting (to retry after a "
               "failure, or for quiet hours to end).");
  RenderSample(out, "shouhu_delivery_queue_depth", "state=\"due\"",
               static_cast<double>(q.deliveries_due));
  RenderSample(out, "shouhu_delivery_queue_depth", "state=\"waiting\"",
               static_cast<double>(q.deliveries_waiting));
  one("shouhu_dead_letters", "gauge",
      "Dead letters in the store (deliveries given up on), until redriven.", q.dead_letters);
  one("shouhu_queue_counts_capped", "gauge",
      "1 when some count above stopped at its cap (100000 entries) and is a lower bound.",
      q.capped ? 1 : 0);
  return out;
}

}  // namespace shouhu::api
