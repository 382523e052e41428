// Small JSON files that a daemon and offline CLI commands change side by side
// (the tokens and the credentials files): an exclusive lock, a stamp that
// shows another process replaced the file, and atomic replacement.
//
// Thread safety: free functions and a lock object; callers serialise their
// own threads with a mutex and other processes with FileLock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "shouhu/status.h"

namespace shouhu {

// Holds an exclusive flock on "<path>.lock" for its lifetime, creating the
// file's folder if need be.
class FileLock {
 public:
  explicit FileLock(const std::string& path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// What identifies one version of a file: a replaced file has another inode.
struct FileStamp {
  int64_t mtime_ns = 0;
  uint64_t size = 0;
  uint64_t inode = 0;
  bool operator==(const FileStamp&) const = default;
};

// The file's stamp, or nullopt when it does not exist.
std::optional<FileStamp> StampOf(const std::string& path);

// The whole file. kUnavailable when it cannot be read.
StatusOr<std::string> ReadWholeFile(const std::string& path);

// Writes "<path>.new" (mode 0600), fsyncs it, renames it over `path` and
// fsyncs the folder, creating the folder first. kUnavailable on failure
// (the old file is then untouched).
Status ReplaceFile(const std::string& path, std::string_view text);

// Lower-case hex of bytes; random bytes from OpenSSL as hex; SHA-256 as hex.
std::string HexOf(const unsigned char* bytes, size_t n);
StatusOr<std::string> RandomHex(size_t bytes);
std::string Sha256Hex(std::string_view data);
// Compares in time independent of where they differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace shouhu
