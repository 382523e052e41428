// The sealed store (shouhu/sealed_store.h): a Store decorator that seals
// values on their way in and opens them on their way out, the key checks
// made before a store is opened for writing, and offline key rotation.
#include <filesystem>
#include <utility>

#include "store/cipher.h"
#include "store/rocks_store.h"

namespace shouhu {
namespace {

// The decorator's own records: the check value and the rotation mark. Both
// are written only by this file, never through the decorator.
constexpr std::string_view kMetaPrefix = "s/";
constexpr std::string_view kCheckKey = "s/key";
constexpr std::string_view kRotatingKey = "s/rotating";
constexpr std::string_view kCheckText = "shouhu data key check v1";

bool StartsWithAny(std::string_view key,
                   const std::vector<std::string>& prefixes) {
  for (const std::string& p : prefixes) {
    if (key.starts_with(p)) return true;
  }
  return false;
}

// The hashed-key or term-key prefix `key` is under, or "".
std::string_view HashedPrefixOf(std::string_view key,
                                const SealingLayout& layout) {
  for (const auto* prefixes :
       {&layout.hashed_key_prefixes, &layout.term_key_prefixes}) {
    for (const std::string& p : *prefixes) {
      if (key.starts_with(p)) return p;
    }
  }
  return {};
}

// The key stored for clear `key` under hashed prefix `hashed`: the rest of
// the key hashed, or for a term key the term hashed and the id kept.
std::string StoredKeyOf(const Cipher& cipher, std::string_view key,
                        std::string_view hashed, const SealingLayout& layout) {
  std::string_view rest = key.substr(hashed.size());
  std::string_view tail;
  if (StartsWithAny(hashed, layout.term_key_prefixes)) {
    size_t nul = rest.rfind('\0');
    if (nul != std::string_view::npos) {
      tail = rest.substr(nul);
      rest = rest.substr(0, nul);
    }
  }
  std::string out(hashed);
  out += cipher.Hash(rest);
  out += tail;
  return out;
}

// A hashed-key record's plaintext: the clear key (length-prefixed), then the
// value.
std::string Frame(std::string_view clear_key, std::string_view value) {
  std::string out;
  const uint32_t n = static_cast<uint32_t>(clear_key.size());
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>(n >> shift));
  out.append(clear_key);
  out.append(value);
  return out;
}
bool Unframe(std::string_view plain, std::string_view* clear_key,
             std::string_view* value) {
  if (plain.size() < 4) return false;
  uint32_t n = 0;
  for (int i = 0; i < 4; ++i)
    n = (n << 8) | static_cast<unsigned char>(plain[i]);
  if (plain.size() - 4 < n) return false;
  *clear_key = plain.substr(4, n);
  *value = plain.substr(4 + n);
  return true;
}

bool IsDataDir(const std::string& dir) {
  std::error_code ec;
  return std::filesystem::is_regular_file(
      std::filesystem::path(dir) / "CURRENT", ec);
}

class SealedStore final : public Store {
 public:
  SealedStore(std::unique_ptr<Store> base, std::unique_ptr<Cipher> cipher,
              SealingLayout layout)
      : base_(std::move(base)),
        cipher_(std::move(cipher)),
        layout_(std::move(layout)) {}

  Status Commit(std::vector<Mutation> batch) override {
    // Sealed here, on the callers' threads, so concurrent commits seal in
    // parallel and the committer thread only writes.
    for (Mutation& m : batch) {
      if (m.kind == Mutation::Kind::kChainedAppend || IsClear(m.key)) continue;
      std::string_view hashed = HashedPrefixOf(m.key, layout_);
      if (hashed.empty()) {
        if (m.kind == Mutation::Kind::kPut)
          m.value = cipher_->Seal(m.key, m.value);
        continue;
      }
      std::string stored = StoredKey(m.key, hashed);
      if (m.kind == Mutation::Kind::kPut)
        m.value = cipher_->Seal(stored, Frame(m.key, m.value));
      m.key = std::move(stored);
    }
    return base_->Commit(std::move(batch));
  }

