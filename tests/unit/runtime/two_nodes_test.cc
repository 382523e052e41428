// Two runtimes (two shouhud nodes in effect) on one PostgreSQL database,
// sharing its leases (shouhu/leases.h): timers armed on either node fire
// once, on the node holding their shard; a node stopped abruptly has its
// shards taken by the other once the ttl has passed, and its late firing
// commit is refused by the lease's fence; two nodes changing one case at
// once never overwrite each other's change; reports filed on both nodes at
// once are all opened, and reports about one child join one case.
//
// Each node's leases have a FakeClock of their own: node A's never moves,
// as for a process paused mid-work that still believes it holds its lease.
// The server's clock is real; the test moves a lease's expiry into the
// past on the server instead of waiting out the ttl.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <latch>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "runtime_fixture.h"
#include "shouhu/leases.h"

namespace shouhu::runtime_test {
namespace {

const TimerShard kShard0{0, 2};
const TimerShard kShard1{1, 2};

class TwoNodesTest : public RuntimeTest {
 protected:
  struct Node {
    std::unique_ptr<Store> store;
    std::unique_ptr<LeaseHolder> leases;
    std::unique_ptr<Runtime> rt;
  };

  void SetUp() override {
    RuntimeTest::SetUp();  // node A's store is the fixture's; it makes the schema
    Close();
    catalog_ = LoadCatalog({SourcePath("workflows/versions/mandatory_report.v1.json"),
                            WriteReportWithChild(), SourcePath("workflows/calendars")});
    a_ = MakeNode("node-a", lease_clock_a_, {TimerLeaseName(0, 2)});
    b_ = MakeNode("node-b", lease_clock_b_, {TimerLeaseName(0, 2), TimerLeaseName(1, 2)});
  }
  void TearDown() override {
    for (Node* n : {&a_, &b_}) {
      n->rt.reset();
      n->leases.reset();
      n->store.reset();
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Mandatory report v1 as "report_with_child": reports about one child (by
  // name and date of birth) join its open case and share its file.
  std::string WriteReportWithChild() {
    std::ifstream in(SourcePath("workflows/versions/mandatory_report.v1.json"));
    json w = json::parse(in);
    w["id"] = "report_with_child";
    w["open"]["optional"].push_back("child_birth_date");
    w["open"]["same_child"] = "join";
    w["fields"].push_back({{"id", "child_birth_date"},
                           {"label", {{"zh", "出生日期"}, {"en", "Date of birth"}}},
                           {"type", "date"}});
    w["child"] = {{"identity", {"child_name", "child_birth_date"}},
                  {"fields", {"child_name", "child_birth_date"}}};
    dir_ = ::testing::TempDir() + "/two-nodes-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ + "/report_with_child.json") << w.dump(1);
    return dir_ + "/report_with_child.json";
  }

  Node MakeNode(const std::string& owner, FakeClock& lease_clock,
                std::vector<std::string> leases) {
    Node n;
    auto store = OpenPostgresStore(pg_->Dsn());
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return n;
    n.store = std::move(*store);
    auto holder = OpenPostgresLeases(pg_->Dsn(), lease_clock, owner, std::move(leases));
    EXPECT_TRUE(holder.ok()) << holder.status().ToString();
    if (!holder.ok()) return n;
    n.leases = std::move(*holder);
    RuntimeOptions options = options_;
    options.leases = n.leases.get();
    auto rt = Runtime::Create(*n.store, catalog_, clock_, options);
    EXPECT_TRUE(rt.ok()) << rt.status().ToString();
    if (rt.ok()) n.rt = std::move(*rt);
    return n;
  }

  std::string OpenOn(Node& n) {
    auto r = n.rt->Open({NextRequestId(), Reporter(), "mandatory_report", "", Report()});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->case_id : "";
  }

  // Both nodes fire both shards at once; how many each fired. A refusal by
  // a fence or a conflict is counted, not failed.
  std::pair<size_t, size_t> FireEverywhere() {
    std::atomic<size_t> fired_a{0}, fired_b{0};
    std::vector<std::thread> threads;
    for (Node* n : {&a_, &b_}) {
      for (TimerShard shard : {kShard0, kShard1}) {
        threads.emplace_back([&, n, shard] {
          auto fired = n->rt->FireDueTimers(shard);
          if (!fired.ok()) {
            EXPECT_EQ(fired.status().code(), StatusCode::kFailedPrecondition)
                << fired.status().ToString();
            ++refused_;
            return;
          }
          (n == &a_ ? fired_a : fired_b) += *fired;
        });
      }
    }
    for (auto& t : threads) t.join();
    return {fired_a.load(), fired_b.load()};
  }

  // History entries of `kind` named `name` on case `id`, read on node B.
  int Count(const std::string& id, const std::string& kind, const std::string& name) {
    auto h = b_.rt->History(id);
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    int n = 0;
    if (h.ok()) {
      for (const HistoryEntry& e : *h) n += e.kind == kind && e.name == name;
    }
    return n;
  }

  void ExpireLeasesOnServer() {
    ASSERT_TRUE(pg_->Sql("UPDATE shouhu_leases SET expires_at = now() - interval '1 second'"))
        << pg_->error();
  }

  void HandOutOutboxIdsTwice(bool firing_records);

  // Expands every outbox entry on `n` into one pending delivery each, as the
  // dispatcher does (an id of the entry's id, a key of the entry's key);
  // entries it could not expand are tried again, up to three rounds. How
  // many it expanded.
  size_t ExpandAll(Node& n) {
    size_t expanded = 0;
    for (int round = 0; round < 3; ++round) {
      auto outbox = n.rt->Outbox(1000);
      EXPECT_TRUE(outbox.ok()) << outbox.status().ToString();
      if (!outbox.ok() || outbox->empty()) break;
      for (const OutboxEntry& o : *outbox) {
        Delivery d;
        char id[32];
        std::snprintf(id, sizeof id, "%016llu-000", static_cast<unsigned long long>(o.id));
        d.id = id;
        d.outbox_id = o.id;
        d.case_id = o.case_id;
        d.idempotency_key = o.idempotency_key + "/u/sms";
        d.recipient = "u";
        d.channel = "sms";
        d.next_at = clock_.Now();
        d.created_at = clock_.Now();
        expanded += n.rt->ExpandOutbox(o.id, {d}).ok();
      }
    }
    return expanded;
  }

  FakeClock lease_clock_a_{Instant(std::chrono::milliseconds(1'000'000))};
  FakeClock lease_clock_b_{Instant(std::chrono::milliseconds(9'000'000))};
  FakeClock lease_clock_c_{Instant(std::chrono::milliseconds(5'000'000))};
  Node a_, b_;
  std::atomic<int> refused_{0};
  std::string dir_;  // the test's workflow
};

TEST_F(TwoNodesTest, EveryTimerFiresOnceAndAStoppedNodesShardsAreTakenAfterTheTtl) {
  // A came first: it holds shard 0; B holds shard 1.
  ASSERT_TRUE(a_.leases->Held(TimerLeaseName(0, 2)));
  ASSERT_FALSE(b_.leases->Held(TimerLeaseName(0, 2)));
  ASSERT_TRUE(b_.leases->Held(TimerLeaseName(1, 2)));

  const Instant t0 = clock_.Now();
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) ids.push_back(OpenOn(i % 2 ? a_ : b_));
  ASSERT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());

  // The acceptance deadlines (2 h) fire, each once, on the node holding its
  // shard, armed on either node.
  clock_.Set(t0 + 2h);
  auto [fired_a, fired_b] = FireEverywhere();
  EXPECT_EQ(fired_a + fired_b, ids.size());
  EXPECT_GT(fired_a, 0u);
  EXPECT_GT(fired_b, 0u);
  for (const std::string& id : ids) EXPECT_EQ(Count(id, "timer", "acceptance_sla"), 1) << id;

  // A stops abruptly: it renews nothing more. Its lease's ttl passes on the
  // server, and B takes shard 0.
  ExpireLeasesOnServer();
  ASSERT_OK(b_.leases->RenewOnce());
  ASSERT_TRUE(b_.leases->Held(TimerLeaseName(0, 2)));
  // A, paused, still believes it holds shard 0 and tries to fire the next
  // escalation steps (due at 3 h) together with B: its commits are refused.
  clock_.Set(t0 + 3h);
  ASSERT_TRUE(a_.leases->Held(TimerLeaseName(0, 2)));
  auto late = a_.rt->FireDueTimers(kShard0);
  EXPECT_EQ(late.status().code(), StatusCode::kFailedPrecondition) << late.status().ToString();
  std::tie(fired_a, fired_b) = FireEverywhere();
  EXPECT_EQ(fired_a, 0u);
  EXPECT_EQ(fired_b, ids.size());
  for (const std::string& id : ids) {
    auto h = b_.rt->History(id);
    ASSERT_OK(h.status());
    int steps = 0;
    for (const HistoryEntry& e : *h) {
      steps += e.kind == "escalation" && e.data.value("step", -1) == 1;
    }
    EXPECT_EQ(steps, 1) << id;
  }
}

TEST_F(TwoNodesTest, ChangesOfOneCaseOnTwoNodesAtOnceNeverOverwriteEachOther) {
  const std::string id = OpenOn(a_);
  ASSERT_FALSE(id.empty());
  std::atomic<int> accepted{0}, conflicts{0};
  std::atomic<int> next{0};
  auto notes = [&](Node& n) {
    for (int i = 0; i < 30; ++i) {
      const int k = next++;
      auto r = n.rt->Note({"note-" + std::to_string(k), CaseWorker(), id,
                           "note " + std::to_string(k)});
      if (r.ok()) {
        ++accepted;
      } else {
        EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition) << r.status().ToString();
        ++conflicts;
      }
    }
  };
  std::thread on_a([&] { notes(a_); });
  std::thread on_b([&] { notes(b_); });
  on_a.join();
  on_b.join();
  // Every accepted note is in the history; none was lost to another.
  auto h = b_.rt->History(id);
  ASSERT_OK(h.status());
  int kept = 0;
  for (const HistoryEntry& e : *h) kept += e.kind == "note";
  EXPECT_EQ(kept, accepted.load()) << conflicts.load() << " conflicts";
  EXPECT_EQ(accepted + conflicts, 60);
  std::printf("two nodes noting one case: %d accepted, %d refused as conflicts\n",
              accepted.load(), conflicts.load());
}

// Teachers file reports on both nodes at once. Each node numbers its new
// cases from the counter it read, so both may hand out one id; and each
// node's lock on a child's identity is its own, so both may find no case of
// a child reported on both at once. Every report must still be opened
// (never refused as another node's conflict), under an id of its own, and
// the reports about one child must make one case and one child's file.
TEST_F(TwoNodesTest, ReportsFiledOnTwoNodesAtOnceAreAllOpenedAndOneChildHasOneCase) {
  auto report = [&](Node& n, const std::string& request, const std::string& child,
                    const std::string& born) {
    json data = Report();
    data["child_name"] = child;
    data["child_birth_date"] = born;
    return n.rt->Open({request, Reporter(), "report_with_child", "", data});
  };
  // 1. Thirty children each way, all different.
  std::vector<std::string> ids(60);
  std::atomic<int> refused{0};
  auto file = [&](Node& n, int first) {
    for (int i = first; i < first + 30; ++i) {
      auto r = report(n, "many-" + std::to_string(i), "童" + std::to_string(i), "2015-03-01");
      if (r.ok()) {
        ids[i] = r->case_id;
      } else {
        ADD_FAILURE() << r.status().ToString();
        ++refused;
      }
    }
  };
  std::thread on_a([&] { file(a_, 0); });
  std::thread on_b([&] { file(b_, 30); });
  on_a.join();
  on_b.join();
  EXPECT_EQ(refused.load(), 0);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 60u);

