// shouhu-bench: measures the runtime and prints each figure next to its
// baseline, measured in the same run on the same disk (this machine is shared
// and noisy: compare the ratios, not lone absolute numbers).
//
//   shouhu-bench [--dir DIR] [--quick] [--only 123456] [--keep] [--plain]
//                [--compare] [--pg-dsn DSN]
//   (--only: the sections to run, 1 to 4 by default; --keep: leave the data
//   directory behind; --plain: the store without encryption at rest, to
//   measure its cost; --compare: section 3 also with the layout from before
//   firing records, first, in the same run; --pg-dsn: section 5's server,
//   else a throw-away one)
//
// 1. durable transitions/s at 1, 16 and 64 clients vs raw RocksDB synced
//    WriteBatches of the same size and concurrency; p50/p99 commit latency;
// 2. start-up time and resident memory with 10^3 and 10^6 pending timers;
// 3. firing lateness p50/p99 for 10^4 and 10^5 timers due at once, with live
//    commands served meanwhile, and the bytes of a firing by record kind
//    (burst_bench.cc);
// 4. transitions/s and server CPU per transition over HTTP (the API as
//    shouhud starts it, default configuration) vs in process, at 64 clients
//    (http_bench.cc);
// 5. durable transitions/s at 16 and 64 clients on the PostgreSQL store vs
//    raw PostgreSQL doing a case transaction (pgbench, pg_bench.cc);
// 6. the burst of section 3 through shouhud itself: reports filed over HTTP,
//    their deadlines due at once on simulated time (daemon_burst_bench.cc).
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>

#include "runtime/codec.h"
#include "shouhu/data_store.h"
#include "shouhu/runtime.h"
#include "store/raw_bench.h"
#include "pg_bench.h"
#include "../support/test_paths.h"
#include "bench_common.h"

