// The sealed store's decorator (shouhu/sealed_store.h): a Store that seals
// values on their way in and opens them on their way out, and changes its
// key while it serves (online rotation). The key checks made before a store
// is opened, and the open functions, are in store/sealed_open.cc.
#include "store/sealed_store.h"

#include <memory>
#include <mutex>
#include <utility>

#include "shouhu/mutex.h"
#include "store/commit_lock.h"
#include "store/sealing.h"

namespace shouhu {
namespace {

using namespace sealing;

class SealedStore final : public RotatableStore {
 public:
  SealedStore(std::unique_ptr<Store> base, const DataKey& key,
              std::optional<DataKey> next, std::string next_file,
              SealingLayout layout)
      : base_(std::move(base)),
        key_(key),
        next_(std::move(next)),
        next_file_(std::move(next_file)),
        cipher_(next_ ? std::make_shared<const Cipher>(*next_, &key_)
                      : std::make_shared<const Cipher>(key_)),
        layout_(std::move(layout)) {}

  Status Commit(std::vector<Mutation> batch) override {
    // Shared with other commits, exclusive with a re-seal batch, so a
    // re-seal never writes over a newer value.
    commits_.AcquireShared();
    Status s = base_->Commit(Seal(std::move(batch)));
    commits_.ReleaseShared();
    return s;
  }

  // The base store first: its committer fails what is still queued, and
  // those callbacks release holds of commits_, which must still exist.
  ~SealedStore() override { base_.reset(); }

  // As Commit, with the shared hold released by the callback.
  void CommitAsync(std::vector<Mutation> batch,
                   std::function<void(const Status&)> done) override {
    commits_.AcquireShared();
    base_->CommitAsync(Seal(std::move(batch)),
                       [this, done = std::move(done)](const Status& s) {
                         commits_.ReleaseShared();
                         done(s);
                       });
  }

  static bool Writes(const Mutation& m) {
    return m.kind == Mutation::Kind::kPut || m.kind == Mutation::Kind::kInsert;
  }

  // The batch as stored. Sealed on the callers' threads, so concurrent
  // commits seal in parallel and the committer thread only writes.
  // REQUIRES: a shared hold of commits_.
  std::vector<Mutation> Seal(std::vector<Mutation> batch) {
    auto cipher = Current();
    std::vector<Mutation> out;
    out.reserve(batch.size());
    for (Mutation& m : batch) {
      // A fence names a lease, not a record: it passes as it is.
      if (m.kind == Mutation::Kind::kChainedAppend || m.kind == Mutation::Kind::kFence ||
          IsClear(m.key, layout_)) {
        out.push_back(std::move(m));
        continue;
      }
      std::string_view hashed = HashedPrefixOf(m.key, layout_);
      if (hashed.empty()) {
        if (Writes(m)) m.value = cipher->Seal(m.key, m.value);
        out.push_back(std::move(m));
        continue;
      }
      // Mid-rotation the record may still be under the old key's hash: it
      // goes, so that one clear key has one record.
      if (cipher->other_id() != 0) {
        out.push_back(Mutation::Delete(StoredKey(*cipher, cipher->other_id(), m.key, hashed)));
      }
      std::string stored = StoredKey(*cipher, cipher->primary_id(), m.key, hashed);
      if (Writes(m)) m.value = cipher->Seal(stored, Frame(m.key, m.value));
      m.key = std::move(stored);
      out.push_back(std::move(m));
    }
    return out;
  }

  StatusOr<std::string> Get(std::string_view key) override {
    if (IsClear(key, layout_)) return base_->Get(key);
    auto cipher = Current();
    std::string_view hashed = HashedPrefixOf(key, layout_);
    if (hashed.empty()) {
      auto value = base_->Get(key);
      if (!value.ok()) return value;
      // A value that does not open is handed on as it is: the record
      // decoders refuse it as corrupt, as they refuse any damaged record.
      std::optional<std::string> plain = cipher->Open(key, *value);
      if (!plain) return value;
      return std::move(*plain);
    }
    std::string stored = StoredKey(*cipher, cipher->primary_id(), key, hashed);
    auto value = base_->Get(stored);
    if (value.status().code() == StatusCode::kNotFound && cipher->other_id() != 0) {
      stored = StoredKey(*cipher, cipher->other_id(), key, hashed);  // not re-sealed yet
      value = base_->Get(stored);
    }
    if (!value.ok()) return value;
    std::optional<std::string> plain = cipher->Open(stored, *value);
    if (!plain) return value;
    std::string_view clear_key, v;
    if (!Unframe(*plain, &clear_key, &v) || clear_key != key) return value;
    return std::string(v);
  }

