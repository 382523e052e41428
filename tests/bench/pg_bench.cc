#include "pg_bench.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

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

void PostgresThroughput(const std::string& root, bool quick, const std::string& dsn_given,
                        const RunOnPostgres& ours) {
  std::printf("\n== 5. durable transitions on PostgreSQL vs raw PostgreSQL (pgbench) ==\n");
  std::unique_ptr<testing::PgCluster> cluster;
  std::string dsn = dsn_given;
  if (dsn.empty()) {
    cluster = std::make_unique<testing::PgCluster>();
    if (!cluster->ok()) {
      std::fprintf(stderr, "shouhu-bench: %s\n", cluster->error().c_str());
      std::exit(1);
    }
    dsn = cluster->Dsn();
    std::printf("(a throw-away PostgreSQL 15 cluster on a unix socket, fsync on)\n");
  }
  testing::ProgramResult schema = testing::RunProgram(
      PgBin("psql"),
      {"-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", SourceTree("/tests/bench/pg_case_schema.sql"),
       dsn},
      root);
  if (schema.exit_code != 0) {
    std::fprintf(stderr, "shouhu-bench: pg_case_schema.sql: %s\n", schema.err.c_str());
    std::exit(1);
  }
  std::printf("raw: pgbench -M prepared, tests/bench/pg_case_tx.sql (upsert a 500 B case, insert"
              " a 200 B event,\n     delete and insert a timer row; one transaction each)\n");
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
  }
}

}  // namespace shouhu::bench
