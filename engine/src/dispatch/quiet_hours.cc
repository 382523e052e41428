// Quiet hours: the part of the local day in which a channel holds back all
// but urgent messages.
#include "shouhu/dispatcher.h"

namespace shouhu {
namespace {

constexpr int64_t kDayMs = 24LL * 60 * 60 * 1000;

// Milliseconds since local midnight at `offset`.
int64_t LocalDayMs(Instant at, std::chrono::minutes offset) {
  int64_t local = at.time_since_epoch().count() + offset.count() * 60'000;
  return ((local % kDayMs) + kDayMs) % kDayMs;
}

}  // namespace

bool QuietHours::Contains(Instant at) const {
  int64_t ms = LocalDayMs(at, utc_offset);
  int64_t start = start_minute * 60'000LL, end = end_minute * 60'000LL;
  if (start == end) return false;
  if (start < end) return ms >= start && ms < end;
  return ms >= start || ms < end;  // spans midnight
}

Instant QuietHours::End(Instant at) const {
  int64_t ms = LocalDayMs(at, utc_offset);
  int64_t wait = ((end_minute * 60'000LL - ms) % kDayMs + kDayMs) % kDayMs;
  return at + std::chrono::milliseconds(wait);
}

}  // namespace shouhu