  // Keys sealed under their own name (cases, history, outbox) are read in
  // one batch and opened; a batch with any other key is read one by one.
  std::vector<StatusOr<std::string>> GetMany(std::span<const std::string> keys) override {
    for (const std::string& key : keys) {
      if (IsClear(key, layout_) || !HashedPrefixOf(key, layout_).empty()) {
        return Store::GetMany(keys);
      }
    }
    auto cipher = Current();
    std::vector<StatusOr<std::string>> out = base_->GetMany(keys);
    for (size_t i = 0; i < keys.size() && i < out.size(); ++i) {
      if (!out[i].ok()) continue;
      // As Get: a value that does not open is handed on as it is.
      if (std::optional<std::string> plain = cipher->Open(keys[i], *out[i])) {
        out[i] = std::move(*plain);
      }
    }
    return out;
  }

  Status Scan(std::string_view prefix, std::string_view start,
              const std::function<bool(std::string_view, std::string_view)>& fn)
      override {
    auto cipher = Current();
    // A scan of one term's entries looks where they are stored: under the
    // term's hash, and mid-rotation under the old key's hash too.
    for (const std::string& p : layout_.term_key_prefixes) {
      if (!prefix.starts_with(p) || prefix.size() <= p.size() || !start.empty() ||
          prefix.find('\0', p.size()) == std::string_view::npos) {
        continue;
      }
      bool more = true;
      for (uint32_t id : {cipher->primary_id(), cipher->other_id()}) {
        if (id == 0 || !more) continue;
        SHOUHU_RETURN_IF_ERROR(ScanStored(*cipher, StoredKey(*cipher, id, prefix, p), "",
                                          [&](std::string_view k, std::string_view v) {
                                            return more = fn(k, v);
                                          }));
      }
      return Status::Ok();
    }
    return ScanStored(*cipher, prefix, start, fn);
  }

