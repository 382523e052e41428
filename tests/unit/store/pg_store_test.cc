// The PostgreSQL store's own faults and set-up, on a throw-away cluster
// (tests/support/pg_cluster.h): the server stopped under load and started
// again (the store reconnects by itself; acknowledged commits stay and the
// hash chain has no gap or fork), a read-only server, the schema's version,
// two nodes opening at once, bad DSNs. The Store contract itself is tested
// in store_conformance_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "../../support/assert_ok.h"
#include "backend_fixture.h"
#include "sealing_fixture.h"
#include "store/cipher.h"
#include "shouhu/sealed_store.h"
#include "shouhu/chain.h"
#include "shouhu/store.h"
#include "store/pg_conn.h"
#include "store/pg_store.h"

namespace shouhu {
namespace {

constexpr std::string_view kChain = "log/";

Mutation Append(std::string payload) {
  return Mutation::ChainedAppend(std::string(kChain), std::move(payload));
}

class PgStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(pg_.ok()) << pg_.error(); }

  std::unique_ptr<Store> Open() {
    auto store = OpenPostgresStore(pg_.Dsn());
    if (!store.ok()) {
      ADD_FAILURE() << store.status().ToString();
      return nullptr;
    }
    return std::move(store).value();
  }
  ChainReport Verify(Store& store) {
    auto report = VerifyChain(store, kChain);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : ChainReport{};
  }
  // Restarts the server with `setting` in its configuration ("" to remove
  // what an earlier call set).
  void RestartWith(const std::string& setting) {
    // A session of its own that may write even on a read-only server.
    ASSERT_TRUE(pg_.Sql(setting.empty() ? "ALTER SYSTEM RESET default_transaction_read_only"
                                        : "ALTER SYSTEM SET " + setting,
                        "options='-c default_transaction_read_only=off'"))
        << pg_.error();
    ASSERT_TRUE(pg_.Stop()) << pg_.error();
    ASSERT_TRUE(pg_.Start()) << pg_.error() << pg_.Log();
  }

  testing::PgCluster pg_;
};

// The server goes away with commits in flight: each commit is acknowledged
// or fails kUnavailable, WriteHealth says the server is unreachable, and
// once it is back the same store object commits again. Every acknowledged
// commit is there, and the chain is one line (a commit cut off in doubt
// may be there too, but never as a fork or a gap).
TEST_F(PgStoreTest, ServerStoppedUnderLoadAndStartedAgainWithoutReopening) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 8;
  std::atomic<int> phase{0};  // 0: before the stop, 1: stopped, 2: started
  std::atomic<int> acked_before{0}, failed_while_stopped{0}, acked_after{0};
  std::vector<std::vector<std::string>> acked(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; acked_after.load() < 200; ++i) {
        const int seen = phase.load();
        const std::string id = std::to_string(t) + ":" + std::to_string(i);
        Status s = store->Commit({Mutation::Put("data/" + id, id), Append(id)});
        if (s.ok()) {
          acked[t].push_back(id);
          (seen == 2 ? acked_after : acked_before).fetch_add(1);
        } else {
          EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
          if (seen == 1) failed_while_stopped.fetch_add(1);
        }
      }
    });
  }
  while (acked_before.load() < 200) std::this_thread::yield();
  ASSERT_TRUE(pg_.Stop()) << pg_.error();
  phase = 1;
  while (failed_while_stopped.load() < kThreads) std::this_thread::yield();
  Status health = store->WriteHealth();
  EXPECT_EQ(health.code(), StatusCode::kUnavailable);
  EXPECT_NE(health.message().find("cannot connect"), std::string::npos) << health.ToString();
  EXPECT_EQ(store->Get("data/0:0").status().code(), StatusCode::kUnavailable);
  ASSERT_TRUE(pg_.Start()) << pg_.error();
  phase = 2;
  for (std::thread& t : threads) t.join();

  ASSERT_OK(store->WriteHealth());
  for (int t = 0; t < kThreads; ++t) {
    for (const std::string& id : acked[t]) {
      ASSERT_EQ(GetOr(*store, "data/" + id, "-"), id) << "acknowledged, then lost";
    }
  }
  ChainReport report = Verify(*store);
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_GE(report.records, uint64_t(acked_before.load() + acked_after.load()));
}

