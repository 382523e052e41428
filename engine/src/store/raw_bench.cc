#include "store/raw_bench.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <latch>
#include <memory>
#include <thread>
#include <vector>

#include "store/rocks_store.h"

namespace shouhu {
namespace {

using Clock = std::chrono::steady_clock;

// Fixed-width keys so that both workloads write the same bytes.
std::string BenchKey(int client, int op, int put) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "bench/%04d/%08d/%03d", client, op, put);
  return buf;
}

std::string BenchValue(int client, size_t bytes) {
  std::string value(bytes, '\0');
  uint32_t x = 2654435761u * static_cast<uint32_t>(client + 1);
  for (char& c : value) {
    x = x * 1664525u + 1013904223u;  // cheap, and not trivially compressible
    c = static_cast<char>('a' + (x >> 27));
  }
  return value;
}

double Percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1));
  return sorted[i];
}

// Runs op(client, index) -> ok? on `clients` threads that start together,
// and measures each call.
WriteBenchResult RunClients(int clients, int ops_per_client,
                            const std::function<bool(int, int)>& op) {
  std::vector<std::vector<double>> latencies(clients);
  std::vector<int64_t> failures(clients, 0);
  std::latch ready(clients + 1);
  std::latch go(1);
  std::vector<std::thread> threads;
  threads.reserve(clients);
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      latencies[c].reserve(ops_per_client);
      ready.count_down();
      go.wait();
      for (int i = 0; i < ops_per_client; ++i) {
        const Clock::time_point t0 = Clock::now();
        const bool ok = op(c, i);
        const std::chrono::duration<double, std::milli> ms = Clock::now() - t0;
        if (ok) {
          latencies[c].push_back(ms.count());
        } else {
          ++failures[c];
        }
      }
    });
  }
  ready.arrive_and_wait();  // every client is spawned and waiting on `go`
  const Clock::time_point start = Clock::now();
  go.count_down();
  for (std::thread& t : threads) t.join();
  const std::chrono::duration<double> elapsed = Clock::now() - start;

  std::vector<double> all;
  WriteBenchResult result;
  for (int c = 0; c < clients; ++c) {
    all.insert(all.end(), latencies[c].begin(), latencies[c].end());
    result.failed_ops += failures[c];
  }
  std::sort(all.begin(), all.end());
  if (elapsed.count() > 0) {
    result.ops_per_sec = static_cast<double>(all.size()) / elapsed.count();
  }
  result.p50_ms = Percentile(all, 0.50);
  result.p99_ms = Percentile(all, 0.99);
  return result;
}

}  // namespace

WriteBenchResult RunRawRocksSyncedWrites(const std::string& dir, int clients,
                                         int ops_per_client,
                                         size_t value_bytes,
                                         int puts_per_batch) {
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(MakeRocksOptions(), dir, &raw).ok()) {
    WriteBenchResult failed;
    failed.failed_ops = static_cast<int64_t>(clients) * ops_per_client;
    return failed;
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  std::vector<std::string> values;
  for (int c = 0; c < clients; ++c) values.push_back(BenchValue(c, value_bytes));
  rocksdb::WriteOptions write_options;
  write_options.sync = true;

  WriteBenchResult result =
      RunClients(clients, ops_per_client, [&](int client, int op) {
        rocksdb::WriteBatch batch;
        for (int p = 0; p < puts_per_batch; ++p) {
          if (!batch.Put(BenchKey(client, op, p), values[client]).ok()) {
            return false;
          }
        }
        return db->Write(write_options, &batch).ok();
      });
  (void)db->Close();
  return result;
}

double RunRawRocksReplay(const std::string& dir, int writers,
                         const std::vector<RawBatch>& batches) {
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(MakeRocksOptions(), dir, &raw).ok()) return -1;
  std::unique_ptr<rocksdb::DB> db(raw);
  size_t largest = 0;
  for (const RawBatch& b : batches) {
    for (const RawWrite& w : b) largest = std::max(largest, w.value_bytes);
  }
  const std::string filler = BenchValue(0, largest);
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  const int per_writer = static_cast<int>((batches.size() + writers - 1) / writers);
  WriteBenchResult result = RunClients(writers, per_writer, [&](int writer, int op) {
    const size_t i = static_cast<size_t>(op) * writers + writer;
    if (i >= batches.size()) return true;
    rocksdb::WriteBatch batch;
    for (const RawWrite& w : batches[i]) {
      rocksdb::Slice value(filler.data(), w.value_bytes);
      if (!(w.erase ? batch.Delete(w.key) : batch.Put(w.key, value)).ok()) return false;
    }
    return db->Write(write_options, &batch).ok();
  });
  (void)db->Close();
  if (result.failed_ops > 0 || result.ops_per_sec <= 0) return -1;
  return 1000.0 * per_writer * writers / result.ops_per_sec;
}

Status CompactAll(const std::string& dir) {
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(MakeRocksOptions(), dir, &raw);
  if (!s.ok()) return Unavailable("compact: open " + dir + ": " + s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  s = db->CompactRange(options, nullptr, nullptr);
  if (s.ok()) s = db->Close();
  if (!s.ok()) return Unavailable("compact " + dir + ": " + s.ToString());
  return Status::Ok();
}

WriteBenchResult RunStoreCommits(Store& store, int clients, int ops_per_client,
                                 size_t value_bytes, int puts_per_batch) {
  std::vector<std::string> values;
  for (int c = 0; c < clients; ++c) values.push_back(BenchValue(c, value_bytes));
  return RunClients(clients, ops_per_client, [&](int client, int op) {
    std::vector<Mutation> batch;
    batch.reserve(puts_per_batch);
    for (int p = 0; p < puts_per_batch; ++p) {
      batch.push_back(Mutation::Put(BenchKey(client, op, p), values[client]));
    }
    return store.Commit(std::move(batch)).ok();
  });
}

}  // namespace shouhu
