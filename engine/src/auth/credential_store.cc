// The credentials file: Argon2id password hashes and hashed invitation
// codes, changed under the file lock and replaced atomically.
#include "auth/credential_store.h"

#include <sodium.h>

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>
#include <openssl/rand.h>

#include "shouhu/json_parse.h"

namespace shouhu {
namespace {

using nlohmann::json;

int64_t Ms(Instant t) { return t.time_since_epoch().count(); }
Instant FromMs(int64_t ms) { return Instant(std::chrono::milliseconds(ms)); }

// Crockford's base32: no I, L, O or U, so a code read aloud or retyped from
// paper is not mistaken.
constexpr std::string_view kCodeDigits = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr size_t kCodeChars = 16;  // 80 bits

bool SodiumReady() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

// Upper case, separators dropped, the letters people confuse with digits
// read as those digits.
std::string NormalizeCode(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == '-' || c == ' ') continue;
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (c == 'O') c = '0';
    if (c == 'I' || c == 'L') c = '1';
    out.push_back(c);
  }
  return out;
}

StatusOr<std::string> NewCode() {
  unsigned char bytes[10];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return Internal("no random bytes from OpenSSL");
  std::string code;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      code.push_back(kCodeDigits[(acc >> bits) & 31]);
    }
  }
  std::string grouped;
  for (size_t i = 0; i < code.size(); ++i) {
    if (i > 0 && i % 4 == 0) grouped.push_back('-');
    grouped.push_back(code[i]);
  }
  return grouped;
}

size_t CodePoints(std::string_view s) {
  return std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  });
}

// Argon2id at libsodium's "interactive" cost: 64 MiB and 2 passes, about
// 0.1 s here; the sign-in limits keep guessing slow on top of that.
StatusOr<std::string> HashPassword(std::string_view password) {
  if (!SodiumReady()) return Internal("libsodium cannot start");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(),
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Unavailable("not enough memory to hash the password; retry");
  }
  return std::string(out);
}

bool CheckPassword(const std::string& hash, std::string_view password) {
  return SodiumReady() &&
         crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

// A hash no password matches in practice, checked for users without a
// password so that a failure takes as long either way.
const std::string& DummyHash() {
  static const std::string hash = [] {
    auto random = RandomHex(32);
    auto h = HashPassword(random.ok() ? *random : "shouhu dummy password");
    return h.ok() ? *h : std::string();
  }();
  return hash;
}

}  // namespace

std::string CredentialsPathBeside(const std::string& tokens_path) {
  std::filesystem::path dir = std::filesystem::path(tokens_path).parent_path();
  return (dir / "credentials.json").string();
}

CredentialStore::CredentialStore(std::string path) : path_(std::move(path)) {}

Status CredentialStore::ReloadIfChanged() {
  std::optional<FileStamp> stamp = StampOf(path_);
  if (!stamp) {
    passwords_.clear();
    invitations_.clear();
    loaded_ = FileStamp{};
    return Status::Ok();
  }
  if (loaded_ && *stamp == *loaded_) return Status::Ok();
  auto text = ReadWholeFile(path_);
  if (!text.ok()) return text.status();
  json doc = ParseJsonOrDiscarded(*text, kMaxConfigJsonDepth);
  if (doc.is_discarded() || !doc.is_object() || doc.value("kind", "") != "shouhu-credentials") {
    return Internal(path_ + ": not a credentials file");
  }
  std::vector<Password> passwords;
  std::vector<Invitation> invitations;
  try {
    for (const json& p : doc.at("passwords")) {
      passwords.push_back({p.at("user").get<std::string>(), p.at("argon2id").get<std::string>(),
                           FromMs(p.at("set_at").get<int64_t>())});
    }
    for (const json& i : doc.at("invitations")) {
      Invitation inv;
      inv.info.id = i.at("id").get<std::string>();
      inv.info.user = i.at("user").get<std::string>();
      inv.info.created_by = i.value("created_by", "");
      inv.info.created_at = FromMs(i.at("created_at").get<int64_t>());
      inv.info.expires_at = FromMs(i.at("expires_at").get<int64_t>());
      if (i.contains("used_at") && !i["used_at"].is_null()) {
        inv.info.used_at = FromMs(i["used_at"].get<int64_t>());
      }
      inv.code_sha256 = i.at("sha256").get<std::string>();
      invitations.push_back(std::move(inv));
    }
  } catch (const json::exception& e) {
    return Internal(path_ + ": bad credentials record: " + e.what());
  }
  passwords_ = std::move(passwords);
  invitations_ = std::move(invitations);
  loaded_ = stamp;
  return Status::Ok();
}

Status CredentialStore::WriteLocked() {
  json passwords = json::array();
  for (const Password& p : passwords_) {
    passwords.push_back({{"user", p.user}, {"argon2id", p.hash}, {"set_at", Ms(p.set_at)}});
  }
  json invitations = json::array();
  for (const Invitation& i : invitations_) {
    invitations.push_back(
        {{"id", i.info.id},
         {"user", i.info.user},
         {"created_by", i.info.created_by},
         {"created_at", Ms(i.info.created_at)},
         {"expires_at", Ms(i.info.expires_at)},
         {"used_at", i.info.used_at ? json(Ms(*i.info.used_at)) : json(nullptr)},
         {"sha256", i.code_sha256}});
  }
  json doc = {{"kind", "shouhu-credentials"},
              {"format", 1},
              {"passwords", passwords},
              {"invitations", invitations}};
  SHOUHU_RETURN_IF_ERROR(ReplaceFile(path_, doc.dump(1) + "\n"));
  loaded_.reset();  // re-stat on the next read
  return Status::Ok();
}

