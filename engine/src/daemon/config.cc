#include "daemon/config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "shouhu/duration.h"
#include "shouhu/json_parse.h"
#include "store/pg_store.h"

namespace shouhu {
namespace fs = std::filesystem;

StatusOr<DaemonConfig> LoadDaemonConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument(path + ": cannot read the configuration file");
  std::stringstream text;
  text << in.rdbuf();
  StatusOr<nlohmann::json> parsed = ParseJson(text.str(), kMaxConfigJsonDepth);
  if (!parsed.ok()) return InvalidArgument(path + ": " + parsed.status().message());
  const nlohmann::json& doc = parsed.value();
  if (!doc.is_object()) return InvalidArgument(path + ": not a JSON object");
  fs::path base = fs::absolute(path).parent_path();
  auto resolve = [&](const std::string& p) {
    return fs::path(p).is_absolute() ? p : (base / p).lexically_normal().string();
  };
  auto bad = [&](const std::string& member, const std::string& why) {
    return InvalidArgument(path + ":/" + member + ": " + why);
  };
  static const char* kKnown[] = {"data_dir", "workflows", "organisation", "access",
                                 "listen", "notifiers", "api", "retention",
                                 "min_free_mb", "web_root", "encryption", "backup", "log",
                                 "store"};
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (std::find(std::begin(kKnown), std::end(kKnown), it.key()) ==
        std::end(kKnown)) {
      return bad(it.key(), "unknown member \"" + it.key() + "\"");
    }
  }
  DaemonConfig c;
  if (!doc.contains("data_dir") || !doc["data_dir"].is_string()) {
    return bad("data_dir", "expected the data directory as a string");
  }
  c.data_dir = resolve(doc["data_dir"].get<std::string>());
  if (!doc.contains("workflows") || !doc["workflows"].is_array() ||
      doc["workflows"].empty()) {
    return bad("workflows", "expected a non-empty array of files or folders");
  }
  for (const auto& w : doc["workflows"]) {
    if (!w.is_string()) return bad("workflows", "expected strings");
    c.workflow_paths.push_back(resolve(w.get<std::string>()));
  }
  if (doc.contains("organisation")) {
    if (!doc["organisation"].is_string()) {
      return bad("organisation", "expected the organisation file as a string");
    }
    c.organisation_path = resolve(doc["organisation"].get<std::string>());
    c.access_path =
        (fs::path(c.organisation_path).parent_path() / "access.json").string();
  }
  if (doc.contains("access")) {
    if (!doc["access"].is_string()) {
      return bad("access", "expected the access rules file as a string");
    }
    c.access_path = resolve(doc["access"].get<std::string>());
  }
  if (doc.contains("web_root")) {
    if (!doc["web_root"].is_string() || doc["web_root"].get<std::string>().empty()) {
      return bad("web_root", "expected the web app's folder as a string");
    }
    c.web_root = resolve(doc["web_root"].get<std::string>());
  }
  c.config_dir = base.string();
  if (doc.contains("retention")) {
    const nlohmann::json& r = doc["retention"];
    if (!r.is_object() || r.size() != 1 || !r.contains("idempotency") ||
        !r["idempotency"].is_string()) {
      return bad("retention", "expected {\"idempotency\": \"P30D\"}");
    }
    auto d = ParseDuration(r["idempotency"].get<std::string>());
    auto hours = d.ok() ? std::chrono::duration_cast<std::chrono::hours>(
                              AddDuration(Instant{}, *d, std::chrono::minutes(0)) - Instant{})
                        : std::chrono::hours(0);
    if (hours < std::chrono::hours(1)) {
      return bad("retention/idempotency", "expected an ISO 8601 duration of an hour or more");
    }
    c.request_retention = hours;
  }
  if (doc.contains("api")) {
    if (!doc["api"].is_object()) return bad("api", "expected an object");
    c.api = doc["api"];
  }
  // Online backups: beside the data directory unless named.
  c.backup.root = (fs::path(c.data_dir).parent_path() / "backups").string();
  if (doc.contains("backup")) {
    const nlohmann::json& b = doc["backup"];
    if (!b.is_object()) return bad("backup", "expected {\"dir\": \"...\", \"keep\": 7}");
    for (auto it = b.begin(); it != b.end(); ++it) {
      if (it.key() == "dir" && it.value().is_string() && !it.value().get<std::string>().empty()) {
        c.backup.root = resolve(it.value().get<std::string>());
      } else if (it.key() == "keep" && it.value().is_number_unsigned() &&
                 it.value().get<uint64_t>() >= 1 && it.value().get<uint64_t>() <= 1000) {
        c.backup.keep = static_cast<int>(it.value().get<uint64_t>());
      } else {
        return bad("backup/" + it.key(),
                   it.key() == "dir"    ? "expected a folder as a string"
                   : it.key() == "keep" ? "expected how many backups to keep, 1 to 1000"
                                        : "unknown member \"" + it.key() + "\"");
      }
    }
  }
  if (doc.contains("log")) {
    const auto& l = doc["log"];
    if (!l.is_object()) return bad("log", "expected {\"level\": \"info\", \"output\": \"auto\"}");
    for (auto it = l.begin(); it != l.end(); ++it) {
      std::string v = it.value().is_string() ? it.value().get<std::string>() : "";
      if (it.key() == "level" && log::ParseLevel(v)) {
        c.log.level = *log::ParseLevel(v);
      } else if (it.key() == "output" && log::ParseOutput(v)) {
        c.log.output = *log::ParseOutput(v);
      } else {
        return bad("log/" + it.key(),
                   it.key() == "level"    ? "expected \"debug\", \"info\", \"warning\" or \"error\""
                   : it.key() == "output" ? "expected \"auto\", \"stderr\" or \"journal\""
                                          : "unknown member \"" + it.key() + "\"");
      }
    }
  }
  if (doc.contains("store")) {
    const nlohmann::json& st = doc["store"];
    const char* expected =
        "expected {\"kind\": \"rocksdb\"} or {\"kind\": \"postgres\", \"dsn\": \"...\"}";
    if (!st.is_object() || !st.contains("kind") || !st["kind"].is_string()) {
      return bad("store", expected);
    }
    const std::string kind = st["kind"].get<std::string>();
    if (kind != "rocksdb" && kind != "postgres") {
      return bad("store/kind", "expected \"rocksdb\" or \"postgres\", not \"" + kind + "\"");
    }
    for (auto it = st.begin(); it != st.end(); ++it) {
      if (it.key() != "kind" &&
          !(kind == "postgres" && (it.key() == "dsn" || it.key() == "lease"))) {
        return bad("store/" + it.key(), "unknown member \"" + it.key() + "\" (" + expected + ")");
      }
    }
    if (kind == "postgres") {
      if (!st.contains("dsn") || !st["dsn"].is_string()) {
        return bad("store/dsn",
                   "expected the PostgreSQL connection string, e.g. \"host=db1,db2 dbname=shouhu "
                   "target_session_attrs=read-write\"");
      }
      c.postgres_dsn = st["dsn"].get<std::string>();
      Status dsn = CheckPostgresDsn(c.postgres_dsn);
      if (!dsn.ok()) return bad("store/dsn", dsn.message());
      if (st.contains("lease")) {
        const nlohmann::json& l = st["lease"];
        const char* want = "expected {\"ttl\": \"PT10S\", \"renew\": \"PT3S\"} (ISO 8601, whole "
                           "seconds; renew + ttl/5 below ttl)";
        auto seconds = [&](const char* key, std::chrono::milliseconds* out) {
          if (!l.contains(key)) return true;
          if (!l[key].is_string()) return false;
          auto d = ParseDuration(l[key].get<std::string>());
          if (!d.ok() || d->years || d->months || d->days || d->seconds <= 0) return false;
          *out = std::chrono::seconds(d->seconds);
          return true;
        };
        if (!l.is_object() || !seconds("ttl", &c.leases.ttl) ||
            !seconds("renew", &c.leases.renew)) {
          return bad("store/lease", want);
        }
        for (auto it = l.begin(); it != l.end(); ++it) {
          if (it.key() != "ttl" && it.key() != "renew") return bad("store/lease", want);
        }
        c.leases.margin = c.leases.ttl / 5;
        if (c.leases.renew + c.leases.margin >= c.leases.ttl) return bad("store/lease", want);
      }
    }
  }
  if (doc.contains("min_free_mb")) {
    const auto& m = doc["min_free_mb"];
    if (!m.is_number_unsigned() || m.get<uint64_t>() > (1u << 20)) {
      return bad("min_free_mb", "expected a whole number of MiB, 0 to 1048576");
    }
    c.min_free_bytes = m.get<uint64_t>() << 20;
  }
  if (!doc.contains("encryption")) {
    return bad("encryption",
               "missing: name the data key that encrypts the store 请配置数据密钥, e.g. "
               "\"encryption\": {\"key_file\": \"shouhud.key\"} with a key file made by "
               "`shouhu key init shouhud.key` (or {\"none\": \"development\"} for a "
               "throwaway set-up without encryption)");
  }
  {
    nlohmann::json e = doc["encryption"];
    // How many records an online key rotation re-encrypts per atomic batch
    // (shouhu/key_rotation.h): smaller batches hold writers up for less.
    if (e.is_object() && e.contains("rotation_batch")) {
      const auto& b = e["rotation_batch"];
      if (!b.is_number_unsigned() || b.get<uint64_t>() < 1 || b.get<uint64_t>() > 100000) {
        return bad("encryption/rotation_batch", "expected an integer from 1 to 100000");
      }
      c.rotation_batch = b.get<size_t>();
      e.erase("rotation_batch");
    }
    const auto only = [&](const char* member) {
      return e.is_object() && e.size() == 1 && e.contains(member) && e[member].is_string() &&
             !e[member].get<std::string>().empty();
    };
    if (only("key_file")) {
      c.key_file = resolve(e["key_file"].get<std::string>());
    } else if (only("key_credential")) {
      const char* creds = std::getenv("CREDENTIALS_DIRECTORY");
      const std::string name = e["key_credential"].get<std::string>();
      if (creds == nullptr || *creds == '\0') {
        return bad("encryption/key_credential",
                   "$CREDENTIALS_DIRECTORY is not set: run under systemd with "
                   "LoadCredential=" + name + ":FILE, or use \"key_file\"");
      }
      if (name.find('/') != std::string::npos) {
        return bad("encryption/key_credential", "expected a credential name, not a path");
      }
      c.key_file = (fs::path(creds) / name).string();
    } else if (only("none") && e["none"] == "development") {
      c.unencrypted = true;
    } else {
      return bad("encryption",
                 "expected {\"key_file\": \"FILE\"}, {\"key_credential\": \"NAME\"} or "
                 "{\"none\": \"development\"}");
    }
  }
  if (doc.contains("listen")) {
    const auto& l = doc["listen"];
    std::string s = l.is_string() ? l.get<std::string>() : "";
    auto colon = s.rfind(':');
    if (colon == std::string::npos || colon == 0) {
      return bad("listen", "expected \"address:port\", e.g. \"127.0.0.1:8620\"");
    }
    c.listen_address = s.substr(0, colon);
    try {
      c.listen_port = std::stoi(s.substr(colon + 1));
    } catch (...) {
      c.listen_port = -1;
    }
    if (c.listen_port < 0 || c.listen_port > 65535) {
      return bad("listen", "port must be 0 to 65535");
    }
  }
  if (doc.contains("notifiers")) {
    auto notifiers = ParseNotifiersConfig(doc["notifiers"], base, path);
    if (!notifiers.ok()) return notifiers.status();
    c.notifiers = std::move(*notifiers);
  }
  return c;
}

}  // namespace shouhu