  StatusOr<std::string> Get(std::string_view key) override {
    if (IsClear(key)) return base_->Get(key);
    std::string_view hashed = HashedPrefixOf(key, layout_);
    const std::string stored =
        hashed.empty() ? std::string(key) : StoredKey(key, hashed);
    auto value = base_->Get(stored);
    if (!value.ok()) return value;
    std::optional<std::string> plain = cipher_->Open(stored, *value);
    // A value that does not open is handed on as it is: the record decoders
    // refuse it as corrupt, as they refuse any damaged record.
    if (!plain) return value;
    if (hashed.empty()) return std::move(*plain);
    std::string_view clear_key, v;
    if (!Unframe(*plain, &clear_key, &v) || clear_key != key) return value;
    return std::string(v);
  }

  Status Scan(std::string_view prefix, std::string_view start,
              const std::function<bool(std::string_view, std::string_view)>& fn)
      override {
    // A scan of one term's entries looks where they are stored.
    std::string stored_prefix;
    for (const std::string& p : layout_.term_key_prefixes) {
      if (prefix.starts_with(p) && prefix.size() > p.size() &&
          prefix.find('\0', p.size()) != std::string_view::npos && start.empty()) {
        stored_prefix = StoredKeyOf(*cipher_, prefix, p, layout_);
        prefix = stored_prefix;
      }
    }
    return base_->Scan(
        prefix, start, [&](std::string_view key, std::string_view value) {
          if (IsClear(key)) return fn(key, value);
          std::optional<std::string> plain = cipher_->Open(key, value);
          if (!plain) return fn(key, value);
          if (HashedPrefixOf(key, layout_).empty()) return fn(key, *plain);
          std::string_view clear_key, v;
          if (!Unframe(*plain, &clear_key, &v)) return fn(key, value);
          return fn(clear_key, v);
        });
  }

  StatusOr<std::string> LastKeyWithPrefix(std::string_view prefix) override {
    return base_->LastKeyWithPrefix(prefix);
  }
  // The copy holds the sealed values as they are: a backup stays encrypted.
  Status Checkpoint(const std::string& dir) override {
    return base_->Checkpoint(dir);
  }
  StoreStats Stats() const override { return base_->Stats(); }
  Status WriteHealth() const override { return base_->WriteHealth(); }

 private:
  bool IsClear(std::string_view key) const {
    return key.starts_with(kMetaPrefix) ||
           StartsWithAny(key, layout_.clear_prefixes);
  }
  std::string StoredKey(std::string_view key, std::string_view hashed) const {
    return StoredKeyOf(*cipher_, key, hashed, layout_);
  }