StatusOr<IssuedInvitation> CredentialStore::Invite(const std::string& user,
                                                   std::chrono::seconds ttl,
                                                   const std::string& created_by,
                                                   Instant now) {
  if (user.empty()) return InvalidArgument("an invitation needs a user");
  if (ttl.count() <= 0) return InvalidArgument("an invitation's lifetime must be positive");
  auto id = RandomHex(6);
  auto code = NewCode();
  if (!id.ok() || !code.ok()) return Internal("no randomness");
  MutexLock guard(mu_);
  FileLock lock(path_);
  if (!lock.ok()) return Unavailable("cannot lock " + path_ + ".lock");
  loaded_.reset();
  SHOUHU_RETURN_IF_ERROR(ReloadIfChanged());
  // Used and expired invitations are kept a while for the record, then
  // dropped so the file stays small; the user's unused ones stop working.
  auto keep_until = now - std::chrono::days(90);
  std::erase_if(invitations_, [&](const Invitation& i) {
    return (i.info.user == user && !i.info.used_at) || i.info.expires_at < keep_until;
  });
  Invitation inv;
  inv.info = {*id, user, created_by, now,
              now + std::chrono::duration_cast<std::chrono::milliseconds>(ttl), std::nullopt};
  inv.code_sha256 = Sha256Hex(NormalizeCode(*code));
  invitations_.push_back(inv);
  Status written = WriteLocked();
  if (!written.ok()) return written;
  return IssuedInvitation{inv.info, *code};
}

StatusOr<std::string> CredentialStore::Accept(std::string_view code,
                                              std::string_view password, Instant now) {
  std::string normalized = NormalizeCode(code);
  if (normalized.size() != kCodeChars) return NotFound("no such invitation code");
  std::string digest = Sha256Hex(normalized);
  std::string user;
  {
    MutexLock guard(mu_);
    SHOUHU_RETURN_IF_ERROR(ReloadIfChanged());
    auto it = std::find_if(invitations_.begin(), invitations_.end(), [&](const Invitation& i) {
      return ConstantTimeEquals(i.code_sha256, digest);
    });
    if (it == invitations_.end() || it->info.used_at) {
      return NotFound("no such invitation code, or it was used already");
    }
    if (now >= it->info.expires_at) {
      return FailedPrecondition("the invitation expired; ask for a new one");
    }
    user = it->info.user;
  }
  if (CodePoints(password) < kMinPasswordChars || password.size() > kMaxPasswordBytes) {
    return InvalidArgument("a password needs at least " + std::to_string(kMinPasswordChars) +
                           " characters (密码至少" + std::to_string(kMinPasswordChars) +
                           "个字符)");
  }
  auto hash = HashPassword(password);  // slow: outside the locks
  if (!hash.ok()) return hash.status();
  MutexLock guard(mu_);
  FileLock lock(path_);
  if (!lock.ok()) return Unavailable("cannot lock " + path_ + ".lock");
  loaded_.reset();
  SHOUHU_RETURN_IF_ERROR(ReloadIfChanged());
  // Checked again under the file lock: another process may have used it.
  auto it = std::find_if(invitations_.begin(), invitations_.end(), [&](const Invitation& i) {
    return ConstantTimeEquals(i.code_sha256, digest) && !i.info.used_at;
  });
  if (it == invitations_.end()) return NotFound("no such invitation code, or it was used already");
  it->info.used_at = now;
  std::erase_if(passwords_, [&](const Password& p) { return p.user == user; });
  passwords_.push_back({user, *hash, now});
  SHOUHU_RETURN_IF_ERROR(WriteLocked());
  return user;
}

bool CredentialStore::VerifyPassword(const std::string& user, std::string_view password) {
  std::string hash;
  {
    MutexLock guard(mu_);
    if (ReloadIfChanged().ok()) {
      for (const Password& p : passwords_) {
        if (p.user == user) hash = p.hash;
      }
    }
  }
  if (password.size() > kMaxPasswordBytes) return false;
  if (hash.empty()) {
    CheckPassword(DummyHash(), password);
    return false;
  }
  return CheckPassword(hash, password);
}

bool CredentialStore::HasPassword(const std::string& user) {
  MutexLock guard(mu_);
  if (!ReloadIfChanged().ok()) return false;
  return std::any_of(passwords_.begin(), passwords_.end(),
                     [&](const Password& p) { return p.user == user; });
}

StatusOr<std::vector<InvitationInfo>> CredentialStore::Invitations() {
  MutexLock guard(mu_);
  SHOUHU_RETURN_IF_ERROR(ReloadIfChanged());
  std::vector<InvitationInfo> out;
  for (const Invitation& i : invitations_) out.push_back(i.info);
  return out;
}

}  // namespace shouhu
