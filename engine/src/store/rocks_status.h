// Internal to the RocksDB store's files (store/rocks_*.cc): the one place
// where RocksDB results become shouhu Status, and the slice conversions.
// RocksDB reports errors through rocksdb::Status, never by throwing
// (std::bad_alloc aside, which we let terminate as everywhere else), so no
// RocksDB type or error crosses the Store interface.
#pragma once

#include <rocksdb/slice.h>
#include <rocksdb/status.h>

#include <string>
#include <string_view>
#include <utility>

#include "shouhu/status.h"

namespace shouhu {

inline rocksdb::Slice ToSlice(std::string_view s) { return {s.data(), s.size()}; }
inline std::string_view ToView(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

// Maps a failed RocksDB call to what the caller should do next: I/O trouble
// is worth retrying, corruption is not.
inline Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  std::string message = std::string(what) + ": " + s.ToString();
  if (s.IsNotFound()) return NotFound(std::move(message));
  if (s.IsCorruption()) return Internal(std::move(message));
  if (s.IsInvalidArgument()) return InvalidArgument(std::move(message));
  if (s.IsNotSupported()) return Internal(std::move(message));
  // IOError, Busy, TimedOut, TryAgain, Incomplete, ShutdownInProgress,
  // Aborted, and the rest: transient as far as we can tell.
  return Unavailable(std::move(message));
}

inline Status FromRocksOrOk(const rocksdb::Status& s, std::string_view what) {
  return s.ok() ? Status::Ok() : FromRocks(s, what);
}

}  // namespace shouhu
