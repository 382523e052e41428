#include "cli/admin_common.h"

#include <filesystem>
#include <optional>

#include "shouhu/data_store.h"

namespace shouhu::cli {

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
