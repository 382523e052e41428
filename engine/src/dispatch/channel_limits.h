// A channel's rate limit: a token bucket on the injected clock's time.
// Private to the dispatcher.
//
// Thread safety: not thread-safe; the dispatcher's round uses it from one
// thread.
#pragma once

#include <algorithm>

#include "shouhu/duration.h"

namespace shouhu::dispatch {

class TokenBucket {
 public:
  // rate_per_minute 0: no limit.
  TokenBucket(double rate_per_minute, int burst)
      : rate_per_ms_(rate_per_minute / 60000.0),
        capacity_(std::max(1, burst)),
        tokens_(capacity_) {}

  // Takes one token if there is one at `now`.
  bool Take(Instant now) {
    if (rate_per_ms_ <= 0) return true;
    if (started_) {
      double elapsed = static_cast<double>((now - last_).count());
      if (elapsed > 0)
        tokens_ = std::min<double>(capacity_, tokens_ + elapsed * rate_per_ms_);
    }
    started_ = true;
    if (now > last_) last_ = now;
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

 private:
  double rate_per_ms_;
  int capacity_;
  double tokens_;
  bool started_ = false;
  Instant last_{};
};

}  // namespace shouhu::dispatch
