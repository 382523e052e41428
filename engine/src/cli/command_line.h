// The command lines of `shouhu` and `shouhud`, parsed by CLI11: the same
// option syntax everywhere (`--token=X` and `--token X`), `--help` on every
// command with its prose, `--version`, and every parse error in Chinese with
// English beside (`错误：缺少参数 --case / error: missing option --case`),
// each missing option named in one message.
//
// Thread safety: none needed; a program parses its command line once, on the
// main thread.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace shouhu::cli {

// The program's version: the CMake project's VERSION, set in one place.
const char* Version();

// A command's parsed values: options by name without the dashes ("" for a
// flag), positionals in order.
struct ClientArgs {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;
  bool json = false;

  bool Has(const std::string& name) const { return options.count(name) > 0; }
  std::string Get(const std::string& name, const std::string& fallback = "") const;
};

// Prints `错误：<zh> / error: <en>` on standard error.
void PrintError(const std::string& zh, const std::string& en);

// Help as this project writes it: a command's prose (its footer, which
// starts with its usage lines), then its arguments, options and commands.
std::shared_ptr<CLI::Formatter> ProseFormatter();

// What a parse error means, in Chinese with English beside, one line (no
// newline): a missing option names every missing one of the command.
std::string DescribeParseError(const CLI::App& root, const CLI::ParseError& error);

// Handles what CLI11's parse threw: help (and --help on a command) printed
// on standard output, 0; else the error on standard error, 2.
int ReportParseError(const CLI::App& root, const CLI::ParseError& error);

// A positive whole number ("--limit 20"); its error names the value given.
CLI::Validator PositiveWholeNumber();

// The program's commands as a tree of CLI11 apps; a leaf runs a function
// with the values its options and positionals filled.
class CommandLine {
 public:
  using Run = std::function<int(const ClientArgs&)>;
  struct Command {
    CLI::App* app = nullptr;
    ClientArgs* args = nullptr;
  };

  // `prose` is the --help text of the program (usage lines first).
  CommandLine(const std::string& program, const std::string& prose);

  CLI::App& root() { return app_; }

  // A command with actions under it (`user add`, `user set`): one is
  // required. `summary` is its line in its parent's list.
  CLI::App* Group(CLI::App* parent, const std::string& name, const std::string& summary,
                  const std::string& prose);
  // A command that runs `run`. Its options and positionals are added with
  // the functions below.
  Command Add(CLI::App* parent, const std::string& name, const std::string& summary,
              const std::string& prose, Run run);

  // Parses and runs the chosen command; returns the exit code (2 on a
  // usage error, with the error printed). No command: the program's help on
  // standard error, 2.
  int Main(int argc, char** argv);

 private:
  CLI::App app_;
  std::deque<ClientArgs> args_;  // stable addresses: options write into them
  std::map<const CLI::App*, std::pair<ClientArgs*, Run>> runs_;
};

// `--name VALUE` (and `--name=VALUE`); `type` names the value in the help.
CLI::Option* AddValue(const CommandLine::Command& c, const std::string& name,
                      const std::string& type, const std::string& help);
// `--name`.
CLI::Option* AddFlag(const CommandLine::Command& c, const std::string& name,
                     const std::string& help);
// One positional (CASE); required unless `optional`.
CLI::Option* AddPositional(const CommandLine::Command& c, const std::string& name,
                           const std::string& help, bool optional = false);
// The rest of the positionals (field=value ...), none or more.
CLI::Option* AddRest(const CommandLine::Command& c, const std::string& name,
                     const std::string& help);
// --server, --token, --cacert, --insecure, --json: how a client command
// reaches the daemon (SHOUHU_SERVER and SHOUHU_TOKEN in the environment).
void AddServerOptions(const CommandLine::Command& c);

// For options required only in one mode of a command (`backup --data-dir`
// needs `--to`): names every one of `names` missing from `args` in one
// message and returns 2; 0 when all are there.
int RequireOptions(const ClientArgs& args, const std::vector<std::string>& names);

}  // namespace shouhu::cli