  // 2. One child reported on both nodes at the same moment, ten times over.
  int joined = 0;
  for (int k = 0; k < 10; ++k) {
    const std::string child = "同童" + std::to_string(k), born = "2014-05-1" + std::to_string(k);
    std::latch start(2);
    StatusOr<CommandResult> on[2] = {Unavailable("not run"), Unavailable("not run")};
    std::thread t0([&] {
      start.arrive_and_wait();
      on[0] = report(a_, "same-a-" + std::to_string(k), child, born);
    });
    std::thread t1([&] {
      start.arrive_and_wait();
      on[1] = report(b_, "same-b-" + std::to_string(k), child, born);
    });
    t0.join();
    t1.join();
    ASSERT_OK(on[0].status());
    ASSERT_OK(on[1].status());
    EXPECT_EQ(on[0]->case_id, on[1]->case_id) << child << ": two cases for one child";
    EXPECT_NE(on[0]->joined, on[1]->joined) << child << ": one opens, the other joins";
    joined += on[0]->joined + on[1]->joined;
    auto c = b_.rt->GetCase(on[0]->case_id);
    ASSERT_OK(c.status());
    EXPECT_EQ(Count(on[0]->case_id, "report_joined", "report_with_child"), 1) << child;
    EXPECT_FALSE(c->child_id.empty()) << child;
  }
  EXPECT_EQ(joined, 10);
}

// Node A fires timers after B opened cases, and the outbox's holder has
// expanded B's entries while their deliveries are pending. When outbox ids
// were numbered per node, A (its counter behind B's) handed out B's ids
// again; expanding A's entries overwrote B's pending deliveries: one
// notification never sent, another recorded delivered on the wrong case
// (seen in failover_nodes_test). Every delivery must stay, under its own key.
// A's entries are references into its firing records, or (`firing_records`
// off) entries of their own, which hold their id.
void TwoNodesTest::HandOutOutboxIdsTwice(bool firing_records) {
  RuntimeOptions options = options_;
  options.leases = a_.leases.get();
  options.firing_records = firing_records;
  a_.rt.reset();
  auto rt = Runtime::Create(*a_.store, catalog_, clock_, options);
  ASSERT_OK(rt.status());
  a_.rt = std::move(*rt);
  Node c = MakeNode("node-c", lease_clock_c_, {std::string(kOutboxLease)});
  ASSERT_TRUE(c.leases->Held(kOutboxLease));
  const Instant t0 = clock_.Now();
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) ids.push_back(OpenOn(a_));
  for (int i = 0; i < 10; ++i) ids.push_back(OpenOn(b_));  // after A's ids
  size_t expanded = ExpandAll(c);
  EXPECT_GE(expanded, ids.size());  // each report's notification at least

