// ISO 8601 durations (PT2H, P3D, P1M, P1Y2M3DT4H5M6S) and instants.
//
// Thread safety: value types.
//
// Months and years are calendar units: adding P1M to 31 January gives the last
// day of February. Days, hours, minutes and seconds are exact. All calendar
// arithmetic is done in the local time of a fixed UTC offset (China: +08:00).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "shouhu/status.h"

namespace shouhu {

// Milliseconds since the Unix epoch, UTC.
using Instant = std::chrono::sys_time<std::chrono::milliseconds>;

struct Duration {
  int32_t years = 0;
  int32_t months = 0;
  int32_t days = 0;     // weeks are folded into days
  int64_t seconds = 0;  // hours, minutes and seconds

  bool is_zero() const {
    return years == 0 && months == 0 && days == 0 && seconds == 0;
  }
  // True when only whole days are set (what working-day arithmetic accepts).
  bool whole_days_only() const {
    return years == 0 && months == 0 && seconds == 0 && days > 0;
  }
  std::string ToString() const;  // canonical ISO 8601 form
  bool operator==(const Duration&) const = default;
};

// Parses an ISO 8601 duration. Negative and fractional values are refused.
StatusOr<Duration> ParseDuration(std::string_view text);

// `at` + `d`, calendar units applied in local time at `utc_offset`.
Instant AddDuration(Instant at, const Duration& d,
                    std::chrono::minutes utc_offset);

// RFC 3339 with offset or Z ("2026-02-13T09:00:00+08:00"). Milliseconds kept.
StatusOr<Instant> ParseInstant(std::string_view text);
// RFC 3339 in UTC, "2026-02-13T01:00:00.000Z".
std::string FormatInstant(Instant at);

}  // namespace shouhu
