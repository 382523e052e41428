// Passwords and invitations, kept in one JSON file beside the tokens file
// ("<data_dir>/credentials.json"). A password is stored only as its Argon2id
// hash (libsodium's crypto_pwhash_str, with its own salt and cost), an
// invitation's one-time setup code only as its SHA-256 (the code carries 80
// random bits, so a plain hash is enough for a secret nobody chose).
//
// Why a file and not the RocksDB store: like the tokens, credentials must be
// written by `shouhu user invite --data-dir` before the daemon first runs and
// while it runs (shouhud holds the store's lock), and they are not case data:
// nothing of them belongs in the case store's hash chain or its backups'
// audit checks. The file is changed like the tokens file (exclusive lock,
// re-read, atomic replace), so CLI and daemon see each other's changes.
//
// Thread safety: safe from many threads and processes. Password checks run
// outside the lock (each costs about 0.1 s by design).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/locked_file.h"
#include "shouhu/duration.h"
#include "shouhu/mutex.h"
#include "shouhu/status.h"

namespace shouhu {

struct InvitationInfo {
  std::string id;
  std::string user;
  std::string created_by;  // the administrator, or "cli"
  Instant created_at;
  Instant expires_at;
  std::optional<Instant> used_at;
};

struct IssuedInvitation {
  InvitationInfo info;
  std::string code;  // "ABCD-EFGH-JKMN-PQRS": shown once, never stored
};

// Passwords shorter than this many characters (code points) are refused.
inline constexpr size_t kMinPasswordChars = 10;
inline constexpr size_t kMaxPasswordBytes = 1024;

class CredentialStore {
 public:
  // `path` is the credentials file; it and its folder are created on first
  // write.
  explicit CredentialStore(std::string path);

  // A new one-time setup code for `user`, valid for `ttl`. Earlier unused
  // invitations of the user stop working. kInvalidArgument for an empty user
  // or a ttl not > 0; kUnavailable when the file cannot be written.
  StatusOr<IssuedInvitation> Invite(const std::string& user, std::chrono::seconds ttl,
                                    const std::string& created_by, Instant now);

  // Sets the password of the code's user and uses the code up, in one write.
  // Returns the user. Errors, changing nothing:
  //   kNotFound           unknown or already used code
  //   kFailedPrecondition the code has expired
  //   kInvalidArgument    the password is too short or too long
  StatusOr<std::string> Accept(std::string_view code, std::string_view password,
                               Instant now);

  // True when `user` has a password and `password` is it. Takes about as
  // long for a user without a password (a check against a dummy hash), so
  // timing does not tell which users exist.
  bool VerifyPassword(const std::string& user, std::string_view password);
  bool HasPassword(const std::string& user);

  StatusOr<std::vector<InvitationInfo>> Invitations();
  const std::string& path() const { return path_; }

 private:
  struct Password {
    std::string user;
    std::string hash;  // crypto_pwhash_str output, "$argon2id$v=19$..."
    Instant set_at;
  };
  struct Invitation {
    InvitationInfo info;
    std::string code_sha256;
  };
  Status ReloadIfChanged() SHOUHU_REQUIRES(mu_);
  Status WriteLocked() SHOUHU_REQUIRES(mu_);  // and the file lock held

  std::string path_;
  Mutex mu_;
  std::vector<Password> passwords_ SHOUHU_GUARDED_BY(mu_);
  std::vector<Invitation> invitations_ SHOUHU_GUARDED_BY(mu_);
  std::optional<FileStamp> loaded_ SHOUHU_GUARDED_BY(mu_);
};

// Default place of the credentials file: beside the tokens file.
std::string CredentialsPathBeside(const std::string& tokens_path);

}  // namespace shouhu
