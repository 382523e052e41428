// Counters and histograms in the Prometheus text format (shouhu/telemetry.h).
#include "shouhu/telemetry.h"

#include <cstdio>

namespace shouhu::telemetry {
namespace {

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string WithLe(std::string_view labels, std::string_view le) {
  std::string out(labels);
  if (!out.empty()) out += ',';
  out += "le=\"";
  out += le;
  out += '"';
  return out;
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::Observe(double value) {
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  MutexLock lock(mu_);
  ++counts_[i];
  ++count_;
  sum_ += value;
}

void Histogram::Render(std::string& out, std::string_view name,
                       std::string_view labels) const {
  MutexLock lock(mu_);
  const std::string bucket = std::string(name) + "_bucket";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += counts_[i];
    RenderSample(out, bucket, WithLe(labels, Number(bounds_[i])),
                 static_cast<double>(cumulative));
  }
  RenderSample(out, bucket, WithLe(labels, "+Inf"), static_cast<double>(count_));
  RenderSample(out, std::string(name) + "_sum", labels, sum_);
  RenderSample(out, std::string(name) + "_count", labels, static_cast<double>(count_));
}

void RenderHeader(std::string& out, std::string_view name, std::string_view type,
                  std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n# TYPE ");
  out.append(name).append(" ").append(type).append("\n");
}

void RenderSample(std::string& out, std::string_view name, std::string_view labels,
                  double value) {
  out.append(name);
  if (!labels.empty()) out.append("{").append(labels).append("}");
  out.append(" ").append(Number(value)).append("\n");
}

std::vector<double> LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

EngineTelemetry::EngineTelemetry()
    : commit_seconds_(LatencyBuckets()),
      group_size_({1, 2, 4, 8, 16, 32, 64, 128, 256}) {}

EngineTelemetry& EngineTelemetry::Get() {
  static EngineTelemetry* telemetry = new EngineTelemetry();  // never destroyed
  return *telemetry;
}

void EngineTelemetry::CountDelivery(std::string_view channel, std::string_view outcome) {
  MutexLock lock(mu_);
  auto key = std::make_pair(std::string(channel), std::string(outcome));
  ++deliveries_[std::move(key)];
}

std::string EngineTelemetry::Render() const {
  std::string out;
  RenderHeader(out, "shouhu_deliveries_total", "counter",
               "Delivery attempts recorded, by channel and outcome (delivered, retry, dead, "
               "deferred).");
  uint64_t dead = 0;
  {
    MutexLock lock(mu_);
    for (const auto& [key, n] : deliveries_) {
      RenderSample(out, "shouhu_deliveries_total",
                   "channel=\"" + key.first + "\",outcome=\"" + key.second + "\"",
                   static_cast<double>(n));
      if (key.second == "dead") dead += n;
    }
  }
  RenderHeader(out, "shouhu_dead_letters_total", "counter",
               "Deliveries that became dead letters since start (all channels).");
  RenderSample(out, "shouhu_dead_letters_total", "", static_cast<double>(dead));
  RenderHeader(out, "shouhu_escalations_fired_total", "counter",
               "Escalation steps fired by timers since start.");
  RenderSample(out, "shouhu_escalations_fired_total", "",
               static_cast<double>(escalations_fired()));
  RenderHeader(out, "shouhu_store_commit_duration_seconds", "histogram",
               "Time from a store commit's submission until its group was written and synced.");
  commit_seconds_.Render(out, "shouhu_store_commit_duration_seconds", "");
  RenderHeader(out, "shouhu_store_commit_group_size", "histogram",
               "Commits carried by one group write (one WAL append and sync).");
  group_size_.Render(out, "shouhu_store_commit_group_size", "");
  return out;
}

}  // namespace shouhu::telemetry
