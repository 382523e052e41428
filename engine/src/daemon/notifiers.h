// The daemon's "notifiers" configuration: where the plugins are, the retry
// policy, and each channel's plugin, plugin settings and limits; and loading
// it into the dispatcher's channels.
//
//   "notifiers": {
//     "plugin_dir": "../build/plugins",
//     "retry": {"initial": "PT30S", "max": "PT1H", "max_attempts": 10,
//     "jitter": 0.2}, "channels": {
//       "email": {"plugin": "email", "config": {...plugin settings...},
//                 "enabled": true, "contact": "email", "concurrency": 2,
//                 "rate_per_minute": 60, "burst": 10,
//                 "quiet_hours": {"start": "22:00", "end": "07:00",
//                 "utc_offset": "+08:00"}, "template_ids": {"new_report":
//                 "SMS_0001"}}}}
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "shouhu/dispatcher.h"
#include "shouhu/status.h"

namespace shouhu {

struct ChannelConfig {
  std::string name;
  std::string plugin;
  std::string plugin_config_json = "{}";
  bool enabled =
      true;  // a disabled channel is not loaded (its messages dead-letter)
  std::string
      contact;  // email | phone | webhook; default by the channel's name
  int concurrency = 1;
  double rate_per_minute = 0;
  int burst = 1;
  std::optional<QuietHours> quiet_hours;
  std::map<std::string, std::string> template_ids;  // workflow → provider
};

struct NotifiersConfig {
  std::string plugin_dir;
  RetryPolicy retry;
  std::vector<ChannelConfig> channels;
};

// Reads `j` (the "notifiers" member of configuration file `file`, whose
// folder is `base`). Errors: InvalidArgument "file:/notifiers/...: why".
StatusOr<NotifiersConfig> ParseNotifiersConfig(
    const nlohmann::json& j, const std::filesystem::path& base,
    const std::string& file);

// Loads each enabled channel's plugin and creates `concurrency` instances of
// it. Errors name the channel: the plugin's file, ABI version, missing entry
// symbol (kFailedPrecondition, kNotFound) or settings (kInvalidArgument).
StatusOr<std::vector<ChannelOptions>> LoadChannels(
    const NotifiersConfig& config);

// The daemon's two steps. Before the store is opened: loads the channels
// (none without a "notifiers" section; an organisation is then required).
// Once the runtime runs: creates the dispatcher and starts its thread (null
// without a "notifiers" section). Lines are logged to standard error.
StatusOr<std::vector<ChannelOptions>> LoadDaemonChannels(
    const std::optional<NotifiersConfig>& config, const Organisation* org);
StatusOr<std::unique_ptr<Dispatcher>> StartDispatcher(
    const std::optional<NotifiersConfig>& config,
    std::vector<ChannelOptions> channels, OutboxService& outbox,
    const Catalog& catalog, const OrganisationDirectory* orgs, const AccessRules& rules,
    const Clock& clock, const Leases* leases = nullptr);

}  // namespace shouhu
