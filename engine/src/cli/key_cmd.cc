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

int Usage(const std::string& error) {
  std::fprintf(stderr, "shouhu key: %s\n\n%s", error.c_str(), kKeyUsage);
  return 2;
}

int Init(int argc, char** argv) {
  const bool if_missing = argc == 2 && std::string(argv[0]) == "--if-missing";
  if (if_missing) ++argv, --argc;
  if (argc != 1 || argv[0][0] == '-') return Usage("key init takes one FILE");
  std::error_code ec;
  if (if_missing && std::filesystem::exists(argv[0], ec)) {
    auto key = ReadDataKeyFile(argv[0]);
    if (!key.ok()) {
      std::fprintf(stderr, "shouhu key init: %s\n",
                   key.status().message().c_str());
      return 1;
    }
    std::printf("ok: %s holds data key %s already\n", argv[0],
                DataKeyIdText(key->id).c_str());
    return 0;
  }
  const auto parent = std::filesystem::absolute(argv[0], ec).parent_path();
  if (!std::filesystem::exists(parent, ec)) {
    std::filesystem::create_directories(parent, ec);
    std::filesystem::permissions(parent, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
  }
  auto key = CreateDataKeyFile(argv[0]);
  if (!key.ok()) {
    std::fprintf(stderr, "shouhu key init: %s\n",
                 key.status().message().c_str());
    return 1;
  }
  std::printf(
      "ok: data key %s written to %s (mode 0600); keep a copy in a safe place "
      "请妥善"
      "保管副本: without it the data cannot be read\n",
      DataKeyIdText(key->id).c_str(), argv[0]);
  return 0;
}

int Rotate(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) {
    if (std::string(argv[i]) == "--online") return KeyRotateOnline(argc, argv);
  }
  Options o = ParseOptions(
      argc, argv, {"--data-dir", "--key-file", "--new-key"}, {"--from-clear"});
  if (!o.error.empty()) return Usage(o.error);
  const std::string dir = o.get("--data-dir"), old_file = o.get("--key-file"),
                    new_file = o.get("--new-key");
  if (dir.empty() || new_file.empty())
    return Usage("--data-dir and --new-key are required");
  if (old_file.empty() == !o.has("--from-clear")) {
    return Usage("give either --key-file OLD or --from-clear");
  }
  std::optional<DataKey> old_key;
  if (!old_file.empty()) {
    auto read = ReadDataKeyFile(old_file);
    if (!read.ok()) {
      std::fprintf(stderr, "shouhu key rotate: %s\n",
                   read.status().message().c_str());
      return 1;
    }
    old_key = std::move(*read);
  }
  auto new_key = ReadDataKeyFile(new_file);
  if (!new_key.ok()) {
    std::fprintf(stderr, "shouhu key rotate: %s\n",
                 new_key.status().message().c_str());
    return 1;
  }
  auto report = RotateDataKey(dir, old_key ? &*old_key : nullptr, *new_key);
  if (!report.ok()) {
    std::string hint =
        report.status().code() == StatusCode::kUnavailable
            ? "\n  is shouhud running on it? stop it first (请先停止 shouhud)"
            : "";
    std::fprintf(stderr, "shouhu key rotate: %s%s\n",
                 report.status().message().c_str(), hint.c_str());
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

int Status_(int argc, char** argv) {
  Options o = ParseOptions(argc, argv, {"--data-dir"}, {});
  if (!o.error.empty()) return Usage(o.error);
  if (o.get("--data-dir").empty()) return Usage("--data-dir is required");
  auto state = ReadSealState(o.get("--data-dir"));
  if (!state.ok()) {
    std::fprintf(stderr, "shouhu key status: %s\n",
                 state.status().message().c_str());
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

int KeyCommand(int argc, char** argv) {
  if (argc == 0) return Usage("which key command?");
  if (WantsHelp(argc, argv)) {
    std::fputs(kKeyUsage, stdout);
    return 0;
  }
  const std::string sub = argv[0];
  if (sub == "init") return Init(argc - 1, argv + 1);
  if (sub == "rotate") return Rotate(argc - 1, argv + 1);
  if (sub == "status") return Status_(argc - 1, argv + 1);
  return Usage("unknown key command \"" + sub + "\"");
}

}  // namespace shouhu::cli
