// `shouhu migrate`: moves a county's store between the two backends, a
// RocksDB data directory and PostgreSQL, offline, and proves the copy.
#include <openssl/evp.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/admin.h"
#include "cli/admin_common.h"
#include "runtime/codec.h"
#include "shouhu/chain.h"
#include "store/pg_store.h"

namespace shouhu::cli {
namespace {

constexpr const char* kMigrateUsage =
    "usage: shouhu migrate --from DIR --to-postgres DSN\n"
    "       shouhu migrate --from-postgres DSN --to DIR\n"
    "\n"
    "Copies every record of a store into an empty store of the other kind: a\n"
    "RocksDB data directory into PostgreSQL (\"store\": {\"kind\": \"postgres\"}\n"
    "in shouhud's configuration), or back. Records are copied as stored, so\n"
    "data sealed under the data key stays sealed and needs no key here.\n"
    "\n"
    "Offline: stop shouhud first. The source is read in one snapshot. The\n"
    "copy is then proved: the same number of records and the same SHA-256 of\n"
    "every key and value on both sides, and the audit chain intact on both\n"
    "sides with the same head. Exits 0 when all holds, 1 otherwise (2 on a\n"
    "usage error). The target must hold no record: a data directory that\n"
    "does not exist or is empty, a database without shouhu's rows.\n";

// How many records, their bytes and a digest of all of them in key order.
struct Tally {
  uint64_t records = 0;
  uint64_t bytes = 0;
  std::string sha256;
};

StatusOr<Tally> TallyOf(Store& store) {
  Tally t;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  auto add = [&](std::string_view bytes) {
    const uint64_t n = bytes.size();
    EVP_DigestUpdate(ctx.get(), &n, sizeof n);
    EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size());
  };
  SHOUHU_RETURN_IF_ERROR(store.Scan("", "", [&](std::string_view key, std::string_view value) {
    add(key);
    add(value);
    ++t.records;
    t.bytes += key.size() + value.size();
    return true;
  }));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &size);
  t.sha256 = HexOf(std::string_view(reinterpret_cast<const char*>(digest), size));
  return t;
}

// Copies every record of `from` into `to`, in batches of a few MiB.
Status Copy(Store& from, Store& to) {
  std::vector<Mutation> batch;
  size_t bytes = 0;
  Status written = Status::Ok();
  auto flush = [&] {
    written = to.Commit(std::move(batch));
    batch.clear();
    bytes = 0;
    return written.ok();
  };
  SHOUHU_RETURN_IF_ERROR(from.Scan("", "", [&](std::string_view key, std::string_view value) {
    batch.push_back(Mutation::Put(std::string(key), std::string(value)));
    bytes += key.size() + value.size();
    return bytes < (4 << 20) || flush();
  }));
  if (written.ok()) flush();
  return written;
}

bool Empty(Store& store, Status* error) {
  bool empty = true;
  *error = store.Scan("", "", [&](std::string_view, std::string_view) {
    empty = false;
    return false;
  });
  return empty;
}

// Prints the side's tally and chain; false when its chain is broken.
bool Report(const char* side, Store& store, Tally* tally, ChainReport* chain) {
  auto t = TallyOf(store);
  auto c = VerifyChain(store, codec::kAuditPrefix);
  if (!t.ok() || !c.ok()) {
    PrintError("无法读取", std::string(side) + ": " +
                               (!t.ok() ? t.status() : c.status()).message());
    return false;
  }
  *tally = *t;
  *chain = *c;
  std::printf("%s: %llu records, %llu bytes, sha256 %s; audit chain %s, head seq %llu\n", side,
              static_cast<unsigned long long>(t->records),
              static_cast<unsigned long long>(t->bytes), t->sha256.c_str(),
              c->ok ? "intact 完好" : ("BROKEN 已损坏: " + c->problem).c_str(),
              static_cast<unsigned long long>(c->head_seq));
  return c->ok;
}

int Migrate(const ClientArgs& args) {
  const bool to_pg = args.Has("from") && args.Has("to-postgres") && !args.Has("to") &&
                     !args.Has("from-postgres");
  const bool to_dir = args.Has("from-postgres") && args.Has("to") && !args.Has("from") &&
                      !args.Has("to-postgres");
  if (!to_pg && !to_dir) {
    PrintError("参数错误", "give --from DIR --to-postgres DSN, or --from-postgres DSN --to DIR");
    return 2;
  }
  StatusOr<std::unique_ptr<Store>> from = Unavailable(""), to = Unavailable("");
  if (to_pg) {
    const std::string dir = args.Get("from");
    from = IsDataDir(dir) ? OpenRocksStore(dir)
                          : StatusOr<std::unique_ptr<Store>>(
                                NotFound(dir + " is not a shouhu data directory"));
    if (from.ok()) to = OpenPostgresStore(args.Get("to-postgres"));
  } else {
    const std::string dir = args.Get("to");
    from = OpenPostgresStore(args.Get("from-postgres"));
    if (from.ok() && IsDataDir(dir)) {
      to = FailedPrecondition(dir + " holds a store already: migrate into a new directory");
    } else if (from.ok()) {
      to = OpenRocksStore(dir);
    }
  }
  if (!from.ok() || !to.ok()) {
    PrintError("无法打开", (!from.ok() ? from.status() : to.status()).message());
    return 1;
  }
  Status error;
  if (!Empty(**to, &error) || !error.ok()) {
    PrintError("目标非空", error.ok() ? "the target holds records already; nothing was copied"
                                      : error.message());
    return 1;
  }
  if (Status copied = Copy(**from, **to); !copied.ok()) {
    PrintError("复制失败", copied.message());
    return 1;
  }
  Tally a, b;
  ChainReport ca, cb;
  const bool from_ok = Report("from 源", **from, &a, &ca);
  const bool to_ok = Report("to 目标", **to, &b, &cb);
  const bool chains_ok = from_ok && to_ok;
  if (!chains_ok || a.records != b.records || a.sha256 != b.sha256 ||
      ca.head_hash != cb.head_hash) {
    std::printf("FAILED 失败: the copy does not match its source\n");
    return 1;
  }
  std::printf("ok: %llu records migrated 迁移完成\n", static_cast<unsigned long long>(a.records));
  return 0;
}

}  // namespace

void AddMigrateCommands(CommandLine& cl) {
  auto migrate = cl.Add(nullptr, "migrate",
                        "迁移存储 / copy a store between RocksDB and PostgreSQL (offline)",
                        kMigrateUsage, Migrate);
  AddValue(migrate, "from", "DIR", "源数据目录 / the RocksDB data directory to copy");
  AddValue(migrate, "to-postgres", "DSN", "目标数据库 / the PostgreSQL store to fill");
  AddValue(migrate, "from-postgres", "DSN", "源数据库 / the PostgreSQL store to copy");
  AddValue(migrate, "to", "DIR", "目标数据目录 / the new RocksDB data directory");
}

}  // namespace shouhu::cli
