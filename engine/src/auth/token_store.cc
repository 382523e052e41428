// The tokens file: salted SHA-256 hashes, atomic replacement under a file
// lock, reloaded when another process changed it.
#include "auth/token_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "shouhu/json_parse.h"

namespace shouhu {
namespace {

using nlohmann::json;

std::string Hex(const unsigned char* p, size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s.push_back(kDigits[p[i] >> 4]);
    s.push_back(kDigits[p[i] & 15]);
  }
  return s;
}

StatusOr<std::string> RandomHex(size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  if (RAND_bytes(buf.data(), static_cast<int>(bytes)) != 1) {
    return Internal("no random bytes from OpenSSL");
  }
  return Hex(buf.data(), bytes);
}

std::string HashSecret(const std::string& salt_hex, std::string_view secret) {
  std::string input = salt_hex;
  input.append(secret);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(input.data(), input.size(), digest, &len, EVP_sha256(), nullptr);
  return Hex(digest, len);
}

int64_t Ms(Instant t) { return t.time_since_epoch().count(); }
Instant FromMs(int64_t ms) { return Instant(std::chrono::milliseconds(ms)); }

// Holds an exclusive flock on "<path>.lock" for its lifetime.
class FileLock {
 public:
  explicit FileLock(const std::string& path) {
    fd_ = ::open((path + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ >= 0 && ::flock(fd_, LOCK_EX) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
  }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

}  // namespace

std::string TokensPathFor(const std::string& data_dir) {
  return data_dir + "/tokens.json";
}

TokenStore::TokenStore(std::string path) : path_(std::move(path)) {}

Status TokenStore::ReloadIfChanged() {
  struct stat st;
  if (::stat(path_.c_str(), &st) != 0) {
    records_.clear();
    loaded_mtime_ns_ = 0;
    loaded_size_ = 0;
    loaded_inode_ = 0;
    return Status::Ok();
  }
  int64_t mtime = int64_t(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  if (mtime == loaded_mtime_ns_ && uint64_t(st.st_size) == loaded_size_ &&
      uint64_t(st.st_ino) == loaded_inode_) {
    return Status::Ok();
  }
  std::ifstream in(path_, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  json doc = ParseJsonOrDiscarded(text.str(), kMaxConfigJsonDepth);
  if (!doc.is_object() || !doc.contains("tokens") ||
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
  loaded_mtime_ns_ = mtime;
  loaded_size_ = st.st_size;
  loaded_inode_ = st.st_ino;
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
  std::string text = doc.dump(1) + "\n";
  std::string tmp = path_ + ".new";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Unavailable("cannot write " + tmp);
  bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path_.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Unavailable("cannot write " + path_);
  }
  std::string dir = std::filesystem::path(path_).parent_path().string();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  loaded_mtime_ns_ = -1;  // re-stat on the next read
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
  std::error_code ec;
  std::filesystem::create_directories(
      std::filesystem::path(path_).parent_path(), ec);
  std::lock_guard<std::mutex> guard(mu_);
  FileLock lock(path_);
  if (!lock.ok()) return Unavailable("cannot lock " + path_ + ".lock");
  loaded_mtime_ns_ = -1;
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
  std::lock_guard<std::mutex> guard(mu_);
  FileLock lock(path_);
  if (!lock.ok()) return Unavailable("cannot lock " + path_ + ".lock");
  loaded_mtime_ns_ = -1;
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
  std::lock_guard<std::mutex> guard(mu_);
  SHOUHU_RETURN_IF_ERROR(ReloadIfChanged());
  for (const Record& r : records_) {
    if (r.info.id != id) continue;
    std::string hash = HashSecret(r.salt_hex, secret);
    if (hash.size() != r.hash_hex.size() ||
        CRYPTO_memcmp(hash.data(), r.hash_hex.data(), hash.size()) != 0) {
      return PermissionDenied("unknown token");
    }
    if (r.info.revoked) return PermissionDenied("the token was revoked");
    if (now >= r.info.expires_at) return PermissionDenied("the token has expired");
    return r.info;
  }
  return PermissionDenied("unknown token");
}

StatusOr<std::vector<TokenInfo>> TokenStore::List() {
  std::lock_guard<std::mutex> guard(mu_);
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