  std::unique_ptr<Store> base_;
  std::unique_ptr<Cipher> cipher_;
  const SealingLayout layout_;
};

std::string IdOf(std::string_view sealed) {
  std::optional<uint32_t> id = SealedKeyId(sealed);
  return id ? DataKeyIdText(*id) : "?";
}

// Refuses `key` for the store in `dir` before anything opens it for writing.
Status CheckKey(const std::string& dir, const DataKey* key) {
  if (!IsDataDir(dir)) return Status::Ok();  // a new store
  std::vector<std::optional<std::string>> values;
  bool empty = false;
  SHOUHU_RETURN_IF_ERROR(
      PeekRocksStore(dir, {std::string(kCheckKey), std::string(kRotatingKey)},
                     &values, &empty));
  const std::string nothing = "; nothing was changed 数据未作任何改动";
  if (values[1]) {
    return FailedPrecondition(
        "数据密钥轮换未完成 a key rotation of " + dir + " to key " +
        *values[1] +
        " was interrupted; run the same `shouhu key rotate` "
        "command again to finish it" +
        nothing);
  }
  if (values[0]) {
    const std::string store_id = IdOf(*values[0]);
    if (key == nullptr) {
      return PermissionDenied("数据目录已加密 " + dir +
                              " is encrypted under data key " + store_id +
                              " and no key was given" + nothing);
    }
    if (SealedKeyId(*values[0]) != key->id) {
      return PermissionDenied("数据密钥错误 wrong data key: " + dir +
                              " is encrypted under data key " + store_id +
                              ", " + key->source + " holds key " +
                              DataKeyIdText(key->id) + nothing);
    }
    Cipher cipher(*key);
    if (cipher.Open(kCheckKey, *values[0]) != std::string(kCheckText)) {
      return PermissionDenied(
          "数据密钥错误 wrong data key: " + key->source + " has the id of " +
          dir + "'s key (" + store_id +
          ") but does not open its check value (a damaged key file?)" +
          nothing);
    }
    return Status::Ok();
  }
  if (key != nullptr && !empty) {
    return FailedPrecondition(
        "数据目录未加密 " + dir +
        " holds records written without encryption; encrypt them first with "
        "`shouhu key rotate --data-dir " +
        dir + " --from-clear --new-key " + key->source + "`" + nothing);
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<Store>> OpenSealedStore(const std::string& dir,
                                                 const StoreOptions& options,
                                                 const DataKey* key,
                                                 const SealingLayout& layout) {
  SHOUHU_RETURN_IF_ERROR(CheckKey(dir, key));
  auto base = OpenRocksStore(dir, options);
  if (!base.ok() || key == nullptr) return base;
  auto cipher = std::make_unique<Cipher>(*key);
  auto check = (*base)->Get(kCheckKey);
  if (check.status().code() == StatusCode::kNotFound) {
    SHOUHU_RETURN_IF_ERROR((*base)->Commit({Mutation::Put(
        std::string(kCheckKey), cipher->Seal(kCheckKey, kCheckText))}));
  } else if (!check.ok()) {
    return check.status();
  }
  return std::unique_ptr<Store>(std::make_unique<SealedStore>(
      std::move(*base), std::move(cipher), layout));
}

StatusOr<SealState> ReadSealState(const std::string& dir) {
  if (!IsDataDir(dir)) return NotFound(dir + " holds no store");
  std::vector<std::optional<std::string>> values;
  bool empty = false;
  SHOUHU_RETURN_IF_ERROR(
      PeekRocksStore(dir, {std::string(kCheckKey), std::string(kRotatingKey)},
                     &values, &empty));
  SealState s;
  if (values[0]) {
    s.sealed = true;
    s.key_id = SealedKeyId(*values[0]).value_or(0);
  }
  if (values[1]) {
    s.rotating = true;
    s.rotating_to = static_cast<uint32_t>(std::stoul(*values[1], nullptr, 16));
  }
  return s;
}

StatusOr<RotationReport> RotateSealedStore(const std::string& dir,
                                           const DataKey* old_key,
                                           const DataKey& new_key,
                                           const SealingLayout& layout) {
  if (old_key && old_key->id == new_key.id) {
    return InvalidArgument(
        "the new key " + new_key.source + " has the id of the key in use (" +
        DataKeyIdText(new_key.id) + "); make a new one with `shouhu key init`");
  }
  if (!IsDataDir(dir))
    return NotFound(dir + " is not a shouhu data directory (no store in it)");
  auto opened = OpenRocksStore(dir, {});
  if (!opened.ok()) return opened.status();
  Store& store = **opened;
  auto check = store.Get(kCheckKey);
  auto rotating = store.Get(kRotatingKey);
  for (const auto* r : {&check, &rotating}) {
    if (!r->ok() && r->status().code() != StatusCode::kNotFound)
      return r->status();
  }
  const std::string new_id = DataKeyIdText(new_key.id);
  if (rotating.ok() && *rotating != new_id) {
    return FailedPrecondition("an interrupted rotation of " + dir + " to key " +
                              *rotating +
                              " must be finished with that key first");
  }
  Cipher cipher(new_key, old_key);
  if (check.ok()) {
    const std::optional<uint32_t> id = SealedKeyId(*check);
    const DataKey* opener = id == new_key.id ? &new_key : old_key;
    if (opener == nullptr) {
      return PermissionDenied(dir + " is encrypted under data key " +
                              IdOf(*check) +
                              "; give its key file (--key-file)");
    }
    if (id != opener->id ||
        Cipher(*opener).Open(kCheckKey, *check) != std::string(kCheckText)) {
      return PermissionDenied("数据密钥错误 wrong data key: " + dir +
                              " is encrypted under key " + IdOf(*check) +
                              ", which " + opener->source + " does not open");
    }
  } else if (old_key != nullptr) {
    return FailedPrecondition(
        dir + " is not encrypted: use --from-clear instead of --key-file");
  }

  SHOUHU_RETURN_IF_ERROR(
      store.Commit({Mutation::Put(std::string(kRotatingKey), new_id)}));
  RotationReport report;
  Status error = Status::Ok();
  std::vector<Mutation> batch;
  auto flush = [&] {
    if (!batch.empty()) error = store.Commit(std::move(batch));
    batch.clear();
    return error.ok();
  };
  // The scan reads one snapshot, so records written by this loop (new
  // hashed keys) are not visited again.
  Status s =
      store.Scan("", "", [&](std::string_view key, std::string_view value) {
        if (key.starts_with(kMetaPrefix)) return true;
        if (StartsWithAny(key, layout.clear_prefixes)) {
          // Among them the audit hash chain: its records hash their clear
          // payloads, so rotation, which never touches them, leaves the chain
          // verifying as before.
          ++report.clear;
          return true;
        }
        const std::optional<uint32_t> id = SealedKeyId(value);
        if (id == new_key.id) {
          ++report.already;
          return true;
        }
        std::string plain;
        if (id) {
          std::optional<std::string> opened = cipher.Open(key, value);
          if (!opened) {
            error =
                Internal("a record under \"" + std::string(key.substr(0, 2)) +
                         "\" does not open with " +
                         (old_key ? old_key->source : "any key") +
                         "; nothing more was rotated");
            return false;
          }
          plain = std::move(*opened);
        } else if (old_key != nullptr) {
          error = Internal("a record under \"" + std::string(key.substr(0, 2)) +
                           "\" is not encrypted; nothing more was rotated");
          return false;
        } else {
          plain = std::string(value);
        }
        std::string_view hashed = HashedPrefixOf(key, layout);
        if (hashed.empty()) {
          batch.push_back(
              Mutation::Put(std::string(key), cipher.Seal(key, plain)));
        } else {
          std::string_view clear_key = key, v = plain;
          if (id && !Unframe(plain, &clear_key, &v)) {
            error = Internal(
                "a hashed index record is corrupt; nothing more was rotated");
            return false;
          }
          std::string stored = StoredKeyOf(cipher, clear_key, hashed, layout);
          std::string sealed = cipher.Seal(stored, Frame(clear_key, v));
          if (stored != key)
            batch.push_back(Mutation::Delete(std::string(key)));
          batch.push_back(Mutation::Put(std::move(stored), std::move(sealed)));
        }
        ++report.resealed;
        return batch.size() < 512 || flush();
      });
  SHOUHU_RETURN_IF_ERROR(s);
  SHOUHU_RETURN_IF_ERROR(error);
  if (!flush()) return error;
  // Last: the check value under the new key, and the mark gone.
  SHOUHU_RETURN_IF_ERROR(
      store.Commit({Mutation::Put(std::string(kCheckKey),
                                  cipher.Seal(kCheckKey, kCheckText)),
                    Mutation::Delete(std::string(kRotatingKey))}));
  opened->reset();
  // The values as they were (under the old key, or clear) are still in the
  // WAL and SST files until RocksDB compacts them away: now, not some day.
  SHOUHU_RETURN_IF_ERROR(CompactRocksStore(dir));
  return report;
}

}  // namespace shouhu
