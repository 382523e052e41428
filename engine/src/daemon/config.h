// The daemon's configuration file (JSON), e.g. deploy/shouhud.json.
//
// Relative paths in the file are resolved against the file's own folder, so a
// configuration and the data it names can move together.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/notifiers.h"

#include "shouhu/backup.h"
#include "shouhu/leases.h"
#include "shouhu/log.h"
#include "shouhu/status.h"

namespace shouhu {

struct DaemonConfig {
  std::string data_dir;                   // the RocksDB data directory
  // "store": {"kind": "rocksdb"} (the default: RocksDB in data_dir) or
  // {"kind": "postgres", "dsn": "..."}: the PostgreSQL store
  // (store/pg_store.h) at a libpq connection string or URI; data_dir then
  // holds no case data (backups still go beside it by default).
  std::string postgres_dsn;  // "" = RocksDB
  // "store": {..., "lease": {"ttl": "PT10S", "renew": "PT3S"}}: how the
  // nodes sharing a PostgreSQL store hold the timer shards and the outbox
  // (shouhu/leases.h); the margin is a fifth of the ttl.
  LeaseOptions leases;
  std::vector<std::string> workflow_paths;  // definition files or folders
  std::string organisation_path;  // units and users; "" = none configured
  // The access rules (shouhu/access.h): the "access" member, else
  // access.json beside the organisation file.
  std::string access_path;
  // "retention": {"idempotency": "P30D"}: how long a request id is remembered.
  std::chrono::hours request_retention{24 * 30};
  std::string listen_address = "127.0.0.1";
  int listen_port = 8620;
  std::optional<NotifiersConfig> notifiers;
  // The web app's folder (the Vite build), served at "/"; "" = none.
  std::string web_root;  // none: nothing is dispatched
  // The "api" member as written (see api/endpoint.h), and the folder its
  // relative paths resolve against.
  nlohmann::json api = nlohmann::json::object();
  std::string config_dir;
  // "min_free_mb": writes stop (503) below this much free disk space, and
  // the daemon waits to start (StoreOptions::min_free_bytes). Default 64.
  uint64_t min_free_bytes = 64ull << 20;
  // "encryption": the data key that seals the store (shouhu/sealed_store.h).
  // {"key_file": "FILE"}, or {"key_credential": "NAME"} for the systemd
  // credential NAME ($CREDENTIALS_DIRECTORY/NAME). Required: only
  // {"none": "development"} runs without encryption, for a throwaway set-up.
  std::string key_file;  // "" with `unencrypted`
  bool unencrypted = false;
  // "encryption": {..., "rotation_batch": N}: records per batch of an online
  // key rotation (shouhu/key_rotation.h).
  size_t rotation_batch = 256;
  // "backup": {"dir": "backups", "keep": 7}: where online backups go (default
  // "backups" beside the data directory) and how many are kept.
  BackupOptions backup;
  // "log": {"level": "info", "output": "auto"}: the least level written
  // (debug, info, warning, error) and where (auto: the journal under
  // systemd, else standard error; stderr; journal). See shouhu/log.h.
  log::Options log;
};

// Reads and checks the file; every problem is an InvalidArgument naming the
// file and member.
StatusOr<DaemonConfig> LoadDaemonConfig(const std::string& path);

}  // namespace shouhu
