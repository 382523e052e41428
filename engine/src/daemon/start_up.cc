#include "daemon/start_up.h"

#include <utility>

namespace shouhu {

std::optional<StartUp> PrepareStartUp(DaemonConfig config, StartUpReport* report) {
  StartUp s;
  auto problem = [&](const std::string& what) { report->problems.push_back(what); };

  if (config.unencrypted) {
    report->warnings.push_back(
        "the store is not encrypted (\"encryption\": {\"none\": \"development\"}); "
        "never use this set-up for real cases 存储未加密，切勿用于真实案件");
  } else if (auto key = ReadDataKeyFile(config.key_file); !key.ok()) {
    problem(key.status().message());
  } else {
    report->facts.push_back("data key " + DataKeyIdText(key->id) + "  " + key->source);
    s.data_key = std::move(*key);
  }

  std::vector<DefinitionError> definition_errors;
  s.catalog = Catalog::Load(config.workflow_paths, &definition_errors);
  for (const auto& e : definition_errors) problem(e.ToString());
  if (definition_errors.empty() && s.catalog.All().empty()) problem("no workflow loaded");
  for (const auto& w : s.catalog.All()) {
    report->facts.push_back("workflow " + w->id + " v" + std::to_string(w->version) + " (" +
                            w->label.zh + ")");
  }

  if (!config.organisation_path.empty()) {
    auto org = Organisation::Load(config.organisation_path);
    if (!org.ok()) {
      problem(org.status().message());
    } else {
      report->facts.push_back("organisation: " + std::to_string(org->units().size()) +
                              " units, " + std::to_string(org->users().size()) + " users  " +
                              config.organisation_path);
      s.org = std::move(*org);
      // Roles are checked against the workflows too, so only when they loaded.
      if (definition_errors.empty()) {
        auto rules = AccessRules::Load(config.access_path, KnownRoles(*s.org, s.catalog));
        if (!rules.ok()) {
          problem(rules.status().message());
        } else {
          report->facts.push_back("access rules  " + config.access_path);
          s.access = std::move(*rules);
        }
      }
    }
  }

  // Plugins are loaded (dlopen) and their settings checked by each plugin,
  // also when the organisation they need failed to load (said above).
  const bool org_failed = !config.organisation_path.empty() && !s.org;
  auto channels = org_failed && config.notifiers
                      ? LoadChannels(*config.notifiers)
                      : LoadDaemonChannels(config.notifiers, s.org ? &*s.org : nullptr);
  if (!channels.ok()) {
    problem(channels.status().message());
  } else {
    report->facts.push_back("notifier channels: " + std::to_string(channels->size()));
    s.channels = std::move(*channels);
  }

  if (!report->problems.empty()) return std::nullopt;
  s.config = std::move(config);
  return s;
}

}  // namespace shouhu
