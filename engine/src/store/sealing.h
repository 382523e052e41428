// Internal to the store area: the pieces the sealed store, its key checks and
// both kinds of key rotation share -- the decorator's own records, what a
// layout leaves clear or hashes, the framing of hashed-key records, and the
// re-sealing of one record under a new key.
//
// Thread safety: stateless functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "shouhu/sealed_store.h"
#include "store/cipher.h"

namespace shouhu::sealing {

// The decorator's own records, written only by the store area, never
// through the decorator: the check value, the rotation mark (the new key's
// id) and, for an online rotation, the new key's file.
inline constexpr std::string_view kMetaPrefix = "s/";
inline constexpr std::string_view kCheckKey = "s/key";
inline constexpr std::string_view kRotatingKey = "s/rotating";
inline constexpr std::string_view kRotatingFileKey = "s/rotating_file";
inline constexpr std::string_view kCheckText = "shouhu data key check v1";

bool StartsWithAny(std::string_view key, const std::vector<std::string>& prefixes);
// The hashed-key or term-key prefix `key` is under, or "".
std::string_view HashedPrefixOf(std::string_view key, const SealingLayout& layout);
// The key stored for clear `key` under hashed prefix `hashed`, hashed under
// key `id` of `cipher`: the rest of the key hashed, or, under a term prefix,
// the term (up to the last NUL) hashed and the id after it kept.
std::string StoredKeyOf(const Cipher& cipher, uint32_t id, std::string_view key,
                        std::string_view hashed, const SealingLayout& layout);
// Values of the decorator's own records and of the layout's clear prefixes
// stay clear.
bool IsClear(std::string_view key, const SealingLayout& layout);

// A hashed-key record's plaintext: the clear key (length-prefixed), then the
// value.
std::string Frame(std::string_view clear_key, std::string_view value);
bool Unframe(std::string_view plain, std::string_view* clear_key, std::string_view* value);

// Whether `dir` holds a RocksDB store.
bool IsDataDir(const std::string& dir);
// The key id of a sealed value as text, "?" when it is not sealed.
std::string IdOf(std::string_view sealed);

// Appends to `batch` what re-seals one stored record (`key`, `value` as they
// are on disk) under the primary key of `cipher`: the same key with the value
// sealed anew, or, under a hashed prefix, the record moved to the new key's
// hash. `value` is sealed under a key `cipher` knows, or is clear when
// `from_clear`. kInternal, naming the key's prefix only, when it does not
// open, is clear when it should not be, or is a corrupt hashed record.
Status ResealRecord(const Cipher& cipher, std::string_view key, std::string_view value,
                    const SealingLayout& layout, bool from_clear,
                    std::vector<Mutation>* batch);

}  // namespace shouhu::sealing