// A server whose new transactions are read-only (default_transaction_read_
// only, as during a switchover): WriteHealth names it, commits fail
// kUnavailable and leave no chain gap, reads go on; writes resume without
// reopening once the server is writable again.
TEST_F(PgStoreTest, ReadOnlyServerIsNamedAndWritesResumeAfterIt) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Commit({Mutation::Put("k", "1"), Append("a")}));
  RestartWith("default_transaction_read_only = on");
  Status health = store->WriteHealth();
  EXPECT_EQ(health.code(), StatusCode::kUnavailable);
  EXPECT_NE(health.message().find("read-only"), std::string::npos) << health.ToString();
  Status s = store->Commit({Mutation::Put("k", "2"), Append("refused")});
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("read-only"), std::string::npos) << s.ToString();
  EXPECT_EQ(GetOr(*store, "k", "-"), "1");

  RestartWith("");
  ASSERT_OK(store->WriteHealth());
  ASSERT_OK(store->Commit({Mutation::Put("k", "3"), Append("b")}));
  EXPECT_EQ(GetOr(*store, "k", "-"), "3");
  ChainReport report = Verify(*store);
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.records, 2u);
}

// A standby (in recovery: after a failover, the old primary come back as a
// replica): reads work, WriteHealth names it, commits fail kUnavailable.
TEST_F(PgStoreTest, StandbyIsNamedByWriteHealth) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Commit({Mutation::Put("k", "1")}));
  ASSERT_TRUE(pg_.Stop()) << pg_.error();
  std::ofstream(pg_.dir() + "/data/standby.signal").flush();
  ASSERT_TRUE(pg_.Start()) << pg_.error() << pg_.Log();
  Status health = store->WriteHealth();
  EXPECT_EQ(health.code(), StatusCode::kUnavailable);
  EXPECT_NE(health.message().find("standby"), std::string::npos) << health.ToString();
  EXPECT_EQ(GetOr(*store, "k", "-"), "1");
  EXPECT_EQ(store->Commit({Mutation::Put("k", "2")}).code(), StatusCode::kUnavailable);
}

// Two nodes starting together on an empty database: the advisory lock makes
// one create the schema and the other find it.
TEST_F(PgStoreTest, NodesOpeningTogetherMigrateOnce) {
  constexpr int kNodes = 4;
  std::vector<Status> results(kNodes);
  std::vector<std::thread> threads;
  for (int i = 0; i < kNodes; ++i) {
    threads.emplace_back([&, i] {
      auto store = OpenPostgresStore(pg_.Dsn());
      results[i] = store.status();
      if (store.ok()) results[i] = (*store)->Commit({Mutation::Put("node/" + std::to_string(i), "")});
    });
  }
  for (std::thread& t : threads) t.join();
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.ToString();
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(ScanAll(*store, "node/", "").size(), size_t{kNodes});
}

