// Wall-clock time for request timestamps that peers check against their own
// clocks (signatures, replay windows). Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>

namespace shouhu::plugin {

inline int64_t UnixMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace shouhu::plugin
