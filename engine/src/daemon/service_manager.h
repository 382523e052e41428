// What shouhud tells systemd (Type=notify in deploy/shouhud.service): ready,
// reloading, stopping, a one-line status, and the watchdog's keep-alive.
// Outside systemd ($NOTIFY_SOCKET unset) every call does nothing.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace shouhu::service_manager {

void Ready(const std::string& status);
void Reloading(const std::string& status);
void Stopping();
void Status(const std::string& status);
// WatchdogSec= of the unit when the watchdog is on for this process.
std::optional<std::chrono::microseconds> WatchdogInterval();
void KeepAlive();

}  // namespace shouhu::service_manager
