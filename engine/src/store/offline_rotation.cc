// Offline key rotation (RotateSealedStore, shouhu/sealed_store.h): every
// record of a stopped daemon's store re-sealed under a new key, the old
// values compacted out of the files. Also finishes an interrupted rotation,
// offline or online, to the same new key.
#include "store/rocks_store.h"
#include "store/sealing.h"

namespace shouhu {

using namespace sealing;

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
        if (SealedKeyId(value) == new_key.id) {
          ++report.already;
          return true;
        }
        error = ResealRecord(cipher, key, value, layout, old_key == nullptr, &batch);
        if (!error.ok()) {
          error = Internal(error.message() + "; nothing more was rotated");
          return false;
        }
        ++report.resealed;
        return batch.size() < 512 || flush();
      });
  SHOUHU_RETURN_IF_ERROR(s);
  SHOUHU_RETURN_IF_ERROR(error);
  if (!flush()) return error;
  // Last: the check value under the new key, and the marks gone.
  SHOUHU_RETURN_IF_ERROR(
      store.Commit({Mutation::Put(std::string(kCheckKey),
                                  cipher.Seal(kCheckKey, kCheckText)),
                    Mutation::Delete(std::string(kRotatingKey)),
                    Mutation::Delete(std::string(kRotatingFileKey))}));
  opened->reset();
  // The values as they were (under the old key, or clear) are still in the
  // WAL and SST files until RocksDB compacts them away: now, not some day.
  SHOUHU_RETURN_IF_ERROR(CompactRocksStore(dir));
  return report;
}

}  // namespace shouhu