// Two nodes appending to one hash chain at once, each from the heads it
// knows: a node whose head another node moved on writes its group again
// under the chains' lock with the heads read afresh, so no append is ever
// refused and the chain stays one chain, with no gap or fork.
TEST_F(PgStoreTest, TwoNodesAppendingToOneChainAtOnceAreNeverRefused) {
  constexpr int kPerNode = 150;
  auto a = Open(), b = Open();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  std::atomic<int> refused{0};
  auto append = [&](Store& store, const std::string& node) {
    for (int i = 0; i < kPerNode; ++i) {
      Status s = store.Commit({Mutation::Put(node + "/" + std::to_string(i), "v"),
                               Append(node + " " + std::to_string(i))});
      if (!s.ok()) {
        ADD_FAILURE() << node << " " << i << ": " << s.ToString();
        ++refused;
      }
    }
  };
  std::thread on_a([&] { append(*a, "a"); });
  std::thread on_b([&] { append(*b, "b"); });
  on_a.join();
  on_b.join();
  EXPECT_EQ(refused.load(), 0);
  ChainReport report = Verify(*a);
  EXPECT_TRUE(report.ok);
  EXPECT_EQ(report.records, uint64_t{2 * kPerNode});
  EXPECT_EQ(report.intact, uint64_t{2 * kPerNode});
}

// Ids several nodes take from the store at once are never the same twice,
// increase within each call, and go on after the greatest id the caller has
// seen (data copied in from elsewhere), through the sealing layer too.
TEST_F(PgStoreTest, IdsTakenOnTwoNodesAtOnceNeverRepeat) {
  auto a = Open(), b = Open();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  std::vector<uint64_t> taken[2];
  auto take = [&](Store& store, std::vector<uint64_t>& out) {
    for (int i = 0; i < 60; ++i) {
      auto ids = store.TakeIds("outbox", 3, 0);
      ASSERT_OK(ids.status());
      ASSERT_EQ(ids->size(), 3u);
      EXPECT_TRUE(std::is_sorted(ids->begin(), ids->end()));
      out.insert(out.end(), ids->begin(), ids->end());
    }
  };
  std::thread on_a([&] { take(*a, taken[0]); });
  std::thread on_b([&] { take(*b, taken[1]); });
  on_a.join();
  on_b.join();
  std::set<uint64_t> all(taken[0].begin(), taken[0].end());
  all.insert(taken[1].begin(), taken[1].end());
  EXPECT_EQ(all.size(), 360u);

  // A case counter behind the data: the ids go on after it, on every node.
  auto after = a->TakeIds("case", 1, 5000);
  ASSERT_OK(after.status());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_GT(after->front(), 5000u);
  auto next = b->TakeIds("case", 2, 0);
  ASSERT_OK(next.status());
  ASSERT_EQ(next->size(), 2u);
  EXPECT_GT(next->front(), after->front());
  EXPECT_EQ(a->TakeIds("cases", 1, 0).status().code(), StatusCode::kInvalidArgument);

  TempDir dir;
  DataKey key = NewKey(dir, "key");
  auto sealed = SealOpenStore(Open(), "pg", &key, kLayout);
  ASSERT_OK(sealed.status());
  auto through = (*sealed)->TakeIds("case", 1, 0);
  ASSERT_OK(through.status());
  ASSERT_EQ(through->size(), 1u);
  EXPECT_GT(through->front(), next->back());
}

TEST_F(PgStoreTest, ADatabaseOfANewerSchemaIsRefused) {
  ASSERT_NE(Open(), nullptr);
  ASSERT_TRUE(pg_.Sql("INSERT INTO shouhu_schema (version) VALUES (1000)")) << pg_.error();
  auto store = OpenPostgresStore(pg_.Dsn());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("1000"), std::string::npos)
      << store.status().ToString();
}

