// Online key rotation of the sealed store (RotatableStore) on real RocksDB:
// records re-sealed in batches while writes go on, none of them lost or
// overwritten with an older value; identity keys moved to the new key's
// hash; a store reopened mid-way goes on; the old key refused afterwards.
#include <gtest/gtest.h>

#include <thread>

#include "../../support/assert_ok.h"
#include "shouhu/sealed_store.h"
#include "store/cipher.h"
#include "sealing_fixture.h"
#include "temp_dir.h"

namespace shouhu {
namespace {

std::unique_ptr<RotatableStore> Open(const std::string& db, const DataKey& key,
                                     StoreOptions options = {}) {
  auto store = OpenRotatableStore(db, options, key, kLayout);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

// Every stored key and the id of the key its value is sealed under (0: clear).
std::map<std::string, uint32_t> SealedBy(const std::string& db) {
  auto raw = OpenRocksStore(db);
  EXPECT_TRUE(raw.ok());
  std::map<std::string, uint32_t> out;
  EXPECT_TRUE((*raw)->Scan("", "", [&](std::string_view k, std::string_view v) {
    out.emplace(k, SealedKeyId(v).value_or(0));
    return true;
  }).ok());
  return out;
}

// The records under `prefix`, as the store gives them.
std::map<std::string, std::string> Records(Store& store, const std::string& prefix) {
  std::map<std::string, std::string> out;
  EXPECT_TRUE(store.Scan(prefix, "", [&](std::string_view k, std::string_view v) {
    out.emplace(k, v);
    return true;
  }).ok());
  return out;
}

std::string ValueOf(const StatusOr<std::string>& r) {
  return r.ok() ? *r : "(" + r.status().ToString() + ")";
}

void Fill(Store& store, int n) {
  std::vector<Mutation> batch;
  for (int i = 0; i < n; ++i) {
    batch.push_back(Mutation::Put("c/" + std::to_string(1000 + i), "old" + std::to_string(i)));
  }
  batch.push_back(Mutation::Put("k/i/小明\x1f" "2015", "child-1"));
  batch.push_back(Mutation::Put("k/i/小红\x1f" "2016", "child-2"));
  batch.push_back(Mutation::Put("t/1", "clear"));
  ASSERT_OK(store.Commit(std::move(batch)));
}

TEST(OnlineRotationTest, ResealsInBatchesWhileWritesGoOnAndForgetsTheOldKey) {
  TempDir dir;
  DataKey old_key = NewKey(dir, "old"), new_key = NewKey(dir, "new");
  const std::string db = dir.Sub("db");
  {
    auto store = Open(db, old_key);
    Fill(*store, 300);
    EXPECT_EQ(store->BeginRotation(old_key, dir.Sub("old")).code(), StatusCode::kInvalidArgument);
    ASSERT_OK(store->BeginRotation(new_key, dir.Sub("new")));
    EXPECT_EQ(store->BeginRotation(new_key, dir.Sub("new")).code(),
              StatusCode::kFailedPrecondition);
    auto p = store->ContinueRotation(50);
    ASSERT_OK(p.status());
    EXPECT_TRUE(p->rotating);
    EXPECT_EQ(p->resealed, 50u);
    EXPECT_EQ(p->key_id, new_key.id);
    EXPECT_EQ(p->from, old_key.id);
    // Writes meanwhile: under the new key at once, also to records the
    // rotation has not reached, and to an identity not yet moved.
    ASSERT_OK(store->Commit({Mutation::Put("c/1299", "new299"), Mutation::Put("c/2000", "fresh"),
                             Mutation::Put("k/i/小红\x1f" "2016", "child-2b"),
                             Mutation::Delete("c/1298")}));
    auto red = store->Get("k/i/小红\x1f" "2016");
    ASSERT_OK(red.status());
    EXPECT_EQ(*red, "child-2b");
    auto ming = store->Get("k/i/小明\x1f" "2015");  // still under the old hash
    ASSERT_OK(ming.status());
    EXPECT_EQ(*ming, "child-1");
    for (int i = 0; i < 100 && p->rotating; ++i) {
      p = store->ContinueRotation(50);
      ASSERT_OK(p.status());
    }
    EXPECT_FALSE(p->rotating);
    EXPECT_EQ(p->key_id, new_key.id);
    EXPECT_EQ(ValueOf(store->Get("c/1299")), "new299") << "a newer value kept";
    EXPECT_EQ(store->Get("c/1298").status().code(), StatusCode::kNotFound) << "a delete kept";
    EXPECT_EQ(ValueOf(store->Get("c/1000")), "old0");
    EXPECT_EQ(ValueOf(store->Get("k/i/小明\x1f" "2015")), "child-1");
    EXPECT_EQ(Records(*store, "k/i/").size(), 2u)
        << "one record per identity, none left under the old hash";
  }
  for (const auto& [k, id] : SealedBy(db)) {
    if (k.starts_with("c/") || k.starts_with("k/i/") || k == "s/key") {
      EXPECT_EQ(id, new_key.id) << k;
    }
  }
  EXPECT_EQ(SealedBy(db).count("s/rotating"), 0u);
  EXPECT_EQ(OpenRotatableStore(db, {}, old_key, kLayout).status().code(),
            StatusCode::kPermissionDenied);
  auto store = Open(db, new_key);
  EXPECT_FALSE(store->Progress().rotating);
  EXPECT_EQ(ValueOf(store->Get("c/2000")), "fresh");
}

// Writers on many threads while the rotation runs on another: every key ends
// with the last value written to it, none with an older one re-sealed.
TEST(OnlineRotationTest, NoWriteIsLostToAConcurrentReseal) {
  TempDir dir;
  DataKey old_key = NewKey(dir, "old"), new_key = NewKey(dir, "new");
  auto store = Open(dir.Sub("db"), old_key);
  constexpr int kKeys = 80, kWriters = 4, kRounds = 3;
  Fill(*store, kKeys);
  ASSERT_OK(store->BeginRotation(new_key, dir.Sub("new")));
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int round = 0; round < kRounds; ++round) {
        for (int i = w; i < kKeys; i += kWriters) {
          EXPECT_TRUE(store->Commit({Mutation::Put("c/" + std::to_string(1000 + i),
                                                   "w" + std::to_string(round))}).ok());
        }
      }
    });
  }
  for (;;) {
    auto p = store->ContinueRotation(3);
    ASSERT_OK(p.status());
    if (!p->rotating) break;
  }
  for (std::thread& t : writers) t.join();
  const std::map<std::string, std::string> seen = Records(*store, "c/");
  ASSERT_EQ(seen.size(), static_cast<size_t>(kKeys));
  for (const auto& [k, v] : seen) EXPECT_EQ(v, "w" + std::to_string(kRounds - 1)) << k;
  EXPECT_FALSE(store->Progress().rotating);
}

