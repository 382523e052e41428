// What the sealed store's tests share: a key layout like the case store's
// (clear index and audit prefixes, a hashed identity prefix) and new key
// files in a test's directory.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "shouhu/sealed_store.h"
#include "temp_dir.h"

namespace shouhu {

inline const SealingLayout kLayout{{"t/", "a/"}, {"k/i/"}};

inline DataKey NewKey(const TempDir& dir, const std::string& name) {
  auto key = CreateDataKeyFile(dir.Sub(name));
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  return *key;
}

}  // namespace shouhu