// Encryption of personal data sits above the store: on PostgreSQL the rows
// hold sealed values and hashed identity keys, and the key checks refuse a
// missing or wrong key before anything is written.
TEST_F(PgStoreTest, SealedStoreSitsOnPostgres) {
  TempDir dir;
  DataKey key = NewKey(dir, "key"), other = NewKey(dir, "other");
  {
    auto sealed = SealOpenStore(Open(), "pg", &key, kLayout);
    ASSERT_OK(sealed.status());
    ASSERT_OK((*sealed)->Commit({Mutation::Put("c/1", "\x01小明"), Mutation::Put("k/i/110101", "c/1"),
                                 Mutation::Put("t/9", "clear")}));
    EXPECT_EQ(GetOr(**sealed, "c/1", "-"), "\x01小明");
    EXPECT_EQ(ScanAll(**sealed, "k/i/", ""), (KeyValues{{"k/i/110101", "c/1"}}));
  }
  auto raw = Open();
  ASSERT_NE(raw, nullptr);
  const std::string row = GetOr(*raw, "c/1", "-");
  EXPECT_EQ(row.find("小明"), std::string::npos);
  EXPECT_EQ(SealedKeyId(row), key.id);
  EXPECT_EQ(GetOr(*raw, "t/9", "-"), "clear") << "the layout's clear prefix";
  for (const auto& [k, v] : ScanAll(*raw, "k/i/", "")) {
    EXPECT_EQ(k.find("110101"), std::string::npos) << "identity keys are hashed";
  }
  EXPECT_EQ(SealOpenStore(std::move(raw), "pg", nullptr, kLayout).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(SealOpenStore(Open(), "pg", &other, kLayout).status().code(),
            StatusCode::kPermissionDenied);
  auto rotatable = SealOpenStoreRotatable(Open(), "pg", key, kLayout);
  ASSERT_OK(rotatable.status());
  EXPECT_EQ(GetOr(**rotatable, "c/1", "-"), "\x01小明");
}

TEST_F(PgStoreTest, BadDsnsAreRefusedClearly) {
  EXPECT_EQ(OpenPostgresStore("").status().code(), StatusCode::kInvalidArgument);
  Status s = CheckPostgresDsn("host=/tmp dbname");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("dbname"), std::string::npos) << s.ToString();
  EXPECT_EQ(CheckPostgresDsn("postgresql://h1,h2/shouhu?target_session_attrs=read-write").code(),
            StatusCode::kOk);
  // A server that is not there: kUnavailable, worth retrying.
  auto absent = OpenPostgresStore("host=" + pg_.dir() + "/nowhere port=5432 user=postgres");
  EXPECT_EQ(absent.status().code(), StatusCode::kUnavailable) << absent.status().ToString();
}

// Readers share a few connections instead of opening one per read (a new
// server process each): under 32 threads, never more than the pool's size
// are open, and every read is answered.
TEST_F(PgStoreTest, ManyReadersShareABoundedPool) {
  pg::Pool pool(pg_.Dsn(), 4, std::chrono::seconds(30));
  std::atomic<size_t> most{0}, answered{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 32; ++t) {
    readers.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        auto conn = pool.Take();
        ASSERT_OK(conn.status());
        size_t open = pool.open();
        for (size_t m = most.load(); open > m && !most.compare_exchange_weak(m, open);) {
        }
        auto r = (*conn)->Exec("test", "SELECT 1");
        ASSERT_OK(r.status());
        ++answered;
      }
    });
  }
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(answered.load(), 32u * 20u);
  EXPECT_LE(most.load(), 4u);
  EXPECT_GE(most.load(), 1u);
}

// A scan's callback may read while its scan holds a connection: with every
// connection taken, a reader opens an extra one after a short wait rather
// than wait for ever, and the extra one is closed when given back.
TEST_F(PgStoreTest, AFullPoolLendsAnExtraConnectionRatherThanWaitForEver) {
  pg::Pool pool(pg_.Dsn(), 1, std::chrono::milliseconds(10));
  auto held = pool.Take();
  ASSERT_OK(held.status());
  {
    auto extra = pool.Take();
    ASSERT_OK(extra.status());
    ASSERT_OK((*extra)->Exec("test", "SELECT 1").status());
    EXPECT_EQ(pool.open(), 1u);
  }
  EXPECT_EQ(pool.open(), 1u);
  {
    auto moved = std::move(*held);
  }  // given back: the next taker gets it without opening another
  auto again = pool.Take();
  ASSERT_OK(again.status());
  EXPECT_EQ(pool.open(), 1u);
}

}  // namespace
}  // namespace shouhu
