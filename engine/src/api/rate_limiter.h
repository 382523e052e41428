// Per-client rate limit: a token bucket per client key (the caller's token,
// or the remote address when there is none).
//
// Thread safety: Allow is safe from many threads.
#pragma once

#include <chrono>
#include <string>
#include <unordered_map>

#include "shouhu/mutex.h"

namespace shouhu::api {

class RateLimiter {
 public:
  // `per_second` requests sustained, bursts of up to `burst`. 0 = no limit.
  RateLimiter(double per_second, double burst);

  // Takes one request from the client's bucket; false when it is empty.
  // `now` is the clock's steady reading (Clock::Steady): simulated in tests.
  bool Allow(const std::string& client, std::chrono::steady_clock::time_point now);

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point updated;
  };
  double per_second_;
  double burst_;
  Mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_ SHOUHU_GUARDED_BY(mu_);
};

}  // namespace shouhu::api
