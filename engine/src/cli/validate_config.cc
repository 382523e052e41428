// `shouhu validate --config FILE`: what shouhud checks before it starts,
// without starting it: the configuration, its workflows, the organisation,
// the access rules and the data key file (present, a key, its owner's only).
#include <cstdio>
#include <string>
#include <vector>

#include "cli/admin.h"
#include "daemon/config.h"
#include "shouhu/access.h"
#include "shouhu/catalog.h"
#include "shouhu/org.h"
#include "shouhu/sealed_store.h"

namespace shouhu::cli {

int ValidateConfig(const std::string& path) {
  auto config = LoadDaemonConfig(path);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n1 error(s)\n", config.status().message().c_str());
    return 1;
  }
  int errors = 0;
  std::vector<DefinitionError> definition_errors;
  Catalog catalog = Catalog::Load(config->workflow_paths, &definition_errors);
  for (const auto& e : definition_errors)
    std::fprintf(stderr, "%s\n", e.ToString().c_str());
  errors += static_cast<int>(definition_errors.size());
  if (definition_errors.empty()) {
    std::printf("ok  workflows: %zu loaded\n", catalog.All().size());
  }
  if (!config->organisation_path.empty()) {
    auto org = Organisation::Load(config->organisation_path);
    if (!org.ok()) {
      std::fprintf(stderr, "%s\n", org.status().message().c_str());
      ++errors;
    } else {
      std::printf("ok  organisation: %zu units, %zu users  %s\n",
                  org->units().size(), org->users().size(),
                  config->organisation_path.c_str());
      auto rules =
          AccessRules::Load(config->access_path, KnownRoles(*org, catalog));
      if (!rules.ok()) {
        std::fprintf(stderr, "%s\n", rules.status().message().c_str());
        ++errors;
      } else {
        std::printf("ok  access rules  %s\n", config->access_path.c_str());
      }
    }
  }
  if (config->unencrypted) {
    std::printf(
        "warning: the store is not encrypted (\"none\": \"development\")\n");
  } else {
    auto key = ReadDataKeyFile(config->key_file);
    if (!key.ok()) {
      std::fprintf(stderr, "%s\n", key.status().message().c_str());
      ++errors;
    } else {
      std::printf("ok  data key %s  %s\n", DataKeyIdText(key->id).c_str(),
                  config->key_file.c_str());
    }
  }
  if (errors > 0) {
    std::fprintf(stderr, "%d error(s)\n", errors);
    return 1;
  }
  return 0;
}

}  // namespace shouhu::cli
