// A data key file for tests that start shouhud (shouhu/sealed_store.h): the
// format `shouhu key init` writes, mode 0600. Header-only, so tests that do
// not link the store can make one.
#pragma once

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <string>

namespace shouhu::testing {

// Writes a fresh random key to `path`; returns its id (8 hex digits).
inline std::string WriteTestKeyFile(const std::string& path) {
  std::random_device random;
  auto hex = [&](int digits) {
    std::string out;
    for (int i = 0; i < digits; ++i)
      out.push_back("0123456789abcdef"[random() % 16]);
    return out;
  };
  std::string id = hex(8);
  while (id == "00000000") id = hex(8);
  std::ofstream(path) << "shouhu-key-v1 " << id << " " << hex(64) << "\n";
  ::chmod(path.c_str(), 0600);
  return id;
}

}  // namespace shouhu::testing
