// Helpers for the C boundary of a plugin written in C++: error buffers and an
// exception barrier, so no C++ exception ever unwinds into the host.
#pragma once

#include <algorithm>
#include <cstring>
#include <exception>
#include <string>

#include "shouhu_notifier.h"

namespace shouhu::plugin {

// Copies `msg` into the host's buffer, truncated, always NUL-terminated.
inline void WriteError(char* err, size_t errlen, const std::string& msg) {
  if (!err || errlen == 0) return;
  size_t n = std::min(msg.size(), errlen - 1);
  std::memcpy(err, msg.data(), n);
  err[n] = '\0';
}

// Runs a send body; an escaping exception (say std::bad_alloc) becomes RETRY:
// the failure is in this process, not in the message.
template <typename F>
int GuardSend(char* err, size_t errlen, F&& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    WriteError(err, errlen, std::string("internal error: ") + e.what());
  } catch (...) {
    WriteError(err, errlen, "internal error");
  }
  return SHOUHU_SEND_RETRY;
}

// Runs an init body; an escaping exception becomes NULL with a message.
template <typename F>
void* GuardInit(char* err, size_t errlen, F&& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    WriteError(err, errlen, std::string("internal error: ") + e.what());
  } catch (...) {
    WriteError(err, errlen, "internal error");
  }
  return nullptr;
}

}  // namespace shouhu::plugin
