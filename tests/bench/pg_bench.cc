#include "pg_bench.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include <stdlib.h>

#include "../support/pg_cluster.h"
#include "../support/test_paths.h"

namespace shouhu::bench {
namespace {

namespace fs = std::filesystem;

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * double(v.size())))];
}

std::string PgBin(const std::string& program) {
  const char* env = std::getenv("SHOUHU_PG_BIN");
  return std::string(env && *env ? env : "/usr/lib/postgresql/15/bin") + "/" + program;
}

// pgbench -M prepared with pg_case_tx.sql: transactions per second from its
// summary, latencies from its per-transaction log (--log).
Figures RunPgbench(const std::string& dsn, const std::string& dir, int clients, int ops) {
  fs::create_directories(dir);
  testing::ProgramResult r = testing::RunProgram(
      PgBin("pgbench"),
      {"-n", "-M", "prepared", "-f", SourceTree("/tests/bench/pg_case_tx.sql"), "-c",
       std::to_string(clients), "-j", "2", "-t", std::to_string(ops), "--log",
       "--log-prefix=" + dir + "/tx", dsn},
      dir);
  if (r.exit_code != 0) {
    std::fprintf(stderr, "shouhu-bench: pgbench failed: %s%s\n", r.out.c_str(), r.err.c_str());
    std::exit(1);
  }
  Figures f;
  const size_t tps = r.out.find("tps = ");
  if (tps != std::string::npos) f.per_sec = std::atof(r.out.c_str() + tps + 6);
  std::vector<double> ms;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.path().filename().string().starts_with("tx.")) continue;
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      long client = 0, tx = 0;
      double us = 0;
      if (fields >> client >> tx >> us) ms.push_back(us / 1000);
    }
  }
  f.p50_ms = Percentile(ms, 0.5);
  f.p99_ms = Percentile(ms, 0.99);
  return f;
}

}  // namespace

namespace {

// The sample Patroni cluster (deploy/ha/cluster.sh): a primary and a
// synchronous replica on loopback, so a commit is acknowledged only once the
// replica has it. Taken down and removed at the end.
class ReplicatedCluster {
 public:
  ReplicatedCluster() {
    char tmpl[] = "/tmp/shouhu-bench-ha-XXXXXX";
    dir_ = mkdtemp(tmpl);
    ::setenv("SHOUHU_HA_PORT", "24200", 1);  // apart from the failover test's 24100
  }
  ~ReplicatedCluster() {
    Run("down");
    fs::remove_all(dir_);
  }
  // Starts it; its DSN, or "" (the reason on stderr).
  std::string Up() {
    testing::ProgramResult up = Run("up");
    if (up.exit_code != 0) {
      std::fprintf(stderr, "shouhu-bench: cluster.sh up: %s%s\n", up.out.c_str(), up.err.c_str());
      return "";
    }
    std::string dsn = Run("dsn").out;
    while (!dsn.empty() && dsn.back() == '\n') dsn.pop_back();
    return dsn;
  }

 private:
  testing::ProgramResult Run(const std::string& command) {
    const std::string scratch = dir_ + "-" + command;
    fs::create_directories(scratch);
    auto r = testing::RunProgram("/bin/bash", {SourceTree("/deploy/ha/cluster.sh"), command, dir_},
                                 scratch);
    fs::remove_all(scratch);
    return r;
  }
  std::string dir_;
};

// The table's rows for one server: ours and pgbench at 16 and 64 clients.
void CompareAt(const std::string& dsn, const std::string& root, bool quick,
               const RunOnPostgres& ours) {
  fs::create_directories(root);
  testing::ProgramResult schema = testing::RunProgram(
      PgBin("psql"),
      {"-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", SourceTree("/tests/bench/pg_case_schema.sql"),
       dsn},
      root);
  if (schema.exit_code != 0) {
    std::fprintf(stderr, "shouhu-bench: pg_case_schema.sql: %s\n", schema.err.c_str());
    std::exit(1);
  }
  std::printf("%8s %14s %10s %10s %14s %10s %10s %7s %9s\n", "clients", "transitions/s",
              "p50 ms", "p99 ms", "raw tx/s", "raw p50", "raw p99", "ratio", "p99 ratio");
  for (int clients : {16, 64}) {
    const int ops = quick ? std::max(20, 800 / clients) : std::max(100, 6400 / clients);
    Figures mine = ours(dsn, clients, ops);
    Figures raw =
        RunPgbench(dsn, root + "/pgbench-" + std::to_string(clients), clients, ops);
    std::printf("%8d %14.0f %10.2f %10.2f %14.0f %10.2f %10.2f %7.2f %9.2f\n", clients,
                mine.per_sec, mine.p50_ms, mine.p99_ms, raw.per_sec, raw.p50_ms, raw.p99_ms,
                mine.per_sec / raw.per_sec, mine.p99_ms / raw.p99_ms);
    std::printf("%8s ours: %.0f transactions/s of %.1f changes each\n", "",
                mine.groups_per_sec,
                mine.groups_per_sec > 0 ? mine.per_sec / mine.groups_per_sec : 0.0);
  }
  // The floor of one transaction at a time: the audit chain is sealed in
  // commit order, so the store commits its groups one after another, and
  // no group can commit sooner than one client's transaction alone.
  const int one_ops = quick ? 100 : 400;
  Figures one = RunPgbench(dsn, root + "/pgbench-1", 1, one_ops);
  std::printf("%8s raw, one client: %.0f tx/s (p50 %.2f ms): one commit at a time\n", "",
              one.per_sec, one.p50_ms);
}

}  // namespace

void PostgresThroughput(const std::string& root, bool quick, const std::string& dsn_given,
                        const RunOnPostgres& ours) {
  std::printf("\n== 5. durable transitions on PostgreSQL vs raw PostgreSQL (pgbench) ==\n");
  std::printf("raw: pgbench -M prepared, tests/bench/pg_case_tx.sql (upsert a 500 B case, insert"
              " a 200 B event,\n     delete and insert a timer row; one transaction each)\n");
  std::unique_ptr<testing::PgCluster> cluster;
  std::string dsn = dsn_given;
  if (dsn.empty()) {
    cluster = std::make_unique<testing::PgCluster>();
    if (!cluster->ok()) {
      std::fprintf(stderr, "shouhu-bench: %s\n", cluster->error().c_str());
      std::exit(1);
    }
    dsn = cluster->Dsn();
    std::printf("one node: a throw-away PostgreSQL 15 cluster on a unix socket, fsync on\n");
  } else {
    std::printf("the server of --pg-dsn\n");
  }
  CompareAt(dsn, root + "/one", quick, ours);
  cluster.reset();
  if (!dsn_given.empty()) return;
  // The same with a synchronous replica: the sample cluster of deploy/ha.
  if (!fs::exists("/usr/bin/patroni")) {
    std::printf("with a synchronous replica: skipped (patroni is not installed; "
                "deploy/install-deps.sh)\n");
    return;
  }
  std::printf("with a synchronous replica: deploy/ha/cluster.sh (Patroni, etcd, a primary and a"
              " synchronous replica on loopback)\n");
  ReplicatedCluster replicated;
  const std::string ha_dsn = replicated.Up();
  if (ha_dsn.empty()) std::exit(1);
  CompareAt(ha_dsn, root + "/replica", quick, ours);
}

}  // namespace shouhu::bench
