// `shouhu backup` and `shouhu restore` (备份 / 恢复): a data directory copied
// with a RocksDB checkpoint, and put back, each checked by opening the copy
// and verifying its audit chain. Offline: shouhud must be stopped.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "cli/admin.h"
#include "cli/admin_common.h"
#include "cli/client.h"
#include "shouhu/audit.h"

namespace shouhu::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBackupUsage =
    "usage: shouhu backup [--list]\n"
    "       shouhu backup --data-dir DIR --to BACKUP [--key-file FILE]\n"
    "\n"
    "Online (在线备份): asks the running shouhud for a checkpoint of its store in\n"
    "the configuration's backup folder, opened and its audit chain verified\n"
    "before it counts; the oldest beyond \"keep\" are deleted. --list lists the\n"
    "backups. Needs system.backup.\n"
    "\n"
    "Offline, with --data-dir (离线备份):\n"
    "Copies the data directory DIR into the new directory BACKUP (备份) as a\n"
    "RocksDB checkpoint: a consistent, openable copy (SST files are hard-\n"
    "linked when BACKUP is on the same file system, so copy it elsewhere to\n"
    "keep it safe). BACKUP must not exist or be empty.\n"
    "\n"
    "Offline: stop shouhud first; the running daemon holds DIR's lock.\n"
    "\n"
    "The backup holds the data as the data directory does: encrypted under\n"
    "the data key (--key-file, needed to open and check an encrypted store).\n"
    "Keep the key apart from the backups, and keep it: without it the backup\n"
    "cannot be read.\n"
    "\n"
    "Then opens the backup and verifies its audit chain. Exits 0 when the\n"
    "backup is written and intact; 1 when it could not be written, or was\n"
    "written but its audit chain does not verify (the copy is kept as\n"
    "evidence); 2 on a usage error.\n";

constexpr const char* kRestoreUsage =
    "usage: shouhu restore --from BACKUP --data-dir DIR [--key-file FILE] [--force]\n"
    "\n"
    "Restores a backup made by `shouhu backup` into DIR (恢复). The backup is\n"
    "copied to DIR.restoring, opened and its audit chain verified; only then\n"
    "is the copy moved to DIR, opened again and verified again. The backup\n"
    "itself is never modified. A backup that does not open or verify is\n"
    "refused and DIR is left as it was.\n"
    "\n"
    "DIR must not exist or be empty, unless --force: then the data already\n"
    "in DIR is moved aside to DIR.replaced-<time> (delete it yourself once\n"
    "the restore is checked).\n"
    "\n"
    "Offline: stop shouhud first; a data directory in use is refused.\n"
    "Exits 0 on success, 1 when refused or failed, 2 on a usage error.\n";

// Opens `dir`, verifies its audit log and counts its cases; prints one line
// saying what was found, under `label`. True when it opens and verifies.
bool Check(const std::string& dir, const std::string& key_file, const char* label,
           uint64_t* cases) {
  auto store = OpenDataDir(dir, key_file);
  if (!store.ok()) {
    std::printf("%s: does not open: %s\n", label, store.status().message().c_str());
    return false;
  }
  auto report = VerifyAuditLog(**store);
  auto count = CountCases(**store);
  if (!report.ok() || !count.ok()) {
    std::printf("%s: cannot be read: %s\n", label,
                (!report.ok() ? report.status() : count.status()).ToString().c_str());
    return false;
  }
  *cases = *count;
  if (!report->ok()) {
    std::printf("%s: %llu cases; audit chain BROKEN 已损坏: %s%s\n", label,
                static_cast<unsigned long long>(*cases),
                report->chain.ok ? "" : report->chain.problem.c_str(),
                report->chain.ok ? "newest changes of some cases have no audit "
                                   "record (run `shouhu audit verify`)"
                                 : "");
    return false;
  }
  std::printf("%s: %llu cases; audit chain of %llu records intact, head seq %llu "
              "hash %s\n",
              label, static_cast<unsigned long long>(*cases),
              static_cast<unsigned long long>(report->chain.records),
              static_cast<unsigned long long>(report->chain.head_seq),
              report->chain.head_hash.empty() ? "-" : report->chain.head_hash.c_str());
  return true;
}

bool IsEmptyOrMissing(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return true;
  return fs::is_directory(dir, ec) && fs::is_empty(dir, ec);
}

