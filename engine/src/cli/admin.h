// The offline admin commands of `shouhu` on a data directory: `audit verify`,
// `audit show`, `backup` and `restore` (admin.cc). Each takes the arguments
// after its command name and returns the process exit code: 0 success, 1
// failure (a broken audit chain, a refused or failed operation), 2 usage.
#pragma once

#include <string>

namespace shouhu::cli {

int AuditCommand(int argc, char** argv);
int BackupCommand(int argc, char** argv);
int RestoreCommand(int argc, char** argv);
int KeyCommand(int argc, char** argv);  // key_cmd.cc
// `key rotate --online ...` against a running shouhud (key_online.cc).
int KeyRotateOnline(int argc, char** argv);
// `validate --config FILE` (validate_config.cc).
int ValidateConfig(const std::string& config_path);

}  // namespace shouhu::cli
