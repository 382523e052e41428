// Opening a sealed store (shouhu/sealed_store.h): the key checks made from
// a store's marks (its check value and rotation marks) before anything opens
// it for writing, so that a refused open changes nothing, and the open
// functions that then wrap it in the decorator (store/sealed_store.cc).
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/rocks_store.h"
#include "store/sealed_store.h"
#include "store/sealing.h"

namespace shouhu {
namespace {

using namespace sealing;

// What the marks of a store say, before anything opens it for writing.
struct Marks {
  std::optional<std::string> check;          // the check value
  std::optional<std::string> rotating;       // the new key's id
  std::optional<std::string> rotating_file;  // an online rotation's new key
  bool empty = false;
};

const std::vector<std::string>& MarkKeys() {
  static const std::vector<std::string> keys = {
      std::string(kCheckKey), std::string(kRotatingKey), std::string(kRotatingFileKey)};
  return keys;
}

Marks MarksFrom(std::vector<std::optional<std::string>> values, bool empty) {
  return {std::move(values[0]), std::move(values[1]), std::move(values[2]), empty};
}

StatusOr<Marks> PeekMarks(const std::string& dir) {
  std::vector<std::optional<std::string>> values;
  bool empty = false;
  SHOUHU_RETURN_IF_ERROR(PeekRocksStore(dir, MarkKeys(), &values, &empty));
  return MarksFrom(std::move(values), empty);
}

// The marks of a store already open (one that is not a directory: the
// PostgreSQL store), read before anything is written to it.
StatusOr<Marks> MarksOf(Store& store) {
  std::vector<std::optional<std::string>> values;
  for (const std::string& key : MarkKeys()) {
    auto value = store.Get(key);
    if (value.ok()) {
      values.emplace_back(std::move(*value));
    } else if (value.status().code() == StatusCode::kNotFound) {
      values.emplace_back();
    } else {
      return value.status();
    }
  }
  bool empty = true;
  SHOUHU_RETURN_IF_ERROR(store.Scan("", "", [&](std::string_view, std::string_view) {
    empty = false;
    return false;
  }));
  return MarksFrom(std::move(values), empty);
}

const char* kNothing = "; nothing was changed 数据未作任何改动";

// Refuses `key` for the store `where` (its data directory or its name)
// with marks `m`, before anything opens it for writing. `online` accepts a
// store left mid-way through an online rotation.
Status CheckMarks(const Marks& m, const std::string& where, const DataKey* key, bool online) {
  const std::string& dir = where;
  if (m.rotating && !(online && m.rotating_file)) {
    return FailedPrecondition(
        "数据密钥轮换未完成 a key rotation of " + dir + " to key " + *m.rotating +
        " was interrupted; run `shouhu key rotate` with that new key (--new-key) to finish it" +
        kNothing);
  }
  if (m.check) {
    const std::string store_id = IdOf(*m.check);
    if (key == nullptr) {
      return PermissionDenied("数据目录已加密 " + dir + " is encrypted under data key " +
                              store_id + " and no key was given" + kNothing);
    }
    if (SealedKeyId(*m.check) != key->id) {
      std::string rotating =
          m.rotating ? " (a rotation to key " + *m.rotating +
                           " is under way: start with the old key until it finishes)"
                     : "";
      return PermissionDenied("数据密钥错误 wrong data key: " + dir +
                              " is encrypted under data key " + store_id + ", " + key->source +
                              " holds key " + DataKeyIdText(key->id) + rotating + kNothing);
    }
    Cipher cipher(*key);
    if (cipher.Open(kCheckKey, *m.check) != std::string(kCheckText)) {
      return PermissionDenied("数据密钥错误 wrong data key: " + key->source +
                              " has the id of " + dir + "'s key (" + store_id +
                              ") but does not open its check value (a damaged key file?)" +
                              kNothing);
    }
    return Status::Ok();
  }
  if (key != nullptr && !m.empty) {
    return FailedPrecondition(
        "数据目录未加密 " + dir +
        " holds records written without encryption; encrypt them first with "
        "`shouhu key rotate --data-dir " +
        dir + " --from-clear --new-key " + key->source + "`" + kNothing);
  }
  return Status::Ok();
}

// Refuses `key` for the store in `dir` before anything opens it for writing.
Status CheckKey(const std::string& dir, const DataKey* key, bool online) {
  if (!IsDataDir(dir)) return Status::Ok();  // a new store
  auto marks = PeekMarks(dir);
  if (!marks.ok()) return marks.status();
  return CheckMarks(*marks, dir, key, online);
}

// Writes the check value of `key` into a store that has none yet.
Status EnsureCheckValue(Store& base, const DataKey& key) {
  auto check = base.Get(kCheckKey);
  if (check.status().code() == StatusCode::kNotFound) {
    return base.Commit(
        {Mutation::Put(std::string(kCheckKey), Cipher(key).Seal(kCheckKey, kCheckText))});
  }
  return check.status();
}

// The base store of `dir`, its check value written under `key` when new.
StatusOr<std::unique_ptr<Store>> OpenBase(const std::string& dir, const StoreOptions& options,
                                          const DataKey& key) {
  auto base = OpenRocksStore(dir, options);
  if (!base.ok()) return base;
  SHOUHU_RETURN_IF_ERROR(EnsureCheckValue(**base, key));
  return base;
}

// A store left mid-way through an online rotation goes on with the new key
// from the file the rotation was started with.
Status NextKey(const Marks& marks, const std::string& where, std::optional<DataKey>* next,
               std::string* next_file) {
  if (!marks.rotating_file) return Status::Ok();
  *next_file = *marks.rotating_file;
  auto read = ReadDataKeyFile(*next_file);
  if (!read.ok()) {
    return FailedPrecondition("数据密钥轮换未完成 the online key rotation of " + where +
                              " to key " + marks.rotating.value_or("?") +
                              " cannot go on: " + read.status().message() + kNothing);
  }
  if (DataKeyIdText(read->id) != marks.rotating.value_or("")) {
    return FailedPrecondition("数据密钥轮换未完成 " + *next_file + " holds key " +
                              DataKeyIdText(read->id) + ", not key " +
                              marks.rotating.value_or("?") + " that the rotation of " + where +
                              " is to" + kNothing);
  }
  *next = std::move(*read);
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<Store>> OpenSealedStore(const std::string& dir,
                                                 const StoreOptions& options,
                                                 const DataKey* key,
                                                 const SealingLayout& layout) {
  SHOUHU_RETURN_IF_ERROR(CheckKey(dir, key, /*online=*/false));
  if (key == nullptr) return OpenRocksStore(dir, options);
  auto base = OpenBase(dir, options, *key);
  if (!base.ok()) return base.status();
  return std::unique_ptr<Store>(NewSealedStore(std::move(*base), *key, std::nullopt, "", layout));
}

StatusOr<std::unique_ptr<RotatableStore>> OpenRotatableStore(const std::string& dir,
                                                             const StoreOptions& options,
                                                             const DataKey& key,
                                                             const SealingLayout& layout) {
  SHOUHU_RETURN_IF_ERROR(CheckKey(dir, &key, /*online=*/true));
  std::optional<DataKey> next;
  std::string next_file;
  if (IsDataDir(dir)) {
    auto marks = PeekMarks(dir);
    if (!marks.ok()) return marks.status();
    SHOUHU_RETURN_IF_ERROR(NextKey(*marks, dir, &next, &next_file));
  }
  auto base = OpenBase(dir, options, key);
  if (!base.ok()) return base.status();
  return NewSealedStore(std::move(*base), key, std::move(next), std::move(next_file), layout);
}

StatusOr<std::unique_ptr<Store>> SealOpenStore(std::unique_ptr<Store> base,
                                               const std::string& name, const DataKey* key,
                                               const SealingLayout& layout) {
  auto marks = MarksOf(*base);
  if (!marks.ok()) return marks.status();
  SHOUHU_RETURN_IF_ERROR(CheckMarks(*marks, name, key, /*online=*/false));
  if (key == nullptr) return base;
  SHOUHU_RETURN_IF_ERROR(EnsureCheckValue(*base, *key));
  return std::unique_ptr<Store>(NewSealedStore(std::move(base), *key, std::nullopt, "", layout));
}

StatusOr<std::unique_ptr<RotatableStore>> SealOpenStoreRotatable(std::unique_ptr<Store> base,
                                                                 const std::string& name,
                                                                 const DataKey& key,
                                                                 const SealingLayout& layout) {
  auto marks = MarksOf(*base);
  if (!marks.ok()) return marks.status();
  SHOUHU_RETURN_IF_ERROR(CheckMarks(*marks, name, &key, /*online=*/true));
  std::optional<DataKey> next;
  std::string next_file;
  SHOUHU_RETURN_IF_ERROR(NextKey(*marks, name, &next, &next_file));
  SHOUHU_RETURN_IF_ERROR(EnsureCheckValue(*base, key));
  return NewSealedStore(std::move(base), key, std::move(next), std::move(next_file), layout);
}

StatusOr<SealState> ReadSealState(const std::string& dir) {
  if (!IsDataDir(dir)) return NotFound(dir + " holds no store");
  auto marks = PeekMarks(dir);
  if (!marks.ok()) return marks.status();
  SealState s;
  if (marks->check) {
    s.sealed = true;
    s.key_id = SealedKeyId(*marks->check).value_or(0);
  }
  if (marks->rotating) {
    s.rotating = true;
    s.rotating_to = static_cast<uint32_t>(std::stoul(*marks->rotating, nullptr, 16));
    s.online = marks->rotating_file.has_value();
  }
  return s;
}

}  // namespace shouhu
