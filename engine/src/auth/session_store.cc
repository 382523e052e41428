// In-memory sessions keyed by the SHA-256 of their cookie secret.
#include "auth/session_store.h"

#include <algorithm>

#include "auth/locked_file.h"

namespace shouhu {

SessionStore::SessionStore(SessionOptions options) : options_(options) {}

bool SessionStore::Expired(const Session& s, Instant now) const {
  return now - s.last_seen_at >= options_.idle || now - s.created_at >= options_.absolute;
}

StatusOr<StartedSession> SessionStore::Start(const std::string& user,
                                             const std::string& origin, Instant now) {
  auto secret = RandomHex(32);
  auto id = RandomHex(8);
  auto csrf = RandomHex(32);
  if (!secret.ok() || !id.ok() || !csrf.ok()) return Internal("no randomness");
  Session s{*id, user, *csrf, origin, now, now};
  MutexLock guard(mu_);
  if (by_secret_hash_.size() >= options_.max_sessions) {
    std::erase_if(by_secret_hash_, [&](const auto& e) { return Expired(e.second, now); });
  }
  if (by_secret_hash_.size() >= options_.max_sessions) {
    auto oldest = std::min_element(
        by_secret_hash_.begin(), by_secret_hash_.end(), [](const auto& a, const auto& b) {
          return a.second.last_seen_at < b.second.last_seen_at;
        });
    by_secret_hash_.erase(oldest);
  }
  by_secret_hash_[Sha256Hex(*secret)] = s;
  return StartedSession{s, *secret};
}

std::optional<Session> SessionStore::Touch(const std::string& secret, Instant now) {
  std::string key = Sha256Hex(secret);
  MutexLock guard(mu_);
  auto it = by_secret_hash_.find(key);
  if (it == by_secret_hash_.end()) return std::nullopt;
  if (Expired(it->second, now)) {
    by_secret_hash_.erase(it);
    return std::nullopt;
  }
  it->second.last_seen_at = std::max(it->second.last_seen_at, now);
  return it->second;
}

bool SessionStore::End(const std::string& id) {
  MutexLock guard(mu_);
  return std::erase_if(by_secret_hash_, [&](const auto& e) { return e.second.id == id; }) > 0;
}

size_t SessionStore::EndForUser(const std::string& user) {
  MutexLock guard(mu_);
  return std::erase_if(by_secret_hash_, [&](const auto& e) { return e.second.user == user; });
}

std::vector<Session> SessionStore::List(Instant now) {
  MutexLock guard(mu_);
  std::erase_if(by_secret_hash_, [&](const auto& e) { return Expired(e.second, now); });
  std::vector<Session> out;
  for (const auto& [key, s] : by_secret_hash_) out.push_back(s);
  std::sort(out.begin(), out.end(),
            [](const Session& a, const Session& b) { return a.created_at < b.created_at; });
  return out;
}

}  // namespace shouhu
