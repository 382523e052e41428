// API tokens (Bearer), kept in one JSON file beside the data: only a salted
// SHA-256 of each secret is stored, with its user and expiry.
//
// Thread safety: safe from many threads. Safe across processes too: every
// change takes an exclusive lock on "<file>.lock", re-reads the file and
// replaces it atomically (write, fsync, rename), so the CLI can issue the
// first administrator's token offline while no daemon runs, and the daemon
// (which re-reads the file when it changes) sees tokens the CLI issues or
// revokes while it runs.
//
// A token reads "shh_<id>_<secret>": the id names the record, the secret is
// 32 random bytes (hex) checked against the stored hash.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/locked_file.h"
#include "shouhu/duration.h"
#include "shouhu/mutex.h"
#include "shouhu/status.h"

namespace shouhu {

struct TokenInfo {
  std::string id;
  std::string user;
  std::string label;  // free text, e.g. "cli on laptop"
  Instant created_at;
  Instant expires_at;
  bool revoked = false;
};

// The token's public description (never its secret), as the API and the CLI
// show it.
nlohmann::json TokenInfoJson(const TokenInfo& t);

struct IssuedToken {
  TokenInfo info;
  std::string token;  // the full secret token: shown once, never stored
};

class TokenStore {
 public:
  // `path` is the tokens file; it and its folder are created on first Issue.
  explicit TokenStore(std::string path);

  // kInvalidArgument for an empty user or a ttl not > 0; kUnavailable when
  // the file cannot be written.
  StatusOr<IssuedToken> Issue(const std::string& user, std::chrono::seconds ttl,
                              const std::string& label, Instant now);
  // kNotFound for an unknown id. Revoking twice is OK.
  Status Revoke(const std::string& id, Instant now);
  // The token's record when it is well-formed, known, not revoked and not
  // expired at `now`; otherwise kPermissionDenied saying which.
  StatusOr<TokenInfo> Verify(std::string_view token, Instant now);
  StatusOr<std::vector<TokenInfo>> List();

  const std::string& path() const { return path_; }

 private:
  struct Record {
    TokenInfo info;
    std::string salt_hex;
    std::string hash_hex;
  };
  Status ReloadIfChanged() SHOUHU_REQUIRES(mu_);
  Status WriteLocked() SHOUHU_REQUIRES(mu_);  // and the file lock held

  std::string path_;
  Mutex mu_;
  std::vector<Record> records_ SHOUHU_GUARDED_BY(mu_);
  std::optional<FileStamp> loaded_ SHOUHU_GUARDED_BY(mu_);  // the version in records_; none = re-read
};

// A token's or invitation's lifetime from an ISO 8601 duration ("P90D"),
// counted in calendar time from `now`; nullopt for a bad or zero duration.
std::optional<std::chrono::seconds> LifetimeOf(std::string_view iso, Instant now);

// Default place of the tokens file for a data directory.
std::string TokensPathFor(const std::string& data_dir);

}  // namespace shouhu
