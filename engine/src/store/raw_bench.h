// Write benchmarks: synced batch writes straight into RocksDB (its own group
// commit) against the same workload through Store::Commit, so that the
// committer's overhead can be measured. Used by the benchmark binary.
//
// Thread safety: each call runs its own client threads; calls are
// independent. Both block until the workload is done.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "shouhu/store.h"

namespace shouhu {

struct WriteBenchResult {
  double ops_per_sec = 0;  // acknowledged batches per second, all clients
  double p50_ms = 0;       // per-batch latency, as seen by one client
  double p99_ms = 0;
  int64_t failed_ops = 0;  // batches that returned an error (not counted)
};

// `clients` threads each write `ops_per_client` batches; a batch is
// `puts_per_batch` puts of `value_bytes` each, under unique keys, written
// with a synced rocksdb::DB::Write into a fresh database in `dir` (created;
// REQUIRES: absent or empty). Uses the same RocksDB options as the store.
WriteBenchResult RunRawRocksSyncedWrites(const std::string& dir, int clients,
                                         int ops_per_client,
                                         size_t value_bytes,
                                         int puts_per_batch);

// One write of a recorded batch, for RunRawRocksReplay: a put of
// `value_bytes` (of filler) under `key`, or a delete of `key`.
struct RawWrite {
  std::string key;
  size_t value_bytes = 0;
  bool erase = false;
};
using RawBatch = std::vector<RawWrite>;

// Writes `batches` (recorded from a run of the runtime: its keys, its value
// sizes, its grouping) straight into a fresh RocksDB in `dir` (REQUIRES:
// absent or empty), each as one synced WriteBatch, from `writers` threads
// taking the batches in turn (writer w writes batches w, w + writers, ...).
// Returns the milliseconds from the start until the last batch is written,
// or a negative number if a write failed.
double RunRawRocksReplay(const std::string& dir, int writers,
                         const std::vector<RawBatch>& batches);

// Compacts the closed database in `dir` down to its last level, as its
// background compactions would in time: what start-up opens then no longer
// depends on how recently the data was written (level 0 is loaded whole at
// open). Used to measure start-up on a settled store.
Status CompactAll(const std::string& dir);

// The same workload through store.Commit (keys under "bench/").
WriteBenchResult RunStoreCommits(Store& store, int clients, int ops_per_client,
                                 size_t value_bytes, int puts_per_batch);

}  // namespace shouhu
