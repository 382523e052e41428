// `shouhu key` (数据密钥): the data key that encrypts a data directory at
// rest. `init` makes a key file, `rotate` re-encrypts a stopped daemon's
// data directory under a new key (`rotate --online`: a running one's,
// key_online.cc), `status` says which key a directory needs.
#include <cstdio>
#include <filesystem>
#include <string>

#include "cli/admin.h"
#include "cli/admin_common.h"
#include "shouhu/data_store.h"

namespace shouhu::cli {
namespace {

constexpr const char* kKeyUsage =
    "usage: shouhu key init [--if-missing] FILE\n"
    "       shouhu key rotate --data-dir DIR (--key-file OLD | --from-clear) "
    "--new-key NEW\n"
    "       shouhu key rotate --online --new-key NEW [--no-wait] [--server URL] "
    "[--token TOKEN]\n"
    "       shouhu key status --data-dir DIR\n"
    "\n"
    "shouhud encrypts every child's and reporter's value, note and message in\n"
    "its data directory (XChaCha20-Poly1305) under a data key kept outside "
    "it,\n"
    "in the file the configuration names (\"encryption\": {\"key_file\": ...}\n"
    "or a systemd credential). Lose the key and the data is lost: keep a copy\n"
    "apart from the backups.\n"
    "\n"
    "init    writes a new random key to FILE, readable by its owner only\n"
    "        (0600), creating its folder. Never overwrites a file: with\n"
    "        --if-missing an existing key file is checked and kept.\n"
    "rotate  re-encrypts every record of DIR under the key in NEW (made by\n"
    "        `key init`), offline: stop shouhud first. OLD is the key in use;\n"
    "        --from-clear encrypts a directory written without encryption.\n"
    "        The audit chain is not rewritten and verifies as before. If it "
    "is\n"
    "        interrupted, shouhud refuses DIR until the same command is run\n"
    "        again. Then point the configuration at NEW, and keep OLD only as\n"
    "        long as backups made before the rotation are kept.\n"
    "        --online: shouhud keeps serving. It reads NEW itself (an absolute\n"
    "        path on its machine, readable by it), seals new writes under it\n"
    "        at once and re-encrypts the rest in the background; a restart\n"
    "        mid-way goes on. Needs a users.admin token (--token or\n"
    "        SHOUHU_TOKEN); follows the progress unless --no-wait.\n"
    "status  prints the id of the key DIR is encrypted under (every key file\n"
    "        starts with its id), or that it is not encrypted.\n"
    "\n"
    "Exits 0 on success, 1 when refused or failed, 2 on a usage error.\n";


int Init(const ClientArgs& o) {
  const std::string file = o.positional[0];
  std::error_code ec;
  if (o.Has("if-missing") && std::filesystem::exists(file, ec)) {
    auto key = ReadDataKeyFile(file);
    if (!key.ok()) {
      PrintError("密钥文件无效", key.status().message());
      return 1;
    }
    std::printf("ok: %s holds data key %s already\n", file.c_str(),
                DataKeyIdText(key->id).c_str());
    return 0;
  }
  const auto parent = std::filesystem::absolute(file, ec).parent_path();
  if (!std::filesystem::exists(parent, ec)) {
    std::filesystem::create_directories(parent, ec);
    std::filesystem::permissions(parent, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
  }
  auto key = CreateDataKeyFile(file);
  if (!key.ok()) {
    PrintError("无法写入密钥文件", key.status().message());
    return 1;
  }
  std::printf(
      "ok: data key %s written to %s (mode 0600); keep a copy in a safe place "
      "请妥善"
      "保管副本: without it the data cannot be read\n",
      DataKeyIdText(key->id).c_str(), file.c_str());
  return 0;
}

int Rotate(const ClientArgs& o) {
  if (o.Has("online")) return KeyRotateOnline(o);
  if (int missing = RequireOptions(o, {"data-dir", "new-key"})) return missing;
  const std::string dir = o.Get("data-dir"), old_file = o.Get("key-file"),
                    new_file = o.Get("new-key");
  if (old_file.empty() == !o.Has("from-clear")) {
    PrintError("须给出 --key-file 旧密钥 或 --from-clear 之一",
               "give either --key-file OLD or --from-clear");
    return 2;
  }
  std::optional<DataKey> old_key;
  if (!old_file.empty()) {
    auto read = ReadDataKeyFile(old_file);
    if (!read.ok()) {
      PrintError("旧密钥无效", read.status().message());
      return 1;
    }
    old_key = std::move(*read);
  }
  auto new_key = ReadDataKeyFile(new_file);
  if (!new_key.ok()) {
    PrintError("新密钥无效", new_key.status().message());
    return 1;
  }
  auto report = RotateDataKey(dir, old_key ? &*old_key : nullptr, *new_key);
  if (!report.ok()) {
    std::string hint =
        report.status().code() == StatusCode::kUnavailable
            ? "\n  is shouhud running on it? stop it first (请先停止 shouhud)"
            : "";
    PrintError("密钥轮换失败", report.status().message() + hint);
    return 1;
  }
  std::printf(
      "ok: %s is encrypted under key %s: %llu records re-encrypted, %llu "
      "already were, "
      "%llu index and audit records unchanged\n"
      "now point \"encryption\" at %s\n",
      dir.c_str(), DataKeyIdText(new_key->id).c_str(),
      static_cast<unsigned long long>(report->resealed),
      static_cast<unsigned long long>(report->already),
      static_cast<unsigned long long>(report->clear), new_file.c_str());
  return 0;
}

int Status_(const ClientArgs& o) {
  auto state = ReadSealState(o.Get("data-dir"));
  if (!state.ok()) {
    PrintError("无法读取数据目录", state.status().message());
    return 1;
  }
  if (state->sealed) {
    std::printf("encrypted under key 加密密钥 %s\n",
                DataKeyIdText(state->key_id).c_str());
  } else {
    std::printf("not encrypted 未加密\n");
  }
  if (state->rotating && state->online) {
    std::printf("an online rotation to key %s is under way; shouhud goes on with it when it "
                "runs (or finish it offline: shouhu key rotate)\n",
                DataKeyIdText(state->rotating_to).c_str());
  } else if (state->rotating) {
    std::printf(
        "an interrupted rotation to key %s must be finished (shouhu key "
        "rotate)\n",
        DataKeyIdText(state->rotating_to).c_str());
  }
  return 0;
}

}  // namespace

void AddKeyCommands(CommandLine& cl) {
  CLI::App* key = cl.Group(nullptr, "key", "数据密钥 / the data key that encrypts the store",
                           kKeyUsage);
  auto init = cl.Add(key, "init", "生成 / write a new key file", kKeyUsage, Init);
  AddPositional(init, "FILE", "密钥文件 / the key file");
  AddFlag(init, "if-missing", "已有则检查并保留 / check and keep an existing one");
  auto rotate = cl.Add(key, "rotate", "轮换 / re-encrypt under a new key", kKeyUsage, Rotate);
  AddValue(rotate, "new-key", "NEW", "新密钥文件 / the new key file (required)");
  AddValue(rotate, "data-dir", "DIR", "离线：数据目录 / offline: the data directory");
  AddValue(rotate, "key-file", "OLD", "离线：当前密钥 / offline: the key in use");
  AddFlag(rotate, "from-clear", "离线：原为明文 / offline: written without encryption");
  AddFlag(rotate, "online", "在线：运行中的守护进程 / the running daemon, while it serves");
  AddFlag(rotate, "no-wait", "在线：不等待完成 / online: do not follow the progress");
  AddServerOptions(rotate);
  auto status = cl.Add(key, "status", "状态 / which key a data directory needs", kKeyUsage,
                       Status_);
  AddValue(status, "data-dir", "DIR", "数据目录 / the data directory")->required();
}

}  // namespace shouhu::cli
