#include "daemon/service_manager.h"

#include <systemd/sd-daemon.h>

namespace shouhu::service_manager {
namespace {

void Send(const std::string& state) { sd_notify(0, state.c_str()); }

}  // namespace

void Ready(const std::string& status) { Send("READY=1\nSTATUS=" + status); }
void Reloading(const std::string& status) { Send("RELOADING=1\nSTATUS=" + status); }
void Stopping() { Send("STOPPING=1\nSTATUS=stopping 正在停止"); }
void Status(const std::string& status) { Send("STATUS=" + status); }

std::optional<std::chrono::microseconds> WatchdogInterval() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec);
}

void KeepAlive() { Send("WATCHDOG=1"); }

}  // namespace shouhu::service_manager
