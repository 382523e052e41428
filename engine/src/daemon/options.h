// shouhud's command line: every option it takes, parsed in this one place
// (CLI11, as the CLI's: `--name value` and `--name=value`, errors in Chinese
// with English beside).
#pragma once

#include <optional>
#include <string>

namespace shouhu {

struct DaemonOptions {
  std::string config_path;   // --config FILE
  std::string check_path;    // --check-config FILE: check and exit
  std::string data_dir;      // --data-dir DIR: overrides the file's
  std::string listen;        // --listen ADDRESS:PORT: overrides the file's
  std::string simulated_time;  // --simulated-time INSTANT|now: tests only
};

// Parses argv into `out`. Returns an exit code when shouhud should exit
// now (0 after --help or --version, 2 on a usage error, with what it
// printed), nothing when it should go on.
std::optional<int> ParseDaemonOptions(int argc, char** argv, DaemonOptions* out);

}  // namespace shouhu
