#include "cli/admin_common.h"

#include <cstring>
#include <filesystem>
#include <optional>

#include "shouhu/data_store.h"

namespace shouhu::cli {

Options ParseOptions(int argc, char** argv, const std::set<std::string>& valued,
                     const std::set<std::string>& flags) {
  Options out;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool inline_value = false;
    if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      inline_value = true;
    }
    if (valued.count(arg)) {
      if (!inline_value) {
        if (i + 1 >= argc) {
          out.error = arg + " needs a value";
          return out;
        }
        value = argv[++i];
      }
      out.values[arg] = value;
    } else if (flags.count(arg) && !inline_value) {
      out.flags.insert(arg);
    } else {
      out.error = "unknown argument \"" + std::string(argv[i]) + "\"";
      return out;
    }
  }
  return out;
}

bool WantsHelp(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
      return true;
    }
  }
  return false;
}

bool IsDataDir(const std::string& dir) {
  std::error_code ec;
  return std::filesystem::is_regular_file(std::filesystem::path(dir) / "CURRENT",
                                          ec);
}

StatusOr<std::unique_ptr<Store>> OpenDataDir(const std::string& dir,
                                             const std::string& key_file) {
  // OpenRocksStore would create a missing store; an admin command must not.
  if (!IsDataDir(dir)) {
    return NotFound(dir + " is not a shouhu data directory (no store in it)");
  }
  std::optional<DataKey> key;
  if (!key_file.empty()) {
    auto read = ReadDataKeyFile(key_file);
    if (!read.ok()) return read.status();
    key = std::move(*read);
  }
  auto store = OpenDataStore(dir, {}, key ? &*key : nullptr);
  if (!store.ok() && !key && store.status().code() == StatusCode::kPermissionDenied) {
    return PermissionDenied(store.status().message() +
                            "\n  give its data key file with --key-file FILE (请用 --key-file "
                            "指定数据密钥文件)");
  }
  if (!store.ok() && store.status().code() == StatusCode::kUnavailable) {
    return Unavailable(store.status().message() +
                       "\n  is shouhud running on it? The daemon holds the data "
                       "directory's lock; stop it first.\n  (守护进程运行时锁定数据"
                       "目录，请先停止 shouhud)");
  }
  return store;
}


}  // namespace shouhu::cli