int Backup(const ClientArgs& o) {
  // Without --data-dir: the running daemon's online backup.
  if (!o.Has("data-dir")) return OnlineBackup(o);
  if (int missing = RequireOptions(o, {"to"})) return missing;
  const std::string dir = o.Get("data-dir"), to = o.Get("to");
  if (!IsEmptyOrMissing(to)) {
    PrintError(to + " 已存在且非空，未写入", to + " exists and is not empty; nothing written");
    return 1;
  }
  {
    auto store = OpenDataDir(dir, o.Get("key-file"));
    if (!store.ok()) {
      PrintError("无法打开数据目录", store.status().message());
      return 1;
    }
    std::error_code ec;
    const fs::path parent = fs::absolute(to, ec).parent_path();
    fs::create_directories(parent, ec);
    Status s = (*store)->Checkpoint(to);
    if (!s.ok()) {
      PrintError("备份失败", s.ToString());
      return 1;
    }
  }  // closed: the source is no longer needed
  uint64_t cases = 0;
  const bool intact = Check(to, o.Get("key-file"), "backup 备份", &cases);
  std::printf("%s %s\n", intact ? "ok: backup written to" : "FAILED: backup written to",
              to.c_str());
  return intact ? 0 : 1;
}

int Restore(const ClientArgs& o) {
  const std::string from = o.Get("from"), dir = o.Get("data-dir");
  if (!IsDataDir(from)) {
    PrintError(from + " 不是备份", from + " is not a backup (no store in it)");
    return 1;
  }
  const bool replacing = !IsEmptyOrMissing(dir);
  if (replacing && !o.Has("force")) {
    PrintError(dir + " 非空，拒绝替换（--force 将其移到一旁）",
               dir + " is not empty; refusing to replace it (use --force to move it aside)");
    return 1;
  }
  if (replacing && IsDataDir(dir)) {
    // Never move a store from under a running daemon.
    auto in_use = OpenDataDir(dir, o.Get("key-file"));
    if (!in_use.ok()) {
      PrintError("无法打开数据目录", in_use.status().message());
      return 1;
    }
  }

  // Work on a copy so that the backup itself is never opened for writing.
  const std::string staging = dir + ".restoring";
  std::error_code ec;
  fs::remove_all(staging, ec);
  fs::create_directories(fs::absolute(staging, ec).parent_path(), ec);
  fs::copy(from, staging, fs::copy_options::recursive, ec);
  if (ec) {
    PrintError("无法复制备份", "cannot copy " + from + " to " + staging + ": " + ec.message());
    fs::remove_all(staging, ec);
    return 1;
  }
  uint64_t cases_before = 0, cases_after = 0;
  if (!Check(staging, o.Get("key-file"), "backup 备份", &cases_before)) {
    fs::remove_all(staging, ec);
    std::printf("FAILED: the backup was refused; %s is unchanged\n", dir.c_str());
    return 1;
  }
  if (replacing) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    const std::string aside = dir + ".replaced-" + std::to_string(ms);
    fs::rename(dir, aside, ec);
    if (ec) {
      PrintError("无法移开原数据", "cannot move " + dir + " aside: " + ec.message());
      fs::remove_all(staging, ec);
      return 1;
    }
    std::printf("the data that was in %s is now in %s\n", dir.c_str(), aside.c_str());
  } else {
    fs::remove(dir, ec);  // an empty directory, if any
  }
  fs::rename(staging, dir, ec);
  if (ec) {
    PrintError("无法移入恢复的数据",
               "cannot move " + staging + " to " + dir + ": " + ec.message());
    return 1;
  }
  if (!Check(dir, o.Get("key-file"), "restored 已恢复", &cases_after) || cases_after != cases_before) {
    std::printf("FAILED: %s does not verify after the restore\n", dir.c_str());
    return 1;
  }
  std::printf("ok: restored %s into %s\n", from.c_str(), dir.c_str());
  return 0;
}

}  // namespace

void AddBackupCommands(CommandLine& cl) {
  auto backup = cl.Add(nullptr, "backup", "备份 / a backup: online, or offline with --data-dir",
                       kBackupUsage, Backup);
  AddFlag(backup, "list", "列出在线备份 / list the online backups");
  AddValue(backup, "data-dir", "DIR", "离线：此数据目录 / offline: this data directory");
  AddValue(backup, "to", "BACKUP", "离线：备份到 / offline: the new backup directory");
  AddValue(backup, "key-file", "FILE", "数据密钥 / the data key file");
  AddServerOptions(backup);
  auto restore = cl.Add(nullptr, "restore", "恢复 / restore a backup (offline)", kRestoreUsage,
                        Restore);
  AddValue(restore, "from", "BACKUP", "备份 / the backup")->required();
  AddValue(restore, "data-dir", "DIR", "数据目录 / the data directory")->required();
  AddValue(restore, "key-file", "FILE", "数据密钥 / the data key file");
  AddFlag(restore, "force", "替换已有数据（移到一旁）/ move data already there aside");
}

}  // namespace shouhu::cli
