// Request metrics for /metrics, in the Prometheus text format: requests by
// route and status code, and a latency histogram per route.
//
// Thread safety: Record and Render are safe from many threads.
#pragma once

#include <array>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace shouhu::api {

// Engine figures sampled at scrape time.
struct EngineGauges {
  uint64_t commits = 0;            // store commits acknowledged since start
  uint64_t timers_in_memory = 0;   // armed timers in the near-term window
  uint64_t timers_fired = 0;       // timers fired since start
  uint64_t overdue_cases = 0;      // cases with a fired escalation (capped)
  uint64_t outbox_depth = 0;       // notifications waiting (capped)
};

class Metrics {
 public:
  // Upper bounds of the latency buckets, in seconds.
  static constexpr std::array<double, 10> kBuckets = {
      0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};

  void Record(const std::string& route, int status,
              std::chrono::microseconds latency);
  std::string Render(const EngineGauges& gauges) const;

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
};

}  // namespace shouhu::api