  // A fires its shard's acceptance deadlines: their notifications take ids
  // from A's counter, which is behind B's.
  clock_.Set(t0 + 2h);
  auto fired = a_.rt->FireDueTimers(kShard0);
  ASSERT_OK(fired.status());
  ASSERT_GT(*fired, 0u);
  expanded += ExpandAll(c);
  ASSERT_TRUE(c.rt->Outbox(10)->empty());

  // Every expanded entry's delivery is pending, under its own key.
  auto due = c.rt->DueDeliveries(clock_.Now(), 1000);
  ASSERT_OK(due.status());
  std::set<std::string> keys;
  for (const Delivery& d : *due) {
    EXPECT_EQ(d.idempotency_key.substr(0, d.case_id.size()), d.case_id) << d.id;
    keys.insert(d.idempotency_key);
  }
  EXPECT_EQ(keys.size(), expanded);
  EXPECT_EQ(due->size(), expanded);
  c.rt.reset();
  c.leases.reset();
  c.store.reset();
}

TEST_F(TwoNodesTest, FiringsOnANodeBehindNeverOverwritePendingDeliveries) {
  HandOutOutboxIdsTwice(/*firing_records=*/true);
}

TEST_F(TwoNodesTest, FiringsWithoutFiringRecordsNeverOverwritePendingDeliveries) {
  HandOutOutboxIdsTwice(/*firing_records=*/false);
}

}  // namespace
}  // namespace shouhu::runtime_test
