// Section 3 of shouhu-bench: firing lateness for bursts of timers due at
// once, beside RocksDB alone writing the same records (the burst's own
// batches, replayed), and where the bytes of a firing go (by record kind, as
// stored: keys, values, the seal's header and tag, the audit chain's
// envelope).
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include "bench_common.h"
#include "runtime/codec.h"
#include "shouhu/timer_loop.h"
#include "store/raw_bench.h"

namespace shouhu::bench {
namespace {

// What sealing adds to a value (store/cipher.h: header, then the AEAD tag),
// and what the chain adds to an audit payload (shouhu/chain.h): written out
// here because the bench counts above the sealed store, which sees clear
// values.
constexpr size_t kSealBytes = 1 + 4 + 24 + 16;
constexpr size_t kChainEnvelopeBytes = 1 + 2 * 32;

// Forwards to the runtime's store and tallies the bytes each commit writes,
// by record kind, as they land on disk.
class CountingStore : public Store {
 public:
  // Counts only the commits that start at or after `from` on `clock`: the
  // burst's, and the live commands' meanwhile.
  CountingStore(Store& inner, bool sealed, const Clock& clock, Instant from)
      : inner_(inner), sealed_(sealed), clock_(clock), from_(from) {
    for (const std::string& p : codec::StoreSealing().clear_prefixes) clear_.push_back(p);
  }

  Status Commit(std::vector<Mutation> batch) override {
    Tally(batch);
    return inner_.Commit(std::move(batch));
  }
  void CommitAsync(std::vector<Mutation> batch,
                   std::function<void(const Status&)> done) override {
    Tally(batch);
    inner_.CommitAsync(std::move(batch), std::move(done));
  }
  StatusOr<std::string> Get(std::string_view key) override { return inner_.Get(key); }
  std::vector<StatusOr<std::string>> GetMany(std::span<const std::string> keys) override {
    return inner_.GetMany(keys);
  }
  Status Scan(std::string_view prefix, std::string_view start,
              const std::function<bool(std::string_view, std::string_view)>& fn) override {
    return inner_.Scan(prefix, start, fn);
  }
  StatusOr<std::string> LastKeyWithPrefix(std::string_view prefix) override {
    return inner_.LastKeyWithPrefix(prefix);
  }
  Status Checkpoint(const std::string& dir) override { return inner_.Checkpoint(dir); }
  StoreStats Stats() const override { return inner_.Stats(); }

  // Bytes by kind since `from` ("case", "history", ...).
  std::map<std::string, uint64_t> Bytes() {
    std::lock_guard<std::mutex> lock(mu_);
    return bytes_;
  }
  // Mutations (puts, deletes, appends) since `from`.
  uint64_t Writes() {
    std::lock_guard<std::mutex> lock(mu_);
    return writes_;
  }
  // Every batch counted that wrote no request record (r/), that is the
  // timer threads' batches, not the live commands': keys, value sizes as
  // stored, grouping. And how many batches were left out.
  std::vector<RawBatch> FiringBatches(size_t* left_out) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<RawBatch> out;
    *left_out = 0;
    for (const RawBatch& b : batches_) {
      const bool command = std::any_of(b.begin(), b.end(), [](const RawWrite& w) {
        return w.key.starts_with("r/");
      });
      if (command) {
        ++*left_out;
      } else {
        out.push_back(b);
      }
    }
    return out;
  }
  // The inner store's figures just before the first commit counted.
  StoreStats StatsAtFrom() {
    std::lock_guard<std::mutex> lock(mu_);
    return at_from_;
  }

 private:
  static std::string KindOf(std::string_view key) {
    if (key.starts_with("c/")) return "case";
    if (key.starts_with("h/")) return "history";
    if (key.starts_with("t/")) return "timer index";
    if (key.starts_with("i/")) return "case indexes";
    if (key.starts_with("o/")) return "outbox";
    if (key.starts_with("a/")) return "audit";
    if (key.starts_with("r/")) return "request";
    return "other";
  }
  bool Sealed(std::string_view key) const {
    if (!sealed_) return false;
    for (const std::string& p : clear_) {
      if (key.starts_with(p)) return false;
    }
    return true;
  }
  void Tally(const std::vector<Mutation>& batch) {
    if (clock_.Now() < from_) return;
    std::lock_guard<std::mutex> lock(mu_);
    if (!counting_) {
      counting_ = true;
      at_from_ = inner_.Stats();
    }
    writes_ += batch.size();
    RawBatch& raw = batches_.emplace_back();
    for (const Mutation& m : batch) {
      uint64_t n = m.key.size();
      switch (m.kind) {
        case Mutation::Kind::kPut:
        case Mutation::Kind::kInsert:
          n += m.value.size() + (Sealed(m.key) ? kSealBytes : 0);
          raw.push_back({m.key, n - m.key.size(), false});
          break;
        case Mutation::Kind::kDelete:
          raw.push_back({m.key, 0, true});
          break;
        case Mutation::Kind::kFence:  // a check, nothing written (none on RocksDB)
          n = 0;
          break;
        case Mutation::Kind::kChainedAppend: {
          // The chain's next key: its prefix and an 8-byte sequence number.
          std::string key = m.key;
          const uint64_t seq = ++chain_seq_[m.key];
          for (int shift = 56; shift >= 0; shift -= 8) key.push_back(char(seq >> shift));
          n += 8 + kChainEnvelopeBytes + m.value.size();
          raw.push_back({std::move(key), kChainEnvelopeBytes + m.value.size(), false});
          break;
        }
      }
      bytes_[KindOf(m.key)] += n;
    }
  }

