// The sealed store (shouhu/sealed_store.h) on real RocksDB: values sealed on
// disk and bound to their keys, identity keys hashed, key files and keys
// refused, rotation.
#include "shouhu/sealed_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "../../support/assert_ok.h"
#include "store/cipher.h"
#include "sealing_fixture.h"
#include "temp_dir.h"

namespace shouhu {
namespace {

std::unique_ptr<Store> Open(const std::string& dir, const DataKey* key) {
  auto store = OpenSealedStore(dir, {}, key, kLayout);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

// Every key and value of the store as RocksDB holds it.
std::map<std::string, std::string> Raw(const std::string& dir) {
  auto store = OpenRocksStore(dir);
  EXPECT_TRUE(store.ok());
  std::map<std::string, std::string> out;
  EXPECT_TRUE((*store)
                  ->Scan("", "",
                         [&](std::string_view k, std::string_view v) {
                           out.emplace(k, v);
                           return true;
                         })
                  .ok());
  return out;
}

TEST(SealedStoreTest, ValuesAreSealedOnDiskAndOpenThroughTheStore) {
  TempDir dir;
  DataKey key = NewKey(dir, "key");
  const std::string db = dir.Sub("db");
  {
    auto store = Open(db, &key);
    ASSERT_OK(
        store->Commit({Mutation::Put("c/1", "\x01{\"child_name\":\"小明\"}"),
                       Mutation::Put("t/9", "\x01")}));
    auto got = store->Get("c/1");
    ASSERT_OK(got.status());
    EXPECT_EQ(*got, "\x01{\"child_name\":\"小明\"}");
  }
  auto raw = Raw(db);
  ASSERT_TRUE(raw.count("c/1"));
  EXPECT_EQ(raw["c/1"].find("小明"), std::string::npos);
  EXPECT_EQ(SealedKeyId(raw["c/1"]), key.id);
  EXPECT_EQ(raw["t/9"], "\x01") << "a clear prefix stays clear";
}

TEST(SealedStoreTest, ASealedValueMovedToAnotherKeyDoesNotOpen) {
  TempDir dir;
  DataKey key = NewKey(dir, "key");
  const std::string db = dir.Sub("db");
  {
    auto store = Open(db, &key);
    ASSERT_OK(store->Commit(
        {Mutation::Put("c/1", "\x01one"), Mutation::Put("c/2", "\x01two")}));
  }
  {
    auto raw = OpenRocksStore(db);
    ASSERT_OK(raw.status());
    auto one = (*raw)->Get("c/1");
    ASSERT_OK(one.status());
    ASSERT_OK((*raw)->Commit({Mutation::Put("c/2", *one)}));  // the swap
  }
  auto store = Open(db, &key);
  auto got = store->Get("c/2");
  ASSERT_OK(got.status());
  EXPECT_NE(*got, "\x01one");
  EXPECT_EQ(SealedKeyId(*got), key.id)
      << "handed on sealed, so decoders refuse it";
}

TEST(SealedStoreTest, GetManyOpensEachValueAsGetDoes) {
  TempDir dir;
  DataKey key = NewKey(dir, "key");
  const std::string db = dir.Sub("db");
  const std::string identity = "k/i/小明\x1f";
  {
    auto store = Open(db, &key);
    ASSERT_OK(store->Commit({Mutation::Put("c/1", "\x01one"), Mutation::Put("c/2", "\x01two"),
                             Mutation::Put("t/9", "\x01"), Mutation::Put(identity, "\x01K1")}));
  }
  {
    auto raw = OpenRocksStore(db);
    ASSERT_OK(raw.status());
    auto one = (*raw)->Get("c/1");
    ASSERT_OK(one.status());
    ASSERT_OK((*raw)->Commit({Mutation::Put("c/3", *one)}));  // moved to another key
  }
  auto store = Open(db, &key);
  // Sealed under their own names: read in one batch.
  const std::vector<std::string> cases = {"c/2", "c/absent", "c/3", "c/1"};
  std::vector<StatusOr<std::string>> got = store->GetMany(cases);
  ASSERT_EQ(got.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    auto one = store->Get(cases[i]);
    EXPECT_EQ(got[i].status().code(), one.status().code()) << cases[i];
    if (got[i].ok() && one.ok()) {
      EXPECT_EQ(*got[i], *one) << cases[i];
    }
  }
  EXPECT_EQ(got[0].ok() ? *got[0] : "-", "\x01two");
  ASSERT_OK(got[2].status());
  EXPECT_EQ(SealedKeyId(*got[2]), key.id) << "handed on sealed, so decoders refuse it";
  // With a clear key and an identity (hashed) key among them.
  const std::vector<std::string> mixed = {"t/9", identity, "c/1"};
  got = store->GetMany(mixed);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].ok() ? *got[0] : "-", "\x01");
  EXPECT_EQ(got[1].ok() ? *got[1] : "-", "\x01K1");
  EXPECT_EQ(got[2].ok() ? *got[2] : "-", "\x01one");
}

TEST(SealedStoreTest, IdentityKeysAreStoredAsKeyedHashes) {
  TempDir dir;
  DataKey key = NewKey(dir, "key");
  const std::string db = dir.Sub("db");
  const std::string identity =
      "k/i/小明\x1f"
      "2015-06-07\x1f";
  {
    auto store = Open(db, &key);
    ASSERT_OK(store->Commit({Mutation::Put(identity, "\x01K1")}));
    auto got = store->Get(identity);
    ASSERT_OK(got.status());
    EXPECT_EQ(*got, "\x01K1");
    EXPECT_EQ(store->Get("k/i/小红\x1f").status().code(),
              StatusCode::kNotFound);
    std::vector<std::string> keys;
    ASSERT_OK(
        store->Scan("k/i/", "", [&](std::string_view k, std::string_view v) {
          keys.emplace_back(k);
          return true;
        }));
    EXPECT_EQ(keys, std::vector<std::string>{identity});
  }
  for (const auto& [k, v] : Raw(db)) {
    EXPECT_EQ(k.find("小明"), std::string::npos);
    EXPECT_EQ(v.find("小明"), std::string::npos);
  }
  // Another key hashes the same identity elsewhere.
  TempDir other_dir;
  DataKey other = NewKey(other_dir, "key");
  auto other_store = Open(other_dir.Sub("db"), &other);
  ASSERT_OK(other_store->Commit({Mutation::Put(identity, "\x01K1")}));
  std::string key_a, key_b;
  for (const auto& [k, v] : Raw(db)) {
    if (k.starts_with("k/i/")) key_a = k;
  }
  other_store.reset();
  for (const auto& [k, v] : Raw(other_dir.Sub("db"))) {
    if (k.starts_with("k/i/")) key_b = k;
  }
  EXPECT_NE(key_a, key_b);
}

TEST(SealedStoreTest, WrongMissingOrNoKeyIsRefusedBeforeAnythingIsWritten) {
  TempDir dir;
  DataKey key = NewKey(dir, "key"), other = NewKey(dir, "other");
  const std::string db = dir.Sub("db");
  {
    auto store = Open(db, &key);
    ASSERT_OK(store->Commit({Mutation::Put("c/1", "x")}));
  }
  auto wrong = OpenSealedStore(db, {}, &other, kLayout);
  EXPECT_EQ(wrong.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(wrong.status().message().find("wrong data key"), std::string::npos);
  auto none = OpenSealedStore(db, {}, nullptr, kLayout);
  EXPECT_EQ(none.status().code(), StatusCode::kPermissionDenied);
  // Same id, other bytes.
  DataKey forged = other;
  forged.id = key.id;
  auto damaged = OpenSealedStore(db, {}, &forged, kLayout);
  EXPECT_NE(damaged.status().message().find("does not open its check value"),
            std::string::npos);

  // A clear store with data is refused with a key; an empty one is adopted.
  const std::string clear = dir.Sub("clear");
  {
    auto store = Open(clear, nullptr);
    ASSERT_OK(store->Commit({Mutation::Put("c/1", "x")}));
  }
  EXPECT_EQ(OpenSealedStore(clear, {}, &key, kLayout).status().code(),
            StatusCode::kFailedPrecondition);
  { auto empty = Open(dir.Sub("empty"), nullptr); }
  EXPECT_NE(Open(dir.Sub("empty"), &key), nullptr);
}

TEST(SealedStoreTest, KeyFilesReadableByOthersOrMalformedAreRefused) {
  TempDir dir;
  DataKey key = NewKey(dir, "key");
  auto read = ReadDataKeyFile(dir.Sub("key"));
  ASSERT_OK(read.status());
  EXPECT_EQ(read->id, key.id);
  EXPECT_EQ(read->bytes, key.bytes);
  EXPECT_EQ(CreateDataKeyFile(dir.Sub("key")).status().code(),
            StatusCode::kAlreadyExists);
  for (mode_t mode : {0640, 0604, 0620}) {
    ASSERT_EQ(::chmod(dir.Sub("key").c_str(), mode), 0);
    auto refused = ReadDataKeyFile(dir.Sub("key"));
    EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
    char text[8];
    std::snprintf(text, sizeof text, "%04o", mode);
    EXPECT_NE(
        refused.status().message().find(dir.Sub("key") + " has mode " + text),
        std::string::npos)
        << refused.status().message();
  }
  std::ofstream(dir.Sub("bad")) << "shouhu-key-v1 12345678 abcd\n";
  ::chmod(dir.Sub("bad").c_str(), 0600);
  EXPECT_EQ(ReadDataKeyFile(dir.Sub("bad")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadDataKeyFile(dir.Sub("none")).status().code(),
            StatusCode::kNotFound);
}

TEST(SealedStoreTest, RotationResealsEveryRecordAndFinishesAnInterruptedOne) {
  TempDir dir;
  DataKey old_key = NewKey(dir, "old"), new_key = NewKey(dir, "new");
  const std::string db = dir.Sub("db");
  const std::string identity = "k/i/小明\x1f";
  {
    auto store = Open(db, &old_key);
    std::vector<Mutation> batch;
    for (int i = 0; i < 1500; ++i) {
      batch.push_back(Mutation::Put("c/" + std::to_string(i),
                                    "\x01value" + std::to_string(i)));
    }
    batch.push_back(Mutation::Put(identity, "\x01K1"));
    batch.push_back(Mutation::Put("t/1", "\x01"));
    ASSERT_OK(store->Commit(std::move(batch)));
  }
  // An interrupted rotation: the mark is there, some records re-sealed.
  {
    auto raw = OpenRocksStore(db);
    ASSERT_OK((*raw)->Commit(
        {Mutation::Put("s/rotating", DataKeyIdText(new_key.id))}));
  }
  auto refused = OpenSealedStore(db, {}, &old_key, kLayout);
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("was interrupted"),
            std::string::npos);
  DataKey third = NewKey(dir, "third");
  EXPECT_EQ(RotateSealedStore(db, &old_key, third, kLayout).status().code(),
            StatusCode::kFailedPrecondition)
      << "only the rotation begun may finish";

  auto report = RotateSealedStore(db, &old_key, new_key, kLayout);
  ASSERT_OK(report.status());
  EXPECT_EQ(report->resealed, 1501u);
  EXPECT_EQ(report->clear, 1u);
  for (const auto& [k, v] : Raw(db)) {
    if (k.starts_with("c/") || k.starts_with("k/i/")) {
      EXPECT_EQ(SealedKeyId(v), new_key.id) << k;
    }
  }
  EXPECT_EQ(OpenSealedStore(db, {}, &old_key, kLayout).status().code(),
            StatusCode::kPermissionDenied);
  auto store = Open(db, &new_key);
  auto got = store->Get("c/1499");
  ASSERT_OK(got.status());
  EXPECT_EQ(*got, "\x01value1499");
  auto child = store->Get(identity);
  ASSERT_OK(child.status());
  EXPECT_EQ(*child, "\x01K1");
  store.reset();
  // Again: nothing left to do.
  auto again = RotateSealedStore(db, &old_key, new_key, kLayout);
  ASSERT_OK(again.status());
  EXPECT_EQ(again->resealed, 0u);
  EXPECT_EQ(again->already, 1501u);
}

// Nonces are drawn in batches per thread: two seals never share one, nor do
// a parent and the child it forks after drawing a batch.
TEST(SealedStoreTest, NoncesAreNeverReusedAcrossSealsOrAFork) {
  TempDir dir;
  DataKey key = NewKey(dir, "key");
  Cipher cipher(key);
  auto nonce = [](const std::string& sealed) { return sealed.substr(5, 24); };
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(seen.insert(nonce(cipher.Seal("c/1", "same"))).second);
  }
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    std::string n = nonce(cipher.Seal("c/1", "same"));
    _exit(::write(fds[1], n.data(), n.size()) == 24 ? 0 : 1);
  }
  std::string parent = nonce(cipher.Seal("c/1", "same"));
  char child[24];
  ASSERT_EQ(::read(fds[0], child, 24), 24);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(fds[0]);
  ::close(fds[1]);
  EXPECT_NE(std::string(child, 24), parent);
  EXPECT_FALSE(seen.count(std::string(child, 24)));
}

}  // namespace
}  // namespace shouhu

