// What the sections of shouhu-bench share: the bench workflow, stores,
// CPU time, percentiles and the in-process flip loop (shouhu_bench.cc).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "shouhu/catalog.h"
#include "shouhu/runtime.h"
#include "shouhu/store.h"

namespace shouhu::bench {

using BenchClock = std::chrono::steady_clock;

double Ms(BenchClock::duration d);
double Percentile(std::vector<double> v, double p);
// CPU time used by this process so far, all threads, user and system.
double CpuMs();
Catalog LoadBenchCatalog();
// The store as the runtime's sections open it (sealed unless --plain).
std::unique_ptr<Store> MustOpen(const std::string& dir, bool sync = true);
[[noreturn]] void Die(const Status& s, const char* what);
// Whether the runtime's stores are sealed (not --plain).
bool BenchSealed();
Actor Worker();
// Writes `n` cases in state "a", case i with its deadline due at due(i),
// straight through the store (setup only; not what is measured).
void PrepareCases(Store& store, size_t n, const std::function<Instant(size_t)>& due);

struct FlipResult {
  double ops_per_sec;
  double p50_ms, p99_ms;
  std::vector<double> latencies;
};
// `clients` threads, each flipping its own case `ops` times.
FlipResult RunFlips(Runtime& rt, int clients, int ops, const std::string& tag);

// Section 3: bursts of timers due at once (burst_bench.cc); `compare`
// first measures the layout from before firing records, in the same run.
void Bursts(const std::string& root, bool quick, bool compare);

// Section 4: HTTP vs in process (http_bench.cc).
void HttpVsInProcess(const std::string& root, bool quick);
// Section 6: the burst through shouhud (daemon_burst_bench.cc).
void DaemonBursts(bool quick);

// The load generator's process: shouhu-bench --http-load-child ...
int HttpLoadChild(int argc, char** argv);

}  // namespace shouhu::bench
