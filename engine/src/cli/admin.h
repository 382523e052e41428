// The offline admin commands of `shouhu` on a data directory: `audit verify`,
// `audit show`, `backup` and `restore`, `key`. Each returns the process exit
// code: 0 success, 1 failure (a broken audit chain, a refused or failed
// operation), 2 usage.
#pragma once

#include <string>

#include "cli/command_line.h"

namespace shouhu::cli {

// Each adds its commands to `command_line`.
void AddAuditCommands(CommandLine& command_line);   // audit_cmd.cc
void AddBackupCommands(CommandLine& command_line);  // backup_cmd.cc: backup, restore
void AddKeyCommands(CommandLine& command_line);     // key_cmd.cc
void AddMigrateCommands(CommandLine& command_line);  // migrate_cmd.cc: RocksDB <-> PostgreSQL
// `key rotate --online ...` against a running shouhud (key_online.cc).
int KeyRotateOnline(const ClientArgs& args);
// `validate --config FILE` (validate_config.cc).
int ValidateConfig(const std::string& config_path);

}  // namespace shouhu::cli