TEST(OnlineRotationTest, AStoreReopenedMidWayGoesOnWithTheKeyFileItNames) {
  TempDir dir;
  DataKey old_key = NewKey(dir, "old"), new_key = NewKey(dir, "new");
  const std::string db = dir.Sub("db");
  {
    auto store = Open(db, old_key);
    Fill(*store, 100);
    ASSERT_OK(store->BeginRotation(new_key, dir.Sub("new")));
    ASSERT_OK(store->ContinueRotation(20).status());
  }  // as after a crash: half under each key
  // The offline open refuses it; the daemon's open goes on.
  EXPECT_EQ(OpenSealedStore(db, {}, &old_key, kLayout).status().code(),
            StatusCode::kFailedPrecondition);
  {
    auto store = Open(db, old_key);
    RotationProgress p = store->Progress();
    EXPECT_TRUE(p.rotating);
    EXPECT_EQ(p.key_id, new_key.id);
    EXPECT_EQ(p.key_file, dir.Sub("new"));
    for (int i = 0; i < 100; ++i) {
      EXPECT_EQ(ValueOf(store->Get("c/" + std::to_string(1000 + i))), "old" + std::to_string(i));
    }
    EXPECT_EQ(ValueOf(store->Get("k/i/小明\x1f" "2015")), "child-1");
    ASSERT_OK(store->ContinueRotation(10).status());
  }
  // Without its new key file it cannot go on, and says so.
  ASSERT_EQ(::rename(dir.Sub("new").c_str(), dir.Sub("moved").c_str()), 0);
  auto lost = OpenRotatableStore(db, {}, old_key, kLayout);
  EXPECT_EQ(lost.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(lost.status().message().find("cannot go on"), std::string::npos)
      << lost.status().message();
  // The offline rotation finishes it too.
  DataKey moved = *ReadDataKeyFile(dir.Sub("moved"));
  auto report = RotateSealedStore(db, &old_key, moved, kLayout);
  ASSERT_OK(report.status());
  EXPECT_GT(report->already, 0u);
  EXPECT_GT(report->resealed, 0u);
  auto store = Open(db, moved);
  EXPECT_FALSE(store->Progress().rotating);
  EXPECT_EQ(ValueOf(store->Get("c/1099")), "old99");
}

}  // namespace
}  // namespace shouhu