namespace shouhu::bench {

namespace fs = std::filesystem;
using Clock_ = std::chrono::steady_clock;

double Ms(Clock_::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

double CpuMs() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto ms = [](const timeval& t) { return t.tv_sec * 1000.0 + t.tv_usec / 1000.0; };
  return ms(u.ru_utime) + ms(u.ru_stime);
}

long RssKiB() {
  std::ifstream in("/proc/self/statm");
  long pages = 0, resident = 0;
  in >> pages >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

Catalog LoadBenchCatalog() {
  std::vector<DefinitionError> errors;
  Catalog c = Catalog::Load({SourceTree("/tests/bench/bench_workflow.json")}, &errors);
  for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.ToString().c_str());
  if (!errors.empty()) std::exit(1);
  return c;
}

// The data key of the stores the runtime uses, as shouhud seals its store
// (unset with --plain). The start-up children read it from the file that
// SHOUHU_BENCH_KEY names.
std::optional<DataKey> g_key;

const DataKey* BenchKey() {
  if (const char* path = std::getenv("SHOUHU_BENCH_KEY"); path && !g_key) {
    auto key = ReadDataKeyFile(path);
    if (!key.ok()) {
      std::fprintf(stderr, "%s\n", key.status().message().c_str());
      std::exit(1);
    }
    g_key = std::move(*key);
  }
  return g_key ? &*g_key : nullptr;
}

std::unique_ptr<Store> MustOpen(const std::string& dir, bool sync) {
  StoreOptions o;
  o.sync = sync;
  BenchKey();
  auto s = OpenDataStore(dir, o, g_key ? &*g_key : nullptr);
  if (!s.ok()) {
    std::fprintf(stderr, "open %s: %s\n", dir.c_str(), s.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(*s);
}

[[noreturn]] void Die(const Status& s, const char* what) {
  std::fprintf(stderr, "shouhu-bench: %s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

Actor Worker() { return {"w1", "u1", {"worker"}, "bench"}; }

bool BenchSealed() { return BenchKey() != nullptr; }

void PrepareCases(Store& store, size_t n, const std::function<Instant(size_t)>& due) {
  std::vector<Mutation> batch;
  for (size_t i = 0; i < n; ++i) {
    char id[24];
    std::snprintf(id, sizeof id, "C%010zu", i + 1);
    CaseRecord c;
    c.id = id;
    c.workflow_id = "bench";
    c.workflow_version = 1;
    c.state = "a";
    c.unit = "u1";
    c.reporter = "w1";
    c.last_seq = 1;
    c.timers.push_back({"deadline", due(i), "", -1, {}});
    batch.push_back(Mutation::Put(codec::CaseKey(id), codec::EncodeCase(c)));
    batch.push_back(Mutation::Put(codec::TimerKey(due(i), id, "deadline"),
                                  std::string(1, codec::kFormatV1)));
    batch.push_back(Mutation::Put(codec::ByStateKey("bench", "a", id), ""));
    if (batch.size() >= 30000 || i + 1 == n) {
      Status s = store.Commit(std::move(batch));
      if (!s.ok()) Die(s, "prepare cases");
      batch.clear();
    }
  }
}

FlipResult RunFlips(Runtime& rt, int clients, int ops, const std::string& tag) {
  std::vector<std::string> cases;
  for (int c = 0; c < clients; ++c) {
    auto r = rt.Open({tag + "-open-" + std::to_string(c), Worker(), "bench", "", {}});
    if (!r.ok()) Die(r.status(), "open");
    cases.push_back(r->case_id);
  }
  std::vector<std::vector<double>> lat(clients);
  auto start = Clock_::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      for (int i = 0; i < ops; ++i) {
        auto t0 = Clock_::now();
        auto r = rt.Fire({tag + "-" + std::to_string(c) + "-" + std::to_string(i),
                          Worker(), cases[c], i % 2 ? "flop" : "flip", {}, std::nullopt});
        if (!r.ok()) {
          std::fprintf(stderr, "fire: %s\n", r.status().ToString().c_str());
          std::exit(1);
        }
        lat[c].push_back(Ms(Clock_::now() - t0));
      }
    });
  }
  for (auto& t : threads) t.join();
  double secs = Ms(Clock_::now() - start) / 1000;
  FlipResult out{clients * ops / secs, 0, 0, {}};
  for (auto& l : lat) out.latencies.insert(out.latencies.end(), l.begin(), l.end());
  out.p50_ms = Percentile(out.latencies, 0.5);
  out.p99_ms = Percentile(out.latencies, 0.99);
  return out;
}

void Throughput(const std::string& root, bool quick) {
  std::printf("\n== 1. durable transitions vs raw RocksDB synced WriteBatches ==\n");
  // Ours and raw RocksDB take turns, three rounds each (one in --quick), and
  // the ratio is the median of the rounds' ratios: on a shared machine a
  // lone pair of runs can be skewed either way by the neighbours.
  const int rounds = quick ? 1 : 3;
  std::printf("%8s %14s %10s %10s %14s %10s %10s %7s\n", "clients", "transitions/s",
              "p50 ms", "p99 ms", "raw batches/s", "raw p50", "raw p99", "ratio");
  Catalog catalog = LoadBenchCatalog();
  for (int clients : {1, 16, 64}) {
    int ops = quick ? std::max(20, 800 / clients) : std::max(100, 6400 / clients);
    std::string dir = root + "/tx-" + std::to_string(clients);
    auto store = MustOpen(dir);
    SystemClock clock;
    auto rt = Runtime::Create(*store, catalog, clock);
    if (!rt.ok()) Die(rt.status(), "runtime");
    std::vector<double> ratios;
    for (int round = 0; round < rounds; ++round) {
      StoreStats before = store->Stats();
      const double cpu_before = CpuMs();
      FlipResult ours = RunFlips(**rt, clients, ops, "tx" + std::to_string(round));
      const double cpu_us = 1000 * (CpuMs() - cpu_before) / double(clients * ops);
      StoreStats after = store->Stats();
      double bytes_per_commit =
          double(after.bytes - before.bytes) / double(after.commits - before.commits);
      // A transition writes 8 keys: case, history, timer delete + put, state
      // index delete + put, audit, request. The raw batch has 8 puts of the
      // same total size.
      size_t value_bytes = static_cast<size_t>(std::max(16.0, bytes_per_commit / 8 - 24));
      WriteBenchResult raw = RunRawRocksSyncedWrites(
          root + "/raw-" + std::to_string(clients) + "-" + std::to_string(round), clients,
          ops, value_bytes, 8);
      ratios.push_back(ours.ops_per_sec / raw.ops_per_sec);
      std::printf("%8d %14.0f %10.2f %10.2f %14.0f %10.2f %10.2f %7.2f\n", clients,
                  ours.ops_per_sec, ours.p50_ms, ours.p99_ms, raw.ops_per_sec, raw.p50_ms,
                  raw.p99_ms, ratios.back());
      if (round + 1 == rounds) {
        std::printf("         (%.0f bytes per transition batch; %.1f transitions per fsync;"
                    " %.0f us of CPU per transition, all threads)\n",
                    bytes_per_commit,
                    double(after.commits - before.commits) /
                        double(after.groups - before.groups),
                    cpu_us);
      }
    }
    std::printf("%8d clients: median ratio %.2f\n", clients, Percentile(ratios, 0.5));
  }
}

struct StartupResult {
  double ms;
  double open_ms;  // of which: opening RocksDB
  long rss_kib;
  size_t in_memory;
};

// Start-up as the daemon does it, measured in this process: open the store,
// create the runtime, load the near-term timer window. Prints the figures
// for MeasureStartup to read.
int StartupChild(const std::string& dir) {
  Catalog catalog = LoadBenchCatalog();
  long rss0 = RssKiB();
  auto t0 = Clock_::now();
  auto store = MustOpen(dir);
  double open_ms = Ms(Clock_::now() - t0);
  SystemClock clock;
  auto rt = Runtime::Create(*store, catalog, clock);
  if (!rt.ok()) return 1;
  (void)(*rt)->NextDue();  // loads the near-term window: ready to fire
  std::printf("%f %f %ld %zu\n", Ms(Clock_::now() - t0), open_ms, RssKiB() - rss0,
              (*rt)->TimersInMemory());
  return 0;
}

// Measures start-up in a new process (this program run again), so that
// neither this process's heap nor its caches colour the figures.
StartupResult MeasureStartup(const std::string& dir) {
  int fds[2];
  if (pipe(fds) != 0) std::exit(1);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execl("/proc/self/exe", "shouhu-bench", "--startup-child", dir.c_str(), nullptr);
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char buf[256];
  for (ssize_t k; (k = read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, k);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  StartupResult r{};
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
      std::sscanf(out.c_str(), "%lf %lf %ld %zu", &r.ms, &r.open_ms, &r.rss_kib,
                  &r.in_memory) != 4) {
    std::fprintf(stderr, "shouhu-bench: start-up child failed: %s\n", out.c_str());
    std::exit(1);
  }
  return r;
}

void Startup(const std::string& root, bool quick) {
  std::printf("\n== 2. start-up and memory with pending timers ==\n");
  size_t big = quick ? 100'000 : 1'000'000;
  Instant now = SystemClock().Now();
  // Two measurements of each store. "Fresh": restarted right after its
  // timers were written, so its newest data is still in RocksDB's level 0,
  // which RocksDB loads whole at open (bounded by level 0's size limits,
  // not by the number of timers). "Settled": after RocksDB's compactions
  // have moved the data down, as in a daemon that has run for a while.
  struct Row {
    size_t n;
    StartupResult fresh, settled;
  };
  std::vector<Row> rows;
  for (size_t n : {size_t(1000), big}) {
    std::string dir = root + "/startup-" + std::to_string(n);
    {
      auto store = MustOpen(dir, /*sync=*/false);
      // Due over the next 30 days: almost all beyond the in-memory window.
      PrepareCases(*store, n, [&](size_t i) {
        return now + std::chrono::hours(1) +
               std::chrono::milliseconds(int64_t(i) * (30LL * 86400 * 1000 / int64_t(n)));
      });
    }
    MeasureStartup(dir);  // warm the page cache, as for a restart
    Row row{n, MeasureStartup(dir), {}};
    if (Status s = CompactAll(dir); !s.ok()) Die(s, "compact");
    MeasureStartup(dir);
    row.settled = MeasureStartup(dir);
    for (const auto& [what, r] : {std::pair{"fresh", row.fresh}, {"settled", row.settled}}) {
      std::printf("%9zu pending timers, %-7s: start-up %6.1f ms (RocksDB open %5.1f ms), "
                  "resident +%6ld KiB, %zu in memory\n",
                  n, what, r.ms, r.open_ms, r.rss_kib, r.in_memory);
    }
    rows.push_back(row);
  }
  const Row& a = rows[0];
  const Row& b = rows[1];
  std::printf("start-up ratio (%zu / %zu): settled %.2f, fresh %.2f\n", b.n, a.n,
              b.settled.ms / a.settled.ms, b.fresh.ms / a.fresh.ms);
  std::printf("resident memory per pending timer: %.1f bytes\n",
              std::max(0.0, double(b.settled.rss_kib - a.settled.rss_kib) * 1024 /
                                double(b.n - a.n)));
}

// Section 5's side of ours: the runtime on the PostgreSQL store at `dsn`,
// sealed under the bench's data key as shouhud would seal it.
Figures FlipsOnPostgres(const std::string& dsn, int clients, int ops) {
  StoreOptions o;
  auto store = OpenPostgresDataStore(dsn, o, BenchKey());
  if (!store.ok()) Die(store.status(), "open the PostgreSQL store");
  Catalog catalog = LoadBenchCatalog();
  SystemClock clock;
  auto rt = Runtime::Create(**store, catalog, clock);
  if (!rt.ok()) Die(rt.status(), "runtime");
  const StoreStats before = (*store)->Stats();
  const auto start = BenchClock::now();
  FlipResult r = RunFlips(**rt, clients, ops, "pg" + std::to_string(clients));
  const double secs = Ms(BenchClock::now() - start) / 1000;
  const double groups = double((*store)->Stats().groups - before.groups);
  return {r.ops_per_sec, r.p50_ms, r.p99_ms, secs > 0 ? groups / secs : 0};
}

}  // namespace shouhu::bench

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // figures appear as measured
  if (argc == 3 && std::string(argv[1]) == "--startup-child") {
    return shouhu::bench::StartupChild(argv[2]);
  }
  if (argc > 1 && std::string(argv[1]) == "--http-load-child") {
    return shouhu::bench::HttpLoadChild(argc, argv);
  }
  std::string root = "/tmp";
  bool quick = false;
  bool keep = false;  // leave the data behind, to inspect RocksDB's LOG
  bool plain = false;
  bool compare = false;  // section 3: the layout before firing records too
  std::string only = "1234";
  std::string pg_dsn;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--dir" && i + 1 < argc) {
      root = argv[++i];
    } else if (a == "--only" && i + 1 < argc) {
      only = argv[++i];
    } else if (a == "--quick") {
      quick = true;
    } else if (a == "--keep") {
      keep = true;
    } else if (a == "--pg-dsn" && i + 1 < argc) {
      pg_dsn = argv[++i];
    } else if (a == "--plain") {
      plain = true;
    } else if (a == "--compare") {
      compare = true;
    } else {
      std::fprintf(stderr,
                   "usage: shouhu-bench [--dir DIR] [--quick] [--only 123456] [--keep] [--plain]"
                   " [--compare] [--pg-dsn DSN]\n");
      return a == "--help" ? 0 : 2;
    }
  }
  char tmpl[4096];
  std::snprintf(tmpl, sizeof tmpl, "%s/shouhu-bench-XXXXXX", root.c_str());
  if (!mkdtemp(tmpl)) {
    std::perror("mkdtemp");
    return 1;
  }
  std::string dir = tmpl;
  if (!plain) {
    const std::string key_path = dir + "/bench.key";
    auto key = shouhu::CreateDataKeyFile(key_path);
    if (!key.ok()) {
      std::fprintf(stderr, "%s\n", key.status().message().c_str());
      return 1;
    }
    ::setenv("SHOUHU_BENCH_KEY", key_path.c_str(), 1);
  }
  std::printf("shouhu-bench: data under %s%s, %s\n", dir.c_str(), quick ? " (quick)" : "",
              plain ? "not encrypted (--plain)" : "encrypted at rest");
  if (only.find('1') != std::string::npos) shouhu::bench::Throughput(dir, quick);
  if (only.find('2') != std::string::npos) shouhu::bench::Startup(dir, quick);
  if (only.find('3') != std::string::npos) shouhu::bench::Bursts(dir, quick, compare);
  if (only.find('4') != std::string::npos) shouhu::bench::HttpVsInProcess(dir, quick);
  if (only.find('5') != std::string::npos) {
    shouhu::bench::PostgresThroughput(dir, quick, pg_dsn, shouhu::bench::FlipsOnPostgres);
  }
  if (only.find('6') != std::string::npos) shouhu::bench::DaemonBursts(quick);
  if (!keep) std::filesystem::remove_all(dir);
  return 0;
}