  // Scans the stored records under `prefix`, handing on clear keys and
  // values.
  Status ScanStored(const Cipher& c, std::string_view prefix, std::string_view start,
                    const std::function<bool(std::string_view, std::string_view)>& fn) {
    const Cipher* cipher = &c;
    return base_->Scan(
        prefix, start, [&](std::string_view key, std::string_view value) {
          if (IsClear(key, layout_)) return fn(key, value);
          std::optional<std::string> plain = cipher->Open(key, value);
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
  // The copy holds the sealed values as they are: a backup stays encrypted
  // (mid-rotation, under both keys).
  Status Checkpoint(const std::string& dir) override {
    return base_->Checkpoint(dir);
  }
  StoreStats Stats() const override { return base_->Stats(); }
  Status WriteHealth() const override { return base_->WriteHealth(); }
  StatusOr<std::vector<uint64_t>> TakeIds(std::string_view counter, size_t n,
                                          uint64_t floor) override {
    return base_->TakeIds(counter, n, floor);
  }

  Status BeginRotation(const DataKey& next, const std::string& next_file) override;
  StatusOr<RotationProgress> ContinueRotation(size_t max) override;
  RotationProgress Progress() const override {
    MutexLock lock(rotation_mu_);
    return ProgressLocked();
  }

 private:
  std::shared_ptr<const Cipher> Current() const SHOUHU_EXCLUDES(cipher_mu_) {
    MutexLock lock(cipher_mu_);
    return cipher_;
  }
  void Use(std::shared_ptr<const Cipher> cipher) SHOUHU_EXCLUDES(cipher_mu_) {
    MutexLock lock(cipher_mu_);
    cipher_ = std::move(cipher);
  }
  std::string StoredKey(const Cipher& cipher, uint32_t id, std::string_view key,
                        std::string_view hashed) const {
    return StoredKeyOf(cipher, id, key, hashed, layout_);
  }
  RotationProgress ProgressLocked() const SHOUHU_REQUIRES(rotation_mu_) {
    RotationProgress p;
    p.key_id = next_ ? next_->id : key_.id;
    p.rotating = next_.has_value();
    p.from = next_ ? key_.id : 0;
    p.key_file = next_file_;
    p.resealed = resealed_;
    return p;
  }
  // The check value under the new key, the marks gone, the old key forgotten.
  Status FinishLocked() SHOUHU_REQUIRES(rotation_mu_);

  std::unique_ptr<Store> base_;
  // Lock order: rotation_mu_, then the commit lock (commits_: its gate,
  // then its count), then cipher_mu_; the base store's own locks below them
  // all. A commit takes the commit lock (shared), then cipher_mu_ for a moment.
  mutable Mutex rotation_mu_;  // guards the rotation's state below
  // The key the store was opened under. Also read, without the lock, by the
  // cipher made with it (Cipher keeps its address).
  DataKey key_ SHOUHU_GUARDED_BY(rotation_mu_);
  std::optional<DataKey> next_ SHOUHU_GUARDED_BY(rotation_mu_);  // while rotating: the new key
  std::string next_file_ SHOUHU_GUARDED_BY(rotation_mu_);
  std::string cursor_ SHOUHU_GUARDED_BY(rotation_mu_);  // re-sealed up to here (this process)
  uint64_t resealed_ SHOUHU_GUARDED_BY(rotation_mu_) = 0;
  CommitLock commits_;
  mutable Mutex cipher_mu_;
  std::shared_ptr<const Cipher> cipher_ SHOUHU_GUARDED_BY(cipher_mu_);  // the pointer, not the Cipher
  const SealingLayout layout_;
};

Status SealedStore::BeginRotation(const DataKey& next, const std::string& next_file) {
  MutexLock lock(rotation_mu_);
  if (next_) {
    return FailedPrecondition("a rotation to key " + DataKeyIdText(next_->id) +
                              " is under way; it must finish first");
  }
  if (next.id == key_.id) {
    return InvalidArgument("the new key " + next.source + " has the id of the key in use (" +
                           DataKeyIdText(key_.id) + "); make a new one with `shouhu key init`");
  }
  auto alone = commits_.Alone();
  // Marked first: a restart from here on resumes with both keys.
  SHOUHU_RETURN_IF_ERROR(
      base_->Commit({Mutation::Put(std::string(kRotatingKey), DataKeyIdText(next.id)),
                     Mutation::Put(std::string(kRotatingFileKey), next_file)}));
  next_ = next;
  next_file_ = next_file;
  cursor_.clear();
  resealed_ = 0;
  Use(std::make_shared<const Cipher>(*next_, &key_));
  return Status::Ok();
}

StatusOr<RotationProgress> SealedStore::ContinueRotation(size_t max) {
  MutexLock lock(rotation_mu_);
  if (!next_) return ProgressLocked();
  const uint32_t old_id = key_.id;
  // Which records after the cursor are still under the old key: from a
  // snapshot, checked again under the commit lock below. A bounded look at a
  // time, so a store already mostly re-sealed does not hold the lock long.
  std::vector<std::string> found;
  std::string last;
  size_t looked = 0;
  bool more = false;
  SHOUHU_RETURN_IF_ERROR(base_->Scan("", cursor_, [&](std::string_view key, std::string_view value) {
    if (found.size() >= max || looked >= 64 * max) {
      more = true;
      return false;
    }
    ++looked;
    last = std::string(key);
    if (!IsClear(key, layout_) && SealedKeyId(value) == old_id) found.emplace_back(key);
    return true;
  }));
  if (found.empty() && !more) {
    SHOUHU_RETURN_IF_ERROR(FinishLocked());
    return ProgressLocked();
  }
  if (!found.empty()) {
    auto alone = commits_.Alone();
    auto cipher = Current();
    std::vector<Mutation> batch;
    size_t resealed = 0;
    for (const std::string& key : found) {
      auto value = base_->Get(key);
      if (value.status().code() == StatusCode::kNotFound) continue;  // gone since
      if (!value.ok()) return value.status();
      if (SealedKeyId(*value) != old_id) continue;  // written anew since
      SHOUHU_RETURN_IF_ERROR(ResealRecord(*cipher, key, *value, layout_, false, &batch));
      ++resealed;
    }
    SHOUHU_RETURN_IF_ERROR(base_->Commit(std::move(batch)));
    resealed_ += resealed;
  }
  cursor_ = last + '\0';  // the next key after the last one looked at
  return ProgressLocked();
}

Status SealedStore::FinishLocked() {
  auto alone = commits_.Alone();
  auto only_new = std::make_shared<const Cipher>(*next_);
  SHOUHU_RETURN_IF_ERROR(base_->Commit(
      {Mutation::Put(std::string(kCheckKey), only_new->Seal(kCheckKey, kCheckText)),
       Mutation::Delete(std::string(kRotatingKey)),
       Mutation::Delete(std::string(kRotatingFileKey))}));
  Use(std::move(only_new));
  key_ = *next_;
  next_.reset();
  next_file_.clear();
  return Status::Ok();
}

}  // namespace

std::unique_ptr<RotatableStore> NewSealedStore(std::unique_ptr<Store> base, const DataKey& key,
                                               std::optional<DataKey> next, std::string next_file,
                                               SealingLayout layout) {
  return std::make_unique<SealedStore>(std::move(base), key, std::move(next),
                                       std::move(next_file), std::move(layout));
}

}  // namespace shouhu
