#include "daemon/options.h"

#include <cstdio>

#include "cli/command_line.h"

namespace shouhu {
namespace {

constexpr const char* kUsage =
    "usage: shouhud --config <file.json> [--data-dir <dir>] [--listen <addr:port>]\n"
    "       shouhud --config <file.json> --simulated-time <RFC 3339 instant|now>\n"
    "       shouhud --check-config <file.json>\n"
    "       shouhud --version\n"
    "\n"
    "Starts the shouhu (守护) daemon. The configuration names the data\n"
    "directory, the workflow definition files or folders and the listen\n"
    "address; see deploy/shouhud.json. --data-dir and --listen override the\n"
    "file's (port 0 = any free port; the bound address is printed).\n"
    "--check-config checks everything start-up checks (the configuration, the\n"
    "workflows, the organisation and access rules, the notifier plugins and\n"
    "their settings, the API section and its TLS files, the data key) and\n"
    "exits, 0 when all is well, without opening the store.\n"
    "--simulated-time is for tests: the daemon's clock starts at the instant\n"
    "given and moves only when an administrator moves it (POST /api/v1/clock);\n"
    "refused under systemd, and no configuration file can set it.\n"
    "Options are written `--name value` or `--name=value`.\n";

}  // namespace

std::optional<int> ParseDaemonOptions(int argc, char** argv, DaemonOptions* out) {
  CLI::App app("", "shouhud");
  app.formatter(cli::ProseFormatter());
  app.footer(kUsage);
  app.set_help_flag("-h,--help", "此帮助 / this help");
  app.set_version_flag("--version", std::string("shouhud ") + cli::Version(),
                       "版本 / the version");
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  CLI::Option* config =
      app.add_option("--config", out->config_path, "配置文件 / the configuration file")
          ->type_name("FILE");
  CLI::Option* check =
      app.add_option("--check-config", out->check_path,
                     "只检查配置 / check the configuration and exit")
          ->type_name("FILE");
  config->excludes(check);
  app.add_option("--data-dir", out->data_dir, "数据目录 / the data directory (overrides)")
      ->type_name("DIR");
  app.add_option("--listen", out->listen, "监听地址 / address:port to listen on (overrides)")
      ->type_name("ADDR:PORT")
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            if (v.rfind(':') != std::string::npos) return "";
            return "「" + v + "」须为 地址:端口 / \"" + v + "\" is not address:port";
          },
          "ADDR:PORT"));
  app.add_option("--simulated-time", out->simulated_time,
                 "模拟时间（仅测试）/ a simulated clock from this instant (tests only)")
      ->type_name("INSTANT|now");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForVersion& e) {
    std::printf("%s\n", e.what());
    return 0;
  } catch (const CLI::ParseError& e) {
    return cli::ReportParseError(app, e);
  }
  if (out->config_path.empty() && out->check_path.empty()) {
    cli::PrintError("缺少参数 --config 或 --check-config",
                    "missing option --config or --check-config (shouhud --help)");
    return 2;
  }
  return std::nullopt;
}

}  // namespace shouhu
