// shouhu: the command-line tool. Offline admin commands work on files and
// data directories; the client commands (cli/client.h) talk to a running daemon.
#include <sys/stat.h>

#include <cstdio>
#include <string>
#include <vector>

#include "cli/admin.h"
#include "cli/client.h"
#include "shouhu/catalog.h"

namespace {

constexpr const char* kUsage =
    "shouhu — 守护 command-line tool\n"
    "\n"
    "usage: shouhu <command> [options]\n"
    "       shouhu <command> --help       a command's options\n"
    "       shouhu --version\n"
    "\n"
    "Options are written `--name value` or `--name=value`, anywhere after the\n"
    "command. Errors are in Chinese with English beside.\n"
    "\n"
    "offline commands (on files and a stopped daemon's data directory):\n"
    "  validate <file-or-folder>...  check workflow definitions and calendars\n"
    "  validate --config FILE        check what shouhud checks at start\n"
    "  audit verify|show --data-dir DIR   check or print the audit log\n"
    "  backup --data-dir DIR --to BACKUP  copy a data directory\n"
    "  restore --from BACKUP --data-dir DIR   restore a backup\n"
    "  key init|rotate|status        the data key that encrypts the store\n"
    "  migrate --from DIR --to-postgres DSN   copy a store to PostgreSQL (and back)\n"
    "  help                          this text\n"
    "\n"
    "commands that talk to a running shouhud (--server, --token or SHOUHU_TOKEN):\n"
    "  report field=value...          file a report (open a case)\n"
    "  show CASE                      a case: state, data, timers, history\n"
    "  fire CASE EVENT field=value... fire an event\n"
    "  note CASE TEXT                 add a note\n"
    "  assign CASE USER               assign the current step's owner\n"
    "  list --state|--unit|--owner|--mine   list cases in your jurisdiction\n"
    "  overdue                        overdue (escalated) cases\n"
    "  escalations                    escalations that reached you\n"
    "  whoami                         your token's user, unit and roles\n"
    "  backup [--list]                an online backup of the running daemon\n"
    "  reports NAME [--unit U]        a report (统计报表) as a table, or --format xlsx\n"
    "  spot-check cases|files --size N  a reproducible random sample (随机抽查)\n"
    "  dead-letters list|redrive      notifications given up on (死信), sent again\n"
    "  child list|search|show|history children's files (儿童档案)\n"
    "  token issue|revoke|list        API tokens (offline with --data-dir)\n"
    "  user list|add|set|deactivate|activate ID   users of the organisation\n"
    "  user invite --user ID          a one-time code to set a password (offline\n"
    "                                 with --data-dir)\n"
    "  unit list|add|set|move|deactivate|activate ID   units of the organisation\n";

constexpr const char* kValidateUsage =
    "usage: shouhu validate <file-or-folder>...\n"
    "       shouhu validate --config FILE\n"
    "\n"
    "Loads every *.json under the given paths (folders recursively) as\n"
    "workflow definitions (\"kind\": \"workflow\") and working-day calendars\n"
    "(\"kind\": \"calendar\"), and checks them. A workflow file given alone\n"
    "also sees the calendars in the calendars/ folder beside it.\n"
    "\n"
    "With --config, checks what shouhud checks before it starts: the daemon's\n"
    "configuration file, the workflows it names, the organisation, the access\n"
    "rules (access.json) and the data key file.\n"
    "\n"
    "Exits 0 when every definition is valid; otherwise prints one line per\n"
    "error as `file:json-pointer: message` on standard error and exits 1.\n";

int Validate(const shouhu::cli::ClientArgs& args) {
  if (args.Has("config")) {
    if (!args.positional.empty()) {
      shouhu::cli::PrintError("--config 与文件路径只能给一个",
                              "give --config FILE or workflow paths, not both");
      return 2;
    }
    return shouhu::cli::ValidateConfig(args.Get("config"));
  }
  if (args.positional.empty()) {
    shouhu::cli::PrintError("缺少参数 PATH 或 --config", "missing PATH... or --config");
    return 2;
  }
  const std::vector<std::string>& paths = args.positional;
  std::vector<std::string> load = paths;
  for (const std::string& p : paths) {
    // A lone workflow file still needs the calendars it names.
    auto slash = p.find_last_of('/');
    std::string dir = slash == std::string::npos ? "." : p.substr(0, slash);
    if (p.size() > 5 && p.compare(p.size() - 5, 5, ".json") == 0) {
      std::string cal = dir + "/calendars";
      if (FILE* f = std::fopen((cal + "/.").c_str(), "r")) {
        std::fclose(f);
        load.push_back(cal);
      }
    }
  }
  std::vector<shouhu::DefinitionError> errors;
  shouhu::Catalog catalog = shouhu::Catalog::Load(load, &errors);
  for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.ToString().c_str());
  if (!errors.empty()) {
    std::fprintf(stderr, "%zu error(s) 个错误\n", errors.size());
    return 1;
  }
  auto all = catalog.All();
  for (const auto& w : all) {
    std::printf("ok  %s v%d  %s / %s  (%zu states, %zu events)  %s\n",
                w->id.c_str(), w->version, w->label.zh.c_str(),
                w->label.en.c_str(), w->states.size(), w->events.size(),
                w->source_file.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Tokens, backups and restored data directories are for their owner only.
  ::umask(0077);
  shouhu::cli::CommandLine cl("shouhu", kUsage);
  auto validate = cl.Add(nullptr, "validate", "检查定义或配置 / check definitions or a configuration",
                         kValidateUsage, Validate);
  AddRest(validate, "PATH", "工作流定义文件或目录 / workflow definition files or folders");
  AddValue(validate, "config", "FILE", "守护进程配置 / a shouhud configuration file");
  cl.Add(nullptr, "help", "帮助 / this text", kUsage, [](const shouhu::cli::ClientArgs&) {
    std::fputs(kUsage, stdout);
    return 0;
  });
  shouhu::cli::AddCaseCommands(cl);
  shouhu::cli::AddReportCommands(cl);
  shouhu::cli::AddDeadLetterCommands(cl);
  shouhu::cli::AddChildCommands(cl);
  shouhu::cli::AddUserCommands(cl);
  shouhu::cli::AddUnitCommands(cl);
  shouhu::cli::AddTokenCommands(cl);
  shouhu::cli::AddBackupCommands(cl);
  shouhu::cli::AddAuditCommands(cl);
  shouhu::cli::AddKeyCommands(cl);
  shouhu::cli::AddMigrateCommands(cl);
  return cl.Main(argc, argv);
}
