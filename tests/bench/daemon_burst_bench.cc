// Section 6 of shouhu-bench: the burst of section 3 through the real daemon.
// shouhud runs on simulated time with the bundled mandatory report; teachers
// file N reports over HTTP (each arms the police's 2-hour acceptance
// deadline, all at the same simulated instant, since simulated time stands
// still meanwhile); then the administrator moves the clock 2 hours on and all
// N deadlines are due at once. The daemon fires them (escalations, their
// notifications into the outbox) as it would in a county.
//
// Lateness is read from outside: a second connection polls /metrics'
// shouhu_timers_fired_total every few milliseconds while the clock call runs,
// so the k-th firing's lateness is when the counter first reached k
// (resolution: one poll). The daemon's CPU comes from /proc.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "../integration/api/api_daemon.h"
#include "bench_common.h"

namespace shouhu::bench {
namespace {

using nlohmann::json;

// The process's user and system CPU so far, in ms (/proc/PID/stat).
double DaemonCpuMs(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string f;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {  // field 3 is the state
    if (i == 14) utime = std::stoull(f);
    if (i == 15) stime = std::stoull(f);
  }
  return 1000.0 * double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

uint64_t FiredSoFar(cli::HttpClient& probe) {
  auto r = probe.Send("GET", "/metrics");
  const std::string name = "\nshouhu_timers_fired_total ";
  size_t at = r.body.find(name);
  return at == std::string::npos ? 0 : std::stoull(r.body.substr(at + name.size()));
}

// Files `n` reports from `clients` teachers' connections; the reports filed.
size_t FileReports(testing::ApiDaemon& daemon, size_t n, int clients) {
  std::atomic<size_t> next{0}, filed{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      auto teacher = daemon.ClientFor(testing::kTeacher);
      for (size_t i; (i = next.fetch_add(1)) < n;) {
        const std::string key = "burst-" + std::to_string(i);
        auto r = teacher->Send("POST", "/api/v1/cases",
                               testing::ReportBody("童" + std::to_string(i)).dump(),
                               {{"Idempotency-Key", key}});
        if (r.status == 201) {
          filed.fetch_add(1);
        } else if (filed.load() == 0 || i % 1000 == 0) {
          std::fprintf(stderr, "report %zu: %ld %s\n", i, static_cast<long>(r.status), r.body.c_str());
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  return filed.load();
}

void DaemonBurst(size_t n) {
  testing::ApiDaemon daemon(json{{"rate_per_second", 0}});
  daemon.SimulateTime("2026-03-02T00:00:00Z");
  daemon.Start();
  daemon.KeepReading();
  const auto filing = BenchClock::now();
  const size_t filed = FileReports(daemon, n, 8);
  const double filing_s = Ms(BenchClock::now() - filing) / 1000;
  auto probe = daemon.ClientFor("");
  const uint64_t fired_before = FiredSoFar(*probe);

  std::atomic<bool> done{false};
  std::vector<std::pair<double, uint64_t>> timeline;  // (ms since the move, fired)
  const auto moved = BenchClock::now();
  std::thread poller([&] {
    while (!done) {
      const uint64_t fired = FiredSoFar(*probe) - fired_before;
      timeline.emplace_back(Ms(BenchClock::now() - moved), fired);
      if (fired >= filed) break;
    }
  });
  const double cpu_before = DaemonCpuMs(daemon.pid());
  const std::string now = daemon.Advance("PT2H");  // returns once all is done
  const double advance_ms = Ms(BenchClock::now() - moved);
  const double cpu_ms = DaemonCpuMs(daemon.pid()) - cpu_before;
  done = true;
  poller.join();
  const uint64_t fired = FiredSoFar(*probe) - fired_before;
  // The k-th firing's lateness: the first poll that saw k or more fired.
  auto lateness = [&](double q) {
    const uint64_t k = std::max<uint64_t>(1, uint64_t(q * double(fired) + 0.5));
    for (const auto& [ms, count] : timeline) {
      if (count >= k) return std::min(ms, advance_ms);  // the call returned: all fired
    }
    return advance_ms;
  };
  std::printf("%7zu reports filed over HTTP in %.1f s (%.0f/s); clock moved 2 h to %s\n", filed,
              filing_s, filing_s > 0 ? double(filed) / filing_s : 0.0, now.c_str());
  std::printf("%7zu due at once (shouhud): %7llu fired, lateness p50 %7.1f ms, p99 %7.1f ms, "
              "max %7.1f ms (%zu polls, one per %.0f ms); all done (notifications too) in %.1f ms; "
              "%.1f us of the daemon's CPU per firing\n",
              filed, static_cast<unsigned long long>(fired), lateness(0.5), lateness(0.99),
              lateness(1.0), timeline.size(),
              timeline.empty() ? 0.0 : timeline.back().first / double(timeline.size()), advance_ms,
              fired ? 1000 * cpu_ms / double(fired) : 0.0);
  if (daemon.Stop() != 0) std::fprintf(stderr, "%s\n", daemon.output().c_str());
}

}  // namespace

void DaemonBursts(bool quick) {
  std::printf("\n== 6. the burst through shouhud: reports filed over HTTP, deadlines due at "
              "once ==\n");
  // 10^4 as section 3 (quick or not), so the two compare in one run.
  DaemonBurst(10'000);
  if (!quick) DaemonBurst(100'000);
}

}  // namespace shouhu::bench
