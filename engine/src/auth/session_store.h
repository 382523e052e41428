// Browser sessions after a password sign-in. A session is known by two
// values: the secret in the HttpOnly cookie (kept here only as its SHA-256,
// so a memory dump or the admin list cannot be replayed as a cookie) and a
// public id that administrators see and end sessions by. Each has its own
// CSRF token, which the app sends back in a header on every write.
//
// Sessions live in memory: a restart of shouhud signs everyone out, which
// costs a sign-in and keeps no bearer secret on disk. A session ends when
// idle for longer than `idle`, `absolute` after it began whatever its use,
// at sign-out, when an administrator ends it, or when its user's password
// changes.
//
// Thread safety: safe from many threads.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "shouhu/duration.h"
#include "shouhu/mutex.h"
#include "shouhu/status.h"

namespace shouhu {

struct SessionOptions {
  std::chrono::milliseconds idle = std::chrono::minutes(30);
  std::chrono::milliseconds absolute = std::chrono::hours(12);
  // Beyond this many live sessions the least recently used is ended.
  size_t max_sessions = 100'000;
};

struct Session {
  std::string id;    // public: listed and ended by administrators
  std::string user;
  std::string csrf;  // the X-CSRF-Token writes must carry
  std::string origin;  // the client address it began from
  Instant created_at;
  Instant last_seen_at;
};

struct StartedSession {
  Session session;
  std::string secret;  // the cookie's value; never stored
};

class SessionStore {
 public:
  explicit SessionStore(SessionOptions options = {});

  StatusOr<StartedSession> Start(const std::string& user, const std::string& origin,
                                 Instant now);
  // The live session whose cookie holds `secret`, its last use moved to
  // `now`; nullopt (and the session dropped) when unknown or expired.
  std::optional<Session> Touch(const std::string& secret, Instant now);
  // Ends the session by its public id; false when there is none.
  bool End(const std::string& id);
  // Ends every session of `user`; returns how many.
  size_t EndForUser(const std::string& user);
  // The live sessions, oldest first (expired ones are dropped).
  std::vector<Session> List(Instant now);

  const SessionOptions& options() const { return options_; }

 private:
  bool Expired(const Session& s, Instant now) const;

  SessionOptions options_;
  Mutex mu_;
  std::map<std::string, Session> by_secret_hash_ SHOUHU_GUARDED_BY(mu_);
};

}  // namespace shouhu
