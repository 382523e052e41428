// shouhu-bench section 5: the runtime on the PostgreSQL store beside raw
// PostgreSQL doing one case transition per transaction (pgbench with
// pg_case_tx.sql), at 16 and 64 clients, in the same run on the same server.
#pragma once

#include <functional>
#include <string>

namespace shouhu::bench {

struct Figures {
  double per_sec = 0, p50_ms = 0, p99_ms = 0;
  double groups_per_sec = 0;  // ours: the store's transactions (groups of changes) per second
};
// Runs `clients` clients doing `ops` transitions each through the runtime on
// the PostgreSQL store at `dsn`.
using RunOnPostgres = std::function<Figures(const std::string& dsn, int clients, int ops)>;

// `dsn` "": a throw-away cluster under `root` (tests/support/pg_cluster.h).
void PostgresThroughput(const std::string& root, bool quick, const std::string& dsn,
                        const RunOnPostgres& ours);

}  // namespace shouhu::bench
