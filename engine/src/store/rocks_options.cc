// The RocksDB tuning every shouhu store opens with (MakeRocksOptions,
// store/rocks_store.h), and where RocksDB's own messages go. One place, so
// that the daemon, the offline commands and the raw-RocksDB benchmark all
// run RocksDB the same way.
#include <rocksdb/cache.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>

#include <cstdarg>
#include <cstdio>
#include <memory>

#include "store/rocks_store.h"

namespace shouhu {
namespace {

// RocksDB's logger, as "shouhud: rocksdb: [LEVEL] message" lines on stderr.
class StderrLogger : public rocksdb::Logger {
 public:
  StderrLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    char line[1024];
    std::vsnprintf(line, sizeof line, format, ap);
    std::fprintf(stderr, "shouhud: rocksdb: %s\n", line);
  }
};

}  // namespace

rocksdb::Options MakeRocksOptions() {
  rocksdb::Options options;
  options.create_if_missing = true;
  // A small daemon on a small machine: two background threads for flushes
  // and compactions are plenty for our write rate.
  options.IncreaseParallelism(2);
  // Cold data compresses well and is rarely read.
  options.bottommost_compression = rocksdb::kZSTD;
  // RocksDB's messages go to our standard error, not to its LOG file in the
  // data directory: on a full disk a failed LOG write left that file's
  // writer in an error state, and the next message (the error handler
  // reporting the failed write) hit an assertion that Debian's librocksdb
  // keeps (AssertFalseAndGetStatusForPrevError, `sync_without_flush_called_`)
  // and aborted the daemon. Warnings and errors only.
  options.info_log = std::make_shared<StderrLogger>();
  // kPointInTimeRecovery (the default) is what we want: after a crash, a
  // torn WAL tail is dropped and every group synced before it is kept.
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  // Start-up must not grow with the data: do not read every SST file's
  // statistics and sizes at open (they are only compaction hints).
  options.skip_stats_update_on_db_open = true;
  options.skip_checking_sst_file_sizes_on_db_open = true;

  // Large values (the chunks of evidence photos and video) go to blob files
  // beside the SST files, so compactions do not rewrite them again and
  // again; cases, events and index entries stay far below the threshold.
  // Checkpoints (backups) copy the blob files with the rest.
  options.enable_blob_files = true;
  options.min_blob_size = 16 << 10;
  options.enable_blob_garbage_collection = true;

  rocksdb::BlockBasedTableOptions table;
  // Bounded memory: the working set (open cases) is small.
  table.block_cache = rocksdb::NewLRUCache(32 << 20);
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  // Most reads are point gets of a case by id; a bloom filter skips the
  // SST files that do not hold the key.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Partitioned index and filters: a first read loads one small top-level
  // block per file, not the whole index and filter, so start-up and the
  // first reads after it do not grow with the number of cases and timers.
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.metadata_block_size = 4096;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

}  // namespace shouhu
