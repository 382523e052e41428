// `shouhu validate --config FILE`: what shouhud checks before it starts,
// without starting it (daemon/start_up.h): the configuration, its workflows,
// the organisation, the access rules, the notifier plugins and the data key
// file (present, a key, its owner's only). `shouhud --check-config` checks
// the same and the API section with its TLS files.
#include <cstdio>
#include <string>

#include "cli/admin.h"
#include "daemon/config.h"
#include "daemon/start_up.h"

namespace shouhu::cli {

int ValidateConfig(const std::string& path) {
  auto config = LoadDaemonConfig(path);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n1 error(s) 个错误\n", config.status().message().c_str());
    return 1;
  }
  StartUpReport report;
  PrepareStartUp(std::move(*config), &report);
  for (const auto& f : report.facts) std::printf("ok  %s\n", f.c_str());
  for (const auto& w : report.warnings) std::printf("warning: %s\n", w.c_str());
  for (const auto& p : report.problems) std::fprintf(stderr, "%s\n", p.c_str());
  if (!report.problems.empty()) {
    std::fprintf(stderr, "%zu error(s) 个错误\n", report.problems.size());
    return 1;
  }
  return 0;
}

}  // namespace shouhu::cli
