// What shouhud loads and checks before it opens the store: the data key, the
// workflow definitions, the organisation and its access rules, and the
// notifier plugins with their settings. `shouhud --check-config` and
// `shouhu validate --config` run exactly this and stop; shouhud goes on to
// open the store with what it returns.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "daemon/config.h"
#include "shouhu/access.h"
#include "shouhu/catalog.h"
#include "shouhu/org.h"
#include "shouhu/sealed_store.h"

namespace shouhu {

struct StartUp {
  DaemonConfig config;
  std::optional<DataKey> data_key;  // none only with "encryption": {"none": ...}
  Catalog catalog;
  std::optional<Organisation> org;
  AccessRules access;  // without an organisation: nobody may do anything
  std::vector<ChannelOptions> channels;
};

struct StartUpReport {
  std::vector<std::string> problems;  // every one found, not only the first
  std::vector<std::string> facts;     // what was loaded, one line each
  std::vector<std::string> warnings;
};

// Checks everything and loads what passes. Returns the StartUp when
// `report->problems` is empty. Nothing on disk is changed.
std::optional<StartUp> PrepareStartUp(DaemonConfig config, StartUpReport* report);

}  // namespace shouhu
