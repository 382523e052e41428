// The engine's own counters and histograms for /metrics, kept where things
// happen (dispatcher, timers, group committer) and rendered in the
// Prometheus text format by the API (api/metrics.h).
//
// They are process-wide (EngineTelemetry::Get()): one daemon per process, and
// the places that count have no path to the API. Counters only grow from
// the process's start (Prometheus' rate() and increase() handle restarts);
// what is waiting in the store (queues, overdue cases) is not counted here
// but read from the store's indexes at scrape time (runtime's
// CountQueues, shouhu/queue_gauges.h).
//
// Thread safety: everything here may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shouhu/mutex.h"

namespace shouhu::telemetry {

// Observations into fixed buckets (upper bounds, ascending).
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value);
  // Appends the _bucket (cumulative, with +Inf), _sum and _count lines of
  // `name`; `labels` is "" or e.g. `route="cases.fire"`.
  void Render(std::string& out, std::string_view name, std::string_view labels) const;

 private:
  const std::vector<double> bounds_;
  mutable Mutex mu_;
  std::vector<uint64_t> counts_ SHOUHU_GUARDED_BY(mu_);  // per bucket, not cumulative; last is +Inf
  uint64_t count_ SHOUHU_GUARDED_BY(mu_) = 0;
  double sum_ SHOUHU_GUARDED_BY(mu_) = 0;
};

// "# HELP name help\n# TYPE name type\n"
void RenderHeader(std::string& out, std::string_view name, std::string_view type,
                  std::string_view help);
// One sample line: name{labels} value
void RenderSample(std::string& out, std::string_view name, std::string_view labels,
                  double value);

// Seconds from 0.5 ms to 10 s, for latencies.
std::vector<double> LatencyBuckets();

class EngineTelemetry {
 public:
  static EngineTelemetry& Get();

  // One recorded delivery attempt's outcome ("delivered", "retry", "dead",
  // "deferred") on `channel`.
  void CountDelivery(std::string_view channel, std::string_view outcome);
  void CountEscalations(uint64_t n) { escalations_fired_.fetch_add(n, std::memory_order_relaxed); }
  // One Commit call, from its submission until its group was written.
  void ObserveCommit(double seconds) { commit_seconds_.Observe(seconds); }
  // One group written: how many commits it carried.
  void ObserveGroup(size_t batches) { group_size_.Observe(static_cast<double>(batches)); }

  uint64_t escalations_fired() const { return escalations_fired_.load(); }
  // Every family above, in the Prometheus text format.
  std::string Render() const;

 private:
  EngineTelemetry();
  mutable Mutex mu_;
  std::map<std::pair<std::string, std::string>, uint64_t, std::less<>> deliveries_ SHOUHU_GUARDED_BY(mu_);
  std::atomic<uint64_t> escalations_fired_{0};
  Histogram commit_seconds_;
  Histogram group_size_;
};

}  // namespace shouhu::telemetry
