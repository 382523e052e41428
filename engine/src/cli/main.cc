// shouhu: the command-line tool. Offline admin commands work on files and
// data directories; the client commands (cli/client.h) talk to a running daemon.
#include <algorithm>
#include <cstdio>
#include <sys/stat.h>

#include <cstring>
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
    "\n"
    "commands:\n"
    "  validate <file-or-folder>...  check workflow definitions and calendars;\n"
    "                                prints file:json-pointer: message per error\n"
    "  validate --config FILE        check what shouhud checks at start: the\n"
    "                                configuration, workflows, organisation,\n"
    "                                access rules and data key file\n"
    "  audit verify|show --data-dir DIR [--key-file FILE]\n"
    "                                check or print the audit log (offline)\n"
    "  backup --data-dir DIR --to BACKUP [--key-file FILE]\n"
    "                                copy a data directory (offline)\n"
    "  restore --from BACKUP --data-dir DIR [--key-file FILE]\n"
    "                                restore a backup (offline)\n"
    "  key init FILE | key rotate ... | key status --data-dir DIR\n"
    "                                the data key that encrypts the store\n"
    "  help                          this text\n"
    "\n"
    "Run `shouhu <command> --help` for a command's options.\n";

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

bool WantsHelp(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
      return true;
    }
  }
  return false;
}

int Validate(int argc, char** argv) {
  if (WantsHelp(argc, argv)) {
    std::fputs(kValidateUsage, stdout);
    return 0;
  }
  if (argc == 0) {
    std::fputs(kValidateUsage, stderr);
    return 2;
  }
  if (!std::strcmp(argv[0], "--config")) {
    if (argc != 2) {
      std::fputs(kValidateUsage, stderr);
      return 2;
    }
    return shouhu::cli::ValidateConfig(argv[1]);
  }
  std::vector<std::string> paths(argv, argv + argc);
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
    std::fprintf(stderr, "%zu error(s)\n", errors.size());
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
  if (argc < 2 || !std::strcmp(argv[1], "help") ||
      !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    std::fputs(shouhu::cli::ClientCommandsHelp(), argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  std::string cmd = argv[1];
  // `backup --data-dir DIR` copies a stopped daemon's store; without it the
  // running daemon takes an online backup.
  const bool offline_backup =
      cmd == "backup" && std::any_of(argv + 2, argv + argc, [](const char* a) {
        return std::strncmp(a, "--data-dir", 10) == 0;
      });
  if (offline_backup) return shouhu::cli::BackupCommand(argc - 2, argv + 2);
  if (shouhu::cli::IsClientCommand(cmd)) {
    return shouhu::cli::RunClientCommand(cmd, argc - 2, argv + 2);
  }
  if (cmd == "validate") return Validate(argc - 2, argv + 2);
  if (cmd == "audit") return shouhu::cli::AuditCommand(argc - 2, argv + 2);
  if (cmd == "restore") return shouhu::cli::RestoreCommand(argc - 2, argv + 2);
  if (cmd == "key") return shouhu::cli::KeyCommand(argc - 2, argv + 2);
  std::fprintf(stderr, "shouhu: unknown command \"%s\"\n\n%s", cmd.c_str(),
               kUsage);
  return 2;
}
