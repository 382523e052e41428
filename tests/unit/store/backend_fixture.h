// The store backends under test, for the conformance suite: one fixture
// that opens a RocksDB store in a temporary directory or a PostgreSQL store
// on a throw-away cluster (tests/support/pg_cluster.h), chosen by the test's
// parameter, and small helpers to read the store.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../../support/pg_cluster.h"
#include "shouhu/store.h"
#include "store/pg_store.h"
#include "temp_dir.h"

namespace shouhu {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

inline std::string GetOr(Store& store, std::string_view key, std::string absent) {
  StatusOr<std::string> value = store.Get(key);
  if (value.status().code() == StatusCode::kNotFound) return absent;
  EXPECT_TRUE(value.ok()) << value.status().ToString();
  return value.ok() ? *value : absent;
}

inline KeyValues ScanAll(Store& store, std::string_view prefix, std::string_view start,
                         size_t limit = 1u << 30) {
  KeyValues out;
  Status s = store.Scan(prefix, start, [&](std::string_view k, std::string_view v) {
    out.emplace_back(std::string(k), std::string(v));
    return out.size() < limit;
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

enum class Backend { kRocksDB, kPostgreSQL };

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kRocksDB ? "RocksDB" : "PostgreSQL";
}

class BackendTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kPostgreSQL) {
      // No skipping: a missing PostgreSQL is a failure (CI installs it).
      pg_ = std::make_unique<testing::PgCluster>();
      ASSERT_TRUE(pg_->ok()) << pg_->error();
    }
  }

  // A store on this test's data: the same data each time it is called.
  std::unique_ptr<Store> Open(const StoreOptions& options = {}) {
    StatusOr<std::unique_ptr<Store>> store =
        GetParam() == Backend::kRocksDB ? OpenRocksStore(dir_.Sub("db"), options)
                                        : OpenPostgresStore(pg_->Dsn(), options);
    if (!store.ok()) {
      ADD_FAILURE() << "open: " << store.status().ToString();
      return nullptr;
    }
    return std::move(store).value();
  }

  TempDir dir_;
  std::unique_ptr<testing::PgCluster> pg_;
};

}  // namespace shouhu
