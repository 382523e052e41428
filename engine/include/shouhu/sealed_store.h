// Encryption at rest (加密存储): a Store whose values are sealed with
// XChaCha20-Poly1305 under a data key kept outside the data directory, and
// whose equality-lookup keys hold a keyed hash instead of the clear value.
//
// Thread safety: DataKey is an immutable value; the sealed store is safe to
// call from many threads at once, like every Store. Its locks
// (store/sealed_store.cc, store/commit_lock.h; checked by clang's
// -Wthread-safety), in the order taken: the rotation's lock (BeginRotation,
// ContinueRotation, Progress); then the commit lock (a commit holds it
// shared until its write is over, a re-seal batch alone; its gate, then its
// count); then the cipher's lock, a leaf; the wrapped store's locks below
// them all.
//
// A sealed value is
//   0xE5 | key id (4 bytes, big-endian) | nonce (24 bytes) | ciphertext+tag
// and its associated data is the record's stored key and this header, so a
// sealed value moved to another key (another case, another field) does not
// open. The key id says which key sealed it, so a store can be re-sealed
// under a new key (RotateSealedStore) record by record.
//
// The store keeps a check value under "s/key": a known text sealed under the
// store's key. Opening refuses a key that does not open it, a store written
// without encryption, and a store whose offline key rotation was interrupted,
// before RocksDB is opened for writing: a refused open changes nothing on
// disk.
//
// Online rotation (RotatableStore): while the store serves, new writes are
// sealed under the new key and reads open either; records still under the
// old key are re-sealed in small batches, each atomic and exclusive with
// other commits (so a re-seal never overwrites a newer value); last, the
// check value is sealed under the new key and the old key is forgotten. The
// store marks the rotation ("s/rotating": the new key's id,
// "s/rotating_file": its file) before the first write under the new key, so
// after a crash every record opens with one of the two keys, and a store
// opened again with the old key reads the new one from that file and goes
// on. Looked-up-by-hash records move to the new key's hash; until then a
// lookup tries the new hash, then the old.
#pragma once

#include <string.h>  // explicit_bzero

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "shouhu/status.h"
#include "shouhu/store.h"

namespace shouhu {

// A data key: 32 secret bytes and the id that sealed values carry. The bytes
// are wiped when a DataKey goes away.
struct DataKey {
  uint32_t id = 0;
  std::array<unsigned char, 32> bytes{};
  std::string source;  // the file it was read from, for messages

