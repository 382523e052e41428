#include "shouhu/backup.h"

#include <algorithm>
#include <filesystem>
#include <mutex>

#include "runtime/codec.h"
#include "shouhu/chain.h"
#include "shouhu/duration.h"

namespace shouhu {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPrefix = "shouhu-";
constexpr std::string_view kFailed = ".failed";  // a copy that did not check

// "shouhu-20261205T080400.123Z": sortable, one per millisecond.
std::string BackupName(Instant now) {
  std::string t = FormatInstant(now);  // 2026-12-05T08:04:00.123Z
  t.erase(std::remove_if(t.begin(), t.end(), [](char c) { return c == '-' || c == ':'; }),
          t.end());
  return std::string(kPrefix) + t;
}

}  // namespace

StatusOr<uint64_t> CountCases(Store& store) {
  uint64_t n = 0;
  SHOUHU_RETURN_IF_ERROR(store.Scan(codec::kCasePrefix, "", [&](std::string_view, std::string_view) {
    ++n;
    return true;
  }));
  return n;
}

std::vector<std::string> ListBackups(const std::string& root) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    std::string name = entry.path().filename().string();
    if (entry.is_directory() && name.starts_with(kPrefix) && !name.ends_with(kFailed)) {
      names.push_back(name);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

StatusOr<BackupInfo> TakeBackup(Store& live, const BackupOptions& options, Instant now) {
  static std::mutex one_at_a_time;
  std::lock_guard<std::mutex> lock(one_at_a_time);
  std::error_code ec;
  fs::create_directories(options.root, ec);
  if (ec) return Unavailable("cannot create " + options.root + ": " + ec.message());
  fs::permissions(options.root, fs::perms::owner_all, fs::perm_options::replace, ec);

  BackupInfo info;
  info.name = BackupName(now);
  info.path = (fs::path(options.root) / info.name).string();
  if (fs::exists(info.path)) return AlreadyExists(info.path + " exists");
  SHOUHU_RETURN_IF_ERROR(live.Checkpoint(info.path));

  // A backup is one only once it opens on its own and checks.
  Status checked = [&]() -> Status {
    auto copy = OpenRocksStore(info.path, {});
    if (!copy.ok()) return copy.status();
    auto chain = VerifyChain(**copy, codec::kAuditPrefix);
    if (!chain.ok()) return chain.status();
    if (!chain->ok) return Internal("the audit chain is broken 审计链已损坏: " + chain->problem);
    auto cases = CountCases(**copy);
    if (!cases.ok()) return cases.status();
    info.check = {*cases, chain->records, chain->head_seq, chain->head_hash};
    return Status::Ok();
  }();
  if (!checked.ok()) {
    fs::rename(info.path, info.path + std::string(kFailed), ec);
    return Status(checked.code(), "the backup " + info.name + " does not check (kept as " +
                                      info.name + ".failed): " + checked.message());
  }

  std::vector<std::string> all = ListBackups(options.root);
  const size_t keep = static_cast<size_t>(std::max(options.keep, 1));
  for (size_t i = 0; i + keep < all.size(); ++i) {
    fs::remove_all(fs::path(options.root) / all[i], ec);
    if (!ec) info.removed.push_back(all[i]);
  }
  return info;
}

}  // namespace shouhu