namespace shouhu {
namespace {

// A search index's entries (term keys): the term is stored hashed and the id
// clear, a scan of one term finds its ids and no other term's, and rotation
// hashes the terms again under the new key.
TEST(SealedStoreTest, TermKeysHideTheTermAndScanByIt) {
  TempDir dir;
  DataKey old_key = NewKey(dir, "old"), new_key = NewKey(dir, "new");
  const std::string db = dir.Sub("db");
  const SealingLayout layout{{"t/"}, {"k/i/"}, {"k/x/"}};
  auto ids_of = [](Store& store, const std::string& term) {
    std::vector<std::string> ids;
    const std::string prefix = "k/x/" + term + std::string(1, '\0');
    Status s = store.Scan(prefix, "", [&](std::string_view k, std::string_view v) {
      EXPECT_TRUE(k.starts_with(prefix));
      EXPECT_EQ(v, "\x01");
      ids.emplace_back(k.substr(prefix.size()));
      return true;
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return ids;
  };
  const std::string zhang = std::string("v1\0n:张小", 10);
  const std::string wang = std::string("v1\0n:王", 7);
  {
    auto store = OpenSealedStore(db, {}, &old_key, layout);
    ASSERT_OK(store.status());
    ASSERT_OK((*store)->Commit({Mutation::Put("k/x/" + zhang + '\0' + "K1", "\x01"),
                                Mutation::Put("k/x/" + zhang + '\0' + "K2", "\x01"),
                                Mutation::Put("k/x/" + wang + '\0' + "K3", "\x01")}));
    EXPECT_EQ(ids_of(**store, zhang), (std::vector<std::string>{"K1", "K2"}));
    EXPECT_EQ(ids_of(**store, wang), (std::vector<std::string>{"K3"}));
    ASSERT_OK((*store)->Commit({Mutation::Delete("k/x/" + zhang + '\0' + "K1")}));
    EXPECT_EQ(ids_of(**store, zhang), (std::vector<std::string>{"K2"}));
  }
  auto raw_keys = [&] {
    std::vector<std::string> keys;
    for (const auto& [k, v] : Raw(db)) {
      if (!k.starts_with("k/x/")) continue;
      keys.push_back(k);
      EXPECT_EQ(k.find("张"), std::string::npos);
      EXPECT_EQ(k.find("v1"), std::string::npos);
      EXPECT_EQ(v.find("张"), std::string::npos);
    }
    return keys;
  };
  std::vector<std::string> before = raw_keys();
  ASSERT_EQ(before.size(), 2u);
  EXPECT_TRUE(before[0].ends_with(std::string(1, '\0') + "K2") ||
              before[1].ends_with(std::string(1, '\0') + "K2"));
  ASSERT_OK(RotateSealedStore(db, &old_key, new_key, layout).status());
  std::vector<std::string> after = raw_keys();
  ASSERT_EQ(after.size(), 2u);
  for (const std::string& k : after) {
    EXPECT_EQ(std::count(before.begin(), before.end(), k), 0) << "the hash changes with the key";
  }
  auto store = OpenSealedStore(db, {}, &new_key, layout);
  ASSERT_OK(store.status());
  EXPECT_EQ(ids_of(**store, zhang), (std::vector<std::string>{"K2"}));
  EXPECT_EQ(ids_of(**store, wang), (std::vector<std::string>{"K3"}));
}

}  // namespace
}  // namespace shouhu
