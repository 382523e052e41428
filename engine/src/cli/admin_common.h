// What the offline admin commands share: a small option parser and opening a
// data directory that must already exist and must not be in use.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "shouhu/backup.h"  // CountCases
#include "shouhu/status.h"
#include "shouhu/store.h"

namespace shouhu::cli {

// `--name value` (or `--name=value`) for the names in `valued`, `--name` for
// those in `flags`; anything else is an error.
struct Options {
  std::map<std::string, std::string> values;
  std::set<std::string> flags;
  std::string error;  // "" when parsing succeeded

  bool has(const std::string& flag) const { return flags.count(flag) > 0; }
  std::string get(const std::string& name) const {
    auto it = values.find(name);
    return it == values.end() ? "" : it->second;
  }
};
Options ParseOptions(int argc, char** argv, const std::set<std::string>& valued,
                     const std::set<std::string>& flags);
bool WantsHelp(int argc, char** argv);

// Opens an existing data directory, sealed under the key in `key_file` (""
// = a store without encryption). kNotFound when `dir` holds no store;
// kUnavailable, with a hint, when shouhud (or anyone) holds its lock;
// kPermissionDenied when the key does not fit (shouhu/sealed_store.h).
StatusOr<std::unique_ptr<Store>> OpenDataDir(const std::string& dir,
                                             const std::string& key_file);

// Whether `dir` holds a store (RocksDB's CURRENT file).
bool IsDataDir(const std::string& dir);

}  // namespace shouhu::cli
