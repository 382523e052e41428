// A notifier plugin's settings table on the host side: reading it from the C
// ABI, checking a configuration against it, and printing it as documentation.
// The table is the one place a plugin declares a setting; everything here is
// driven by it.
#pragma once

#include <string>
#include <vector>

#include "shouhu/notifier.h"
#include "shouhu/status.h"
#include "shouhu_notifier.h"

namespace shouhu::notify {

// Copies a C settings table (ended by a row whose name is NULL) and checks it
// is well formed: names are [a-z0-9_]+ and unique, types are known, ENUM rows
// have choices, defaults parse as their type. `where` names the plugin file in
// errors. Errors: kFailedPrecondition (the plugin is broken, not the config).
StatusOr<std::vector<NotifierSetting>> ReadSettingsTable(
    const shouhu_setting* table, const std::string& where);

// Checks `config_json` against `settings` and returns it normalised: a JSON
// object with exactly the declared settings that were given or have a
// default, each of its declared JSON type. "" counts as "{}".
// Errors: kInvalidArgument, `notifier "<plugin>": ...` naming the setting
// (unknown, missing required, wrong type, not one of the choices). The value
// of a kSecret setting never appears in a message.
StatusOr<std::string> CheckConfig(const std::string& plugin,
                                  const std::vector<NotifierSetting>& settings,
                                  const std::string& config_json);

// Documentation for `--help`: the plugin's description, then one entry per
// setting with type, required/default and description.
std::string FormatHelp(const std::string& plugin,
                       const std::string& description,
                       const std::vector<NotifierSetting>& settings);

}  // namespace shouhu::notify
