// Slows and then locks password guessing, per account and per client
// address (OWASP ASVS 2.2.1). After `free_failures` failures in a row, each
// further attempt must wait `delay`, doubling with every failure; after
// `account_failures` (or `address_failures` from one address) the account
// (or address) is locked for `lock`. A failure older than `lock` is
// forgotten; a success clears the account's count (not the address's, so
// one known password does not reset guessing at others).
//
// Attempts refused while waiting are not counted: a lock ends `lock` after
// the failure that set it, not later however often the guesser knocks.
// Counts live in memory; a restart forgets them, which only an
// administrator can cause.
//
// Thread safety: safe from many threads.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "shouhu/duration.h"
#include "shouhu/mutex.h"

namespace shouhu {

struct SignInLimits {
  int free_failures = 3;
  std::chrono::milliseconds delay = std::chrono::seconds(1);
  int account_failures = 5;
  int address_failures = 20;
  std::chrono::milliseconds lock = std::chrono::minutes(15);
};

class SignInLimiter {
 public:
  explicit SignInLimiter(SignInLimits limits = {});

  // How long the client must wait before this attempt may be checked; zero
  // when it may be checked now. `account` may be "" (no account involved).
  std::chrono::milliseconds WaitFor(const std::string& account,
                                    const std::string& address, Instant now);
  void Failed(const std::string& account, const std::string& address, Instant now);
  void Succeeded(const std::string& account);

  const SignInLimits& limits() const { return limits_; }

 private:
  struct Failures {
    int count = 0;
    Instant last;
  };
  std::chrono::milliseconds Wait(std::map<std::string, Failures>& table,
                                 const std::string& key, int max, Instant now);
  void Count(std::map<std::string, Failures>& table, const std::string& key,
             Instant now);

  SignInLimits limits_;
  Mutex mu_;
  std::map<std::string, Failures> accounts_ SHOUHU_GUARDED_BY(mu_);
  std::map<std::string, Failures> addresses_ SHOUHU_GUARDED_BY(mu_);
};

}  // namespace shouhu
