// The tokens file: salted SHA-256 hashes, atomic replacement under a file
// lock, reloaded when another process changed it.
#include "auth/token_store.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "auth/locked_file.h"

#include "shouhu/json_parse.h"

namespace shouhu {
namespace {

using nlohmann::json;

std::string HashSecret(const std::string& salt_hex, std::string_view secret) {
  std::string input = salt_hex;
  input.append(secret);
  return Sha256Hex(input);
}

int64_t Ms(Instant t) { return t.time_since_epoch().count(); }
Instant FromMs(int64_t ms) { return Instant(std::chrono::milliseconds(ms)); }

}  // namespace

std::optional<std::chrono::seconds> LifetimeOf(std::string_view iso, Instant now) {
  auto d = ParseDuration(iso);
  if (!d.ok() || d->is_zero()) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::seconds>(
      AddDuration(now, *d, std::chrono::minutes(0)) - now);
}

std::string TokensPathFor(const std::string& data_dir) {
  return data_dir + "/tokens.json";
}

TokenStore::TokenStore(std::string path) : path_(std::move(path)) {}

Status TokenStore::ReloadIfChanged() {
  std::optional<FileStamp> stamp = StampOf(path_);
  if (!stamp) {
    records_.clear();
    loaded_ = FileStamp{};
    return Status::Ok();
  }
  if (loaded_ && *stamp == *loaded_) return Status::Ok();
  auto text = ReadWholeFile(path_);
  if (!text.ok()) return text.status();
  json doc = ParseJsonOrDiscarded(*text, kMaxConfigJsonDepth);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("tokens") ||
      !doc["tokens"].is_array()) {
    return Internal(path_ + ": not a tokens file");
  }
  std::vector<Record> records;
  try {
    for (const json& t : doc["tokens"]) {
      Record r;
      r.info.id = t.at("id").get<std::string>();
      r.info.user = t.at("user").get<std::string>();
      r.info.label = t.value("label", "");
      r.info.created_at = FromMs(t.at("created_at").get<int64_t>());
      r.info.expires_at = FromMs(t.at("expires_at").get<int64_t>());
      r.info.revoked = t.value("revoked", false);
      r.salt_hex = t.at("salt").get<std::string>();
      r.hash_hex = t.at("sha256").get<std::string>();
      records.push_back(std::move(r));
    }
  } catch (const json::exception& e) {
    return Internal(path_ + ": bad token record: " + e.what());
  }
  records_ = std::move(records);
  loaded_ = stamp;
  return Status::Ok();
}

Status TokenStore::WriteLocked() {
  json tokens = json::array();
  for (const Record& r : records_) {
    tokens.push_back({{"id", r.info.id},
                      {"user", r.info.user},
                      {"label", r.info.label},
                      {"created_at", Ms(r.info.created_at)},
                      {"expires_at", Ms(r.info.expires_at)},
                      {"revoked", r.info.revoked},
                      {"salt", r.salt_hex},
                      {"sha256", r.hash_hex}});
  }
  json doc = {{"kind", "shouhu-tokens"}, {"format", 1}, {"tokens", tokens}};
  SHOUHU_RETURN_IF_ERROR(ReplaceFile(path_, doc.dump(1) + "\n"));
  loaded_.reset();  // re-stat on the next read
  return Status::Ok();
}

StatusOr<IssuedToken> TokenStore::Issue(const std::string& user,
                                        std::chrono::seconds ttl,
                                        const std::string& label, Instant now) {
  if (user.empty()) return InvalidArgument("a token needs a user");
  if (ttl.count() <= 0) return InvalidArgument("a token's lifetime must be positive");
  auto id = RandomHex(6);
  auto secret = RandomHex(32);
  auto salt = RandomHex(16);
  if (!id.ok() || !secret.ok() || !salt.ok()) return Internal("no randomness");
  MutexLock guard(mu_);
  FileLock lock(path_);
  if (!lock.ok()) return Unavailable("cannot lock " + path_ + ".lock");
  loaded_.reset();
  SHOUHU_RETURN_IF_ERROR(ReloadIfChanged());
  Record r;
  r.info = {*id, user, label, now, now + std::chrono::duration_cast<std::chrono::milliseconds>(ttl), false};
  r.salt_hex = *salt;
  r.hash_hex = HashSecret(*salt, *secret);
  records_.push_back(r);
  Status written = WriteLocked();
  if (!written.ok()) {
    records_.pop_back();
    return written;
  }
  return IssuedToken{r.info, "shh_" + *id + "_" + *secret};
}

Status TokenStore::Revoke(const std::string& id, Instant now) {
  MutexLock guard(mu_);
  FileLock lock(path_);
  if (!lock.ok()) return Unavailable("cannot lock " + path_ + ".lock");
  loaded_.reset();
  SHOUHU_RETURN_IF_ERROR(ReloadIfChanged());
  for (Record& r : records_) {
    if (r.info.id != id) continue;
    if (r.info.revoked) return Status::Ok();
    r.info.revoked = true;
    Status written = WriteLocked();
    if (!written.ok()) r.info.revoked = false;
    return written;
  }
  return NotFound("no token \"" + id + "\"");
}

StatusOr<TokenInfo> TokenStore::Verify(std::string_view token, Instant now) {
  // shh_<12 hex>_<64 hex>
  if (token.size() != 4 + 12 + 1 + 64 || token.substr(0, 4) != "shh_" ||
      token[16] != '_') {
    return PermissionDenied("not a shouhu token");
  }
  std::string id(token.substr(4, 12));
  std::string_view secret = token.substr(17);
  MutexLock guard(mu_);
  SHOUHU_RETURN_IF_ERROR(ReloadIfChanged());
  for (const Record& r : records_) {
    if (r.info.id != id) continue;
    if (!ConstantTimeEquals(HashSecret(r.salt_hex, secret), r.hash_hex)) {
      return PermissionDenied("unknown token");
    }
    if (r.info.revoked) return PermissionDenied("the token was revoked");
    if (now >= r.info.expires_at) return PermissionDenied("the token has expired");
    return r.info;
  }
  return PermissionDenied("unknown token");
}

StatusOr<std::vector<TokenInfo>> TokenStore::List() {
  MutexLock guard(mu_);
  SHOUHU_RETURN_IF_ERROR(ReloadIfChanged());
  std::vector<TokenInfo> out;
  for (const Record& r : records_) out.push_back(r.info);
  return out;
}

json TokenInfoJson(const TokenInfo& t) {
  return {{"id", t.id},
          {"user", t.user},
          {"label", t.label},
          {"created_at", FormatInstant(t.created_at)},
          {"expires_at", FormatInstant(t.expires_at)},
          {"revoked", t.revoked}};
}

}  // namespace shouhu