  Store& inner_;
  const bool sealed_;
  const Clock& clock_;
  const Instant from_;
  std::vector<std::string> clear_;
  std::mutex mu_;
  bool counting_ = false;
  StoreStats at_from_;
  std::map<std::string, uint64_t> bytes_;
  uint64_t writes_ = 0;
  std::vector<RawBatch> batches_;
  std::map<std::string, uint64_t> chain_seq_;
};

}  // namespace

void Burst(const std::string& root, size_t n, bool firing_records) {
  const std::string layout = firing_records ? "firing records" : "old layout";
  std::string dir = root + "/burst-" + std::to_string(n) + (firing_records ? "" : "-old");
  Catalog catalog = LoadBenchCatalog();
  SystemClock clock;
  Instant due = clock.Now() + std::chrono::seconds(4);
  {
    auto store = MustOpen(dir, false);
    PrepareCases(*store, n, [&](size_t) { return due; });
  }
  auto sealed_store = MustOpen(dir);
  CountingStore store(*sealed_store, BenchSealed(), clock, due);
  std::mutex mu;
  std::condition_variable cv;
  std::vector<double> lateness;
  size_t fired = 0;
  RuntimeOptions options;
  options.firing_records = firing_records;
  TimerLoop* loop = nullptr;
  options.on_timer_armed = [&](Instant at) {
    if (loop) loop->Wake(at);
  };
  options.on_timers_fired = [&](const std::vector<Instant>& dues) {
    double now_ms = clock.Now().time_since_epoch().count();
    std::lock_guard<std::mutex> lock(mu);
    for (Instant d : dues) lateness.push_back(now_ms - d.time_since_epoch().count());
    fired += dues.size();
    cv.notify_all();
  };
  auto rt = Runtime::Create(store, catalog, clock, options);
  if (!rt.ok()) Die(rt.status(), "runtime");
  TimerLoop timers(**rt, clock);
  loop = &timers;
  // Live traffic: one client flipping its own cases while the burst fires.
  // Its first command at or after the due time also notes the process's CPU
  // time then, for the CPU the burst costs (before it, the client alone
  // runs, a command well under a millisecond): a steadier figure than the
  // lateness on a shared machine, taken without waiting on the wall clock.
  // The byte counts start at the due time too (CountingStore), so they are
  // the burst's and the live commands' meanwhile, not the commands' before.
  auto live_case = (*rt)->Open({"live-open", Worker(), "bench", "", {}});
  if (!live_case.ok()) Die(live_case.status(), "open");
  timers.Start();
  std::atomic<bool> stop{false};
  std::vector<double> live;
  double cpu_before = 0;  // written by the client, read after it is joined
  std::thread client([&] {
    bool burst = false;
    for (int i = 0; !stop; ++i) {
      if (!burst && clock.Now() >= due) {
        burst = true;
        cpu_before = CpuMs();
      }
      auto t0 = BenchClock::now();
      auto r = (*rt)->Fire({"live-" + std::to_string(i), Worker(), live_case->case_id,
                            i % 2 ? "flop" : "flip", {}, std::nullopt});
      if (r.ok() && burst) live.push_back(Ms(BenchClock::now() - t0));
    }
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, std::chrono::seconds(120), [&] { return fired >= n; });
  }
  const double cpu_after = CpuMs();
  stop = true;
  client.join();
  const double cpu_ms = cpu_after - cpu_before;
  timers.Stop();
  const StoreStats before = store.StatsAtFrom();
  const StoreStats after = store.Stats();
  const std::map<std::string, uint64_t> kinds = store.Bytes();
  const double writes_per_firing = fired ? double(store.Writes()) / fired : 0.0;
  std::lock_guard<std::mutex> lock(mu);
  std::printf("%7zu due at once (%s): %7zu fired, lateness p50 %7.1f ms, p99 %7.1f ms,"
              " max %7.1f ms; live commands meanwhile: %zu, p50 %.1f ms, p99 %.1f ms\n",
              n, layout.c_str(), fired, Percentile(lateness, 0.5),
              Percentile(lateness, 0.99), Percentile(lateness, 1.0), live.size(),
              Percentile(live, 0.5), Percentile(live, 0.99));
  // Where the time goes: the bytes each firing writes and how many storage
  // writes carried them. The requests' records (r/) are the live
  // commands'; a firing writes none.
  const double bytes_per_firing = fired ? double(after.bytes - before.bytes) / fired : 0.0;
  std::printf("         (%.0f bytes written per firing, incl. live commands; %llu storage writes;"
              " %.1f us of CPU per firing, all threads)\n",
              bytes_per_firing, static_cast<unsigned long long>(after.groups - before.groups),
              fired ? 1000 * cpu_ms / double(fired) : 0.0);
  std::printf("         bytes per firing by kind, as stored:");
  uint64_t total = 0;
  for (const auto& [kind, bytes] : kinds) {
    std::printf(" %s %.0f,", kind.c_str(), fired ? double(bytes) / fired : 0.0);
    total += bytes;
  }
  std::printf(" total %.0f, in %.1f writes\n", fired ? double(total) / fired : 0.0,
              writes_per_firing);
  // The floors: RocksDB alone writing what the burst wrote, from two writers
  // (one per timer thread), each batch synced. No implementation that
  // writes these records can fire the burst sooner than this on this disk
  // and CPU.
  // - the same records: the very batches the timer threads committed, their
  //   keys, value sizes and grouping (the live commands' own batches are
  //   left out, though they ran meanwhile and the lateness paid for them);
  // - the same bytes: as many puts per firing, of the same mean size, under
  //   keys that ascend (each writer appends at the end of the key space, the
  //   cheapest possible insert), in batches of the runtime's timer batch.
  size_t live_batches = 0;
  const std::vector<RawBatch> recorded = store.FiringBatches(&live_batches);
  const double replay_cpu_before = CpuMs();
  const double replay_ms = RunRawRocksReplay(dir + "-replay", 2, recorded);
  const double replay_cpu_ms = CpuMs() - replay_cpu_before;
  const int kBatch = int(RuntimeOptions().timer_batch);
  const int kWrites = std::max(1, int(writes_per_firing + 0.5));
  constexpr int kWriters = 2;
  const int batches = int((n + kBatch * kWriters - 1) / (kBatch * kWriters));
  const size_t value_bytes =
      static_cast<size_t>(std::max(16.0, bytes_per_firing / kWrites - 24));
  WriteBenchResult raw = RunRawRocksSyncedWrites(dir + "-raw", kWriters, batches,
                                                 value_bytes, kBatch * kWrites);
  const double raw_ms = raw.ops_per_sec > 0 ? 1000.0 * kWriters * batches / raw.ops_per_sec : 0;
  const double p99 = Percentile(lateness, 0.99);
  std::printf("         raw RocksDB writing the same records (the timers' %zu batches, not the"
              " live commands' %zu): %.1f ms for all; p99 lateness / raw = %.2f\n",
              recorded.size(), live_batches, replay_ms, replay_ms > 0 ? p99 / replay_ms : 0.0);
  // The steadier figure on a shared machine: CPU. Ours includes the live
  // commands served meanwhile; the replay's is RocksDB's alone.
  std::printf("         CPU per firing, all threads: the burst %.1f us, RocksDB alone writing its"
              " records %.1f us (%.2fx)\n",
              fired ? 1000 * cpu_ms / double(fired) : 0.0,
              fired ? 1000 * replay_cpu_ms / double(fired) : 0.0,
              replay_cpu_ms > 0 ? cpu_ms / replay_cpu_ms : 0.0);
  std::printf("         raw RocksDB writing the same bytes under ascending keys: %.1f ms for all; "
              "p99 lateness / raw = %.2f\n",
              raw_ms, raw_ms > 0 ? p99 / raw_ms : 0.0);
}

void Bursts(const std::string& root, bool quick, bool compare) {
  std::printf("\n== 3. firing lateness for bursts of timers due at once ==\n");
  for (size_t n : {size_t(10'000), quick ? size_t(20'000) : size_t(100'000)}) {
    // --compare: the layout before firing records first, in the same run.
    if (compare) Burst(root, n, /*firing_records=*/false);
    Burst(root, n, /*firing_records=*/true);
  }
  // The floor of a far leaner design, for scale: 4 writes of 60 bytes
  // per firing (the case, the timer index delete and put, one record for
  // history, notification and audit together), in batches of 1024.
  const size_t n = 10'000;
  constexpr int kWriters = 2;
  const int lean_batches = int((n + 1024 * kWriters - 1) / (1024 * kWriters));
  WriteBenchResult lean = RunRawRocksSyncedWrites(root + "/raw-lean", kWriters, lean_batches,
                                                  60, 1024 * 4);
  std::printf("%7zu: raw RocksDB writing 4 x 60 bytes per firing instead: %.1f ms for all\n",
              n, lean.ops_per_sec > 0 ? 1000.0 * kWriters * lean_batches / lean.ops_per_sec : 0);
}

}  // namespace shouhu::bench
