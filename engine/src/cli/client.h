// The CLI's client commands: talk to a running shouhud over HTTP(S).
// `shouhu report|show|fire|note|assign|list|overdue|escalations|whoami|users|
// token|user ...`; human-readable tables by default, --json for scripts.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/http_client.h"

namespace shouhu::cli {

// True for the commands RunClientCommand handles.
bool IsClientCommand(const std::string& command);
// Runs one; argv holds the arguments after the command name. Exit codes:
// 0 done, 1 refused by the server (error printed), 2 usage, 3 no server.
int RunClientCommand(const std::string& command, int argc, char** argv);
// One line per client command, for `shouhu help`.
const char* ClientCommandsHelp();

// The parsed command line of a client command.
struct ClientArgs {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;  // --name value ("" for flags)
  bool json = false;
  bool help = false;

  bool Has(const std::string& name) const { return options.count(name) > 0; }
  std::string Get(const std::string& name, const std::string& fallback = "") const;
};

// Splits argv; `flags` are the options that take no value. False (with a
// message on stderr) for an unknown option or a missing value.
bool ParseClientArgs(int argc, char** argv, const std::vector<std::string>& with_value,
                     const std::vector<std::string>& flags, ClientArgs* out);

// The client for --server/--token/--cacert/--insecure (or SHOUHU_SERVER,
// SHOUHU_TOKEN); default server http://127.0.0.1:8620.
std::unique_ptr<HttpClient> MakeClient(const ClientArgs& args);

// Sends and prints: the JSON body with --json, else `render(body)`.
// Returns the exit code.
int SendAndPrint(HttpClient& client, const ClientArgs& args, const std::string& method,
                 const std::string& path, const std::string& body,
                 const std::map<std::string, std::string>& headers,
                 void (*render)(const nlohmann::json&));

// Prints a reply as SendAndPrint does; returns the exit code.
int PrintReply(const HttpClient& client, const ClientArgs& args, const HttpReply& reply,
               void (*render)(const nlohmann::json&));

// `shouhu reports NAME` and `shouhu spot-check KIND` (report_command.cc).
int ReportsCommand(HttpClient& client, const ClientArgs& args);
int SpotCheckCommand(HttpClient& client, const ClientArgs& args);

// Replaces the enum values in `data` (a case's data) by their labels
// ("脱离监护单独居住 Living alone") from `definition` (the workflow as
// written), lists joined with "、". Values without a label stay as they are.
void LabelValues(const nlohmann::json& definition, nlohmann::json* data);

// Prints a result made offline like SendAndPrint prints a reply; returns 0.
int PrintResult(const ClientArgs& args, const nlohmann::json& body,
                void (*render)(const nlohmann::json&));

// `shouhu token issue|revoke|list` (token_command.cc).
int RunTokenCommand(int argc, char** argv);
// `shouhu user invite` (user_command.cc), and add|set|deactivate|activate.
int RunUserCommand(int argc, char** argv);
// `shouhu unit ...` and `shouhu user add|set|deactivate|activate`
// (org_command.cc): the organisation changed through the daemon's API.
int RunUnitCommand(int argc, char** argv);
int RunUserOrgCommand(int argc, char** argv);

}  // namespace shouhu::cli