  DataKey() = default;
  DataKey(const DataKey&) = default;
  DataKey& operator=(const DataKey&) = default;
  ~DataKey() { explicit_bzero(bytes.data(), bytes.size()); }
};

// A key id as its key file and messages show it: 8 hex digits.
std::string DataKeyIdText(uint32_t id);

// Reads a key file: one line "shouhu-key-v1 <id: 8 hex> <key: 64 hex>".
// kPermissionDenied when the file is readable or writable by its group or
// others (the message names the file and its mode), kInvalidArgument when it
// is not a key file, kNotFound when it does not exist.
StatusOr<DataKey> ReadDataKeyFile(const std::string& path);

// Creates a new key file with a fresh random key, mode 0600. Refuses
// (kAlreadyExists) to replace an existing file. Returns the new key.
StatusOr<DataKey> CreateDataKeyFile(const std::string& path);

// Which keys of the store are sealed how; decided by the key layout
// (runtime/codec.h: codec::StoreSealing()).
struct SealingLayout {
  // Values under these prefixes stay clear: they carry nothing personal
  // (index entries, the audit hash chain).
  std::vector<std::string> clear_prefixes;
  // Under these prefixes the rest of the key is an equality-lookup value
  // (the child's identity): it is stored as a keyed hash (BLAKE2b keyed with
  // a subkey of the data key), and the clear key travels sealed in the value
  // so that rotation can hash it again. Scans of such a prefix return the
  // clear keys, in hash order.
  std::vector<std::string> hashed_key_prefixes;
  // Under these prefixes a key is <prefix><term>\0<id>: an entry of a search
  // index (the term names a field value) pointing at a record id. The part
  // before the last NUL is stored as a keyed hash and the id stays clear, so
  // a scan of <prefix><term>\0 finds every id under the term without the
  // term ever being written; the clear key travels sealed in the value, as
  // for hashed_key_prefixes. Scans return the clear keys.
  std::vector<std::string> term_key_prefixes = {};
};

// Opens (creating if missing) a RocksDB store in `dir` whose values are
// sealed under `key`, or, with key == nullptr, a store without encryption
// (tests and `"encryption": {"none": ...}` development set-ups only).
// kPermissionDenied when the store is sealed under another key, or is sealed
// and no key is given; kFailedPrecondition when the store holds records
// written without encryption (see RotateSealedStore) or a key rotation was
// interrupted. Other errors as OpenRocksStore.
StatusOr<std::unique_ptr<Store>> OpenSealedStore(const std::string& dir,
                                                 const StoreOptions& options,
                                                 const DataKey* key,
                                                 const SealingLayout& layout);

struct RotationReport {
  uint64_t resealed = 0;  // records sealed under the new key by this run
  uint64_t already = 0;   // records found sealed under the new key already
  uint64_t clear = 0;     // records left clear by the layout
};

// Re-seals every record of the store in `dir` under `new_key` (offline: the
// store must not be open elsewhere); also finishes an interrupted online
// rotation to `new_key`. `old_key` == nullptr encrypts a store
// written without encryption. Marks the rotation in the store first and
// clears the mark last, so an interrupted rotation is refused by
// OpenSealedStore until the same command is run again, which finishes it.
// The audit hash chain is under a clear prefix and is not rewritten, so it
// verifies as before.
StatusOr<RotationReport> RotateSealedStore(const std::string& dir,
                                           const DataKey* old_key,
                                           const DataKey& new_key,
                                           const SealingLayout& layout);

// How a store's key stands, for an online rotation's progress.
struct RotationProgress {
  uint32_t key_id = 0;    // the key new writes are sealed under
  bool rotating = false;  // records may still be under `from`
  uint32_t from = 0;      // while rotating: the key being replaced
  std::string key_file;   // while rotating: the new key's file
  uint64_t resealed = 0;  // records re-sealed by this process
};

// A sealed store that can change its key while it serves.
//
// Thread safety: as every Store; the rotation calls may come from any thread
// (they serialise among themselves).
class RotatableStore : public Store {
 public:
  // Starts rotating to `next`, read from `next_file` (remembered in the
  // store, so that a restart goes on): from now on new writes are sealed
  // under `next`. kFailedPrecondition while another rotation is under way,
  // kInvalidArgument when `next` has the id of the key in use.
  virtual Status BeginRotation(const DataKey& next, const std::string& next_file) = 0;
  // Re-seals up to `max` records still under the old key (one atomic batch);
  // when none is left, finishes (rotating false in the result). Does nothing
  // when no rotation is under way.
  virtual StatusOr<RotationProgress> ContinueRotation(size_t max) = 0;
  virtual RotationProgress Progress() const = 0;
};

// OpenSealedStore for the daemon: a store sealed under `key` that can rotate
// online. A store left mid-way through an online rotation opens with its old
// key (`key`) and goes on (ContinueRotation): the new key is read from the
// file the rotation was started with; kFailedPrecondition when that file is
// gone or holds another key. Other errors as OpenSealedStore.
StatusOr<std::unique_ptr<RotatableStore>> OpenRotatableStore(const std::string& dir,
                                                             const StoreOptions& options,
                                                             const DataKey& key,
                                                             const SealingLayout& layout);

// OpenSealedStore and OpenRotatableStore on a store already open that is not
// a RocksDB directory (the PostgreSQL store): the same key checks, made on
// `base` before anything is written to it, and the same errors; `name`
// names the store in messages (not the DSN: it may hold a password).
StatusOr<std::unique_ptr<Store>> SealOpenStore(std::unique_ptr<Store> base,
                                               const std::string& name, const DataKey* key,
                                               const SealingLayout& layout);
StatusOr<std::unique_ptr<RotatableStore>> SealOpenStoreRotatable(std::unique_ptr<Store> base,
                                                                 const std::string& name,
                                                                 const DataKey& key,
                                                                 const SealingLayout& layout);

// Whether `dir` holds a store sealed under some key (its check value), and
// that key's id. kNotFound when `dir` holds no store. Reads only.
struct SealState {
  bool sealed = false;
  uint32_t key_id = 0;
  bool rotating = false;
  uint32_t rotating_to = 0;
  bool online = false;  // the rotation was started online (shouhud)
};
StatusOr<SealState> ReadSealState(const std::string& dir);

}  // namespace shouhu
