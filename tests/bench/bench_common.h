// What the sections of shouhu-bench share: the bench workflow, stores,
// CPU time, percentiles and the in-process flip loop (shouhu_bench.cc).
#pragma once

#include <chrono>
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

struct FlipResult {
  double ops_per_sec;
  double p50_ms, p99_ms;
  std::vector<double> latencies;
};
// `clients` threads, each flipping its own case `ops` times.
FlipResult RunFlips(Runtime& rt, int clients, int ops, const std::string& tag);

// Section 4: HTTP vs in process (http_bench.cc).
void HttpVsInProcess(const std::string& root, bool quick);
// The load generator's process: shouhu-bench --http-load-child ...
int HttpLoadChild(int argc, char** argv);

}  // namespace shouhu::bench
