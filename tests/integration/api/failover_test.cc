// Failover (issue 18), its own command, not in the default suite:
//   ctest --test-dir build -L failover --output-on-failure
// shouhud on the PostgreSQL store of the sample Patroni cluster
// (deploy/ha/cluster.sh: three etcd members, a primary and a synchronous
// replica) under HTTP load: teachers file reports, each with its own
// Idempotency-Key, and retry a report until it is acknowledged, as the web
// app does. Then the primary's whole node dies (Patroni and PostgreSQL,
// SIGKILL): the replica is promoted, shouhud's multi-host DSN finds it, and
// the retried reports whose first commit was cut off in doubt are answered
// by their request id. It prints the acknowledged writes lost (0), the
// reports filed twice (0) and how long writes failed. The second round, two
// shouhud nodes with one SIGKILLed, is failover_nodes_test.cc.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "failover_support.h"

namespace shouhu {
namespace {

using nlohmann::json;
using testing::ApiDaemon;
using testing::Cluster;
using testing::Reporters;

TEST(Failover, ThePrimaryDiesUnderLoadAndNothingAcknowledgedIsLost) {
  Cluster cluster;
  const std::string dsn = cluster.Up();
  ASSERT_FALSE(dsn.empty());
  ApiDaemon daemon(json{{"rate_per_second", 0}},
                   json{{"store", {{"kind", "postgres"}, {"dsn", dsn}}}});
  daemon.Start();
  daemon.KeepReading();

  Reporters reporters({&daemon});
  reporters.Start(8);
  ASSERT_TRUE(reporters.WaitFor(200));
  const std::string killed = cluster.KillLeader();
  ASSERT_FALSE(killed.empty()) << "no node led";
  // Once the kill is done: reports sent between marking and killing would
  // be acknowledged by the live primary and count as no outage.
  reporters.MarkKill();
  const size_t at_kill = reporters.acked().size();
  ASSERT_TRUE(reporters.WaitFor(at_kill + 200)) << "writes did not come back";
  reporters.Stop();

  const testing::Filed filed = testing::CheckFiled(daemon, reporters.acked());
  const size_t acked = reporters.acked().size(), lost = filed.lost, twice = filed.twice;
  std::printf("failover: %s killed; %zu report(s) acknowledged, %zu lost, %zu filed twice, "
              "%zu retried; writes failed for %.1f s\n",
              killed.c_str(), acked, lost, twice, reporters.retries(),
              reporters.outage_seconds());
  EXPECT_EQ(lost, 0u);
  EXPECT_EQ(twice, 0u);
  EXPECT_EQ(daemon.Stop(), 0);
}

}  // namespace
}  // namespace shouhu
