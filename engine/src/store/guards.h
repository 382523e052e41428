// Internal to the store area: the errors of a batch whose guard failed
// (Mutation::kInsert, kFence; see shouhu/store.h), worded once for both
// backends.
#pragma once

#include <string>
#include <string_view>

#include "shouhu/status.h"

namespace shouhu {

// A create-only write met a record already there: another writer (another
// node) changed it first.
inline std::string ConflictMessage(std::string_view key) {
  std::string printable;
  for (char c : key.substr(0, 80)) printable += (c >= 0x20 && c < 0x7f) ? c : '?';
  return "store: a concurrent change came first (\"" + printable +
         "\" exists already); read again and retry 并发修改冲突，请重新读取";
}

// The lease the batch was committed under has moved on: another node holds
// it now, so this one must not commit what it did under it.
inline Status LeaseLost(std::string_view lease) {
  return FailedPrecondition("store: lease \"" + std::string(lease) +
                            "\" is held by another node now; the write is refused 租约已失效");
}

}  // namespace shouhu
