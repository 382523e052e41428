// Prometheus text rendering of the request counters and histograms.
#include "api/metrics.h"

#include <sstream>

namespace shouhu::api {

void Metrics::Record(const std::string& route, int status,
                     std::chrono::microseconds latency) {
  double seconds = latency.count() / 1e6;
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{route, status}];
  Histogram& h = latency_[route];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.counts[i];
  }
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::Render(const EngineGauges& g) const {
  std::ostringstream out;
  out << "# HELP shouhu_http_requests_total HTTP requests by route and status code.\n"
         "# TYPE shouhu_http_requests_total counter\n";
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [key, n] : requests_) {
    out << "shouhu_http_requests_total{route=\"" << key.first << "\",code=\""
        << key.second << "\"} " << n << "\n";
  }
  out << "# HELP shouhu_http_request_duration_seconds Time to answer a request.\n"
         "# TYPE shouhu_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      out << "shouhu_http_request_duration_seconds_bucket{route=\"" << route
          << "\",le=\"" << kBuckets[i] << "\"} " << h.counts[i] << "\n";
    }
    out << "shouhu_http_request_duration_seconds_bucket{route=\"" << route
        << "\",le=\"+Inf\"} " << h.count << "\n"
        << "shouhu_http_request_duration_seconds_sum{route=\"" << route << "\"} "
        << h.sum << "\n"
        << "shouhu_http_request_duration_seconds_count{route=\"" << route
        << "\"} " << h.count << "\n";
  }
  auto gauge = [&](const char* name, const char* type, const char* help,
                   uint64_t v) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type
        << "\n" << name << " " << v << "\n";
  };
  gauge("shouhu_store_commits_total", "counter",
        "Store commits acknowledged (synced) since start.", g.commits);
  gauge("shouhu_timers_in_memory", "gauge",
        "Pending timers due within the in-memory window.", g.timers_in_memory);
  gauge("shouhu_timers_fired_total", "counter", "Timers fired since start.",
        g.timers_fired);
  gauge("shouhu_cases_overdue", "gauge",
        "Cases whose current step has escalated (counted up to 10000).",
        g.overdue_cases);
  gauge("shouhu_outbox_depth", "gauge",
        "Notifications waiting in the outbox (counted up to 10000).",
        g.outbox_depth);
  return out.str();
}

}  // namespace shouhu::api
