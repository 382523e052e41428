// Failure counts per account and per address, with doubling delays and
// locks.
#include "auth/sign_in_limiter.h"

#include <algorithm>

namespace shouhu {
namespace {

// Tables are pruned of forgotten entries when they grow past this, so a
// guesser cycling through addresses or logins cannot grow memory unbounded
// faster than the lock time lets entries go.
constexpr size_t kPruneAbove = 10'000;

}  // namespace

SignInLimiter::SignInLimiter(SignInLimits limits) : limits_(limits) {}

std::chrono::milliseconds SignInLimiter::Wait(std::map<std::string, Failures>& table,
                                              const std::string& key, int max,
                                              Instant now) {
  using std::chrono::milliseconds;
  if (key.empty()) return milliseconds(0);
  auto it = table.find(key);
  if (it == table.end()) return milliseconds(0);
  const Failures& f = it->second;
  if (now - f.last >= limits_.lock) {
    table.erase(it);
    return milliseconds(0);
  }
  Instant until = f.last;
  if (f.count >= max) {
    until = f.last + limits_.lock;
  } else if (f.count >= limits_.free_failures) {
    int doublings = std::min(f.count - limits_.free_failures, 30);
    milliseconds delay = std::min<milliseconds>(limits_.delay * (int64_t{1} << doublings),
                                                limits_.lock);
    until = f.last + delay;
  }
  return std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(until - now));
}

void SignInLimiter::Count(std::map<std::string, Failures>& table, const std::string& key,
                          Instant now) {
  if (key.empty()) return;
  if (table.size() > kPruneAbove) {
    std::erase_if(table, [&](const auto& e) { return now - e.second.last >= limits_.lock; });
  }
  Failures& f = table[key];
  if (f.count > 0 && now - f.last >= limits_.lock) f.count = 0;
  ++f.count;
  f.last = now;
}

std::chrono::milliseconds SignInLimiter::WaitFor(const std::string& account,
                                                 const std::string& address, Instant now) {
  MutexLock guard(mu_);
  return std::max(Wait(accounts_, account, limits_.account_failures, now),
                  Wait(addresses_, address, limits_.address_failures, now));
}

void SignInLimiter::Failed(const std::string& account, const std::string& address,
                           Instant now) {
  MutexLock guard(mu_);
  Count(accounts_, account, now);
  Count(addresses_, address, now);
}

void SignInLimiter::Succeeded(const std::string& account) {
  MutexLock guard(mu_);
  accounts_.erase(account);
}

}  // namespace shouhu
