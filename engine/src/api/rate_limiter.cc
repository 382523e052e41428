// Token buckets per client, forgotten once full again (so the map stays small).
#include "api/rate_limiter.h"

#include <algorithm>

namespace shouhu::api {

RateLimiter::RateLimiter(double per_second, double burst)
    : per_second_(per_second), burst_(std::max(burst, 1.0)) {}

bool RateLimiter::Allow(const std::string& client,
                        std::chrono::steady_clock::time_point now) {
  if (per_second_ <= 0) return true;
  MutexLock lock(mu_);
  if (buckets_.size() > 10'000) {
    std::erase_if(buckets_, [&](const auto& kv) {
      double refill = std::chrono::duration<double>(now - kv.second.updated).count() *
                      per_second_;
      return kv.second.tokens + refill >= burst_;
    });
  }
  auto [it, fresh] = buckets_.try_emplace(client, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!fresh) {
    double elapsed = std::chrono::duration<double>(now - b.updated).count();
    b.tokens = std::min(burst_, b.tokens + std::max(0.0, elapsed) * per_second_);
    b.updated = now;
  }
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

}  // namespace shouhu::api
