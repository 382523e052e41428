// The CLI's client commands: talk to a running shouhud over HTTP(S).
// `shouhu report|show|fire|note|assign|list|overdue|escalations|whoami|
// token|user|unit|dead-letters|child ...`; human-readable tables by default,
// --json for scripts.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/command_line.h"
#include "cli/http_client.h"

namespace shouhu::cli {

// The commands that talk to a running daemon, each added to `command_line`
// with its options (the files named).
void AddCaseCommands(CommandLine& command_line);        // client.cc
void AddReportCommands(CommandLine& command_line);      // report_command.cc
void AddTokenCommands(CommandLine& command_line);       // token_command.cc
void AddUserCommands(CommandLine& command_line);        // user_command.cc
void AddUnitCommands(CommandLine& command_line);        // org_command.cc
void AddDeadLetterCommands(CommandLine& command_line);  // dead_letter_command.cc
void AddChildCommands(CommandLine& command_line);       // child_command.cc
// `user add|set|deactivate|activate` under the `user` command (org_command.cc).
void AddUserOrgCommands(CommandLine& command_line, CLI::App* user);

// Runs `run` with a client made from the command's --server/--token/...
CommandLine::Run WithClient(int (*run)(HttpClient&, const ClientArgs&));

// `shouhu backup` without --data-dir: the running daemon's online backup.
int OnlineBackup(const ClientArgs& args);

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

// Replaces the enum values in `data` (a case's data) by their labels
// ("脱离监护单独居住 Living alone") from `definition` (the workflow as
// written), lists joined with "、". Values without a label stay as they are.
void LabelValues(const nlohmann::json& definition, nlohmann::json* data);

// A JSON value as a table cell: a string as it is, a label {"zh","en"} as
// "zh en", a redacted value as "(保密 confidential)".
std::string CellText(const nlohmann::json& value);

// Times as people of the organisation read them: after
// UseOrganisationTimeZone (a no-op with --json), When() prints an RFC 3339
// instant in the organisation's time zone, "2026-11-24 01:12:47 +0800".
void UseOrganisationTimeZone(HttpClient& client, const ClientArgs& args);
std::string When(const nlohmann::json& value);

// Prints a result made offline like SendAndPrint prints a reply; returns 0.
int PrintResult(const ClientArgs& args, const nlohmann::json& body,
                void (*render)(const nlohmann::json&));

}  // namespace shouhu::cli
