// Internal to the store area: the keys derived from data keys, and sealing,
// opening and keyed hashing with them (libsodium). See shouhu/sealed_store.h
// for the sealed value format.
//
// Thread safety: immutable after construction; safe to share.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "shouhu/sealed_store.h"

namespace shouhu {

inline constexpr char kSealedV1 = '\xE5';
inline constexpr size_t kSealedHeader = 1 + 4 + 24;  // marker, key id, nonce

// The key id of a sealed value; unset when `value` is not sealed.
std::optional<uint32_t> SealedKeyId(std::string_view value);

class Cipher {
 public:
  // Seals under `primary`; opens what `primary` or any of `others` sealed.
  // Each data key is split (crypto_kdf) into a sealing subkey and a hashing
  // subkey, so the hash of an identity reveals nothing about the sealing key.
  explicit Cipher(const DataKey& primary, const DataKey* other = nullptr);
  ~Cipher();
  Cipher(const Cipher&) = delete;
  Cipher& operator=(const Cipher&) = delete;

  uint32_t primary_id() const { return primary_; }
  // The id of the other key (the one being rotated away from), 0 if none.
  uint32_t other_id() const { return other_; }

  // `plaintext` sealed under the primary key, bound to `key` (the record's
  // stored key) as associated data.
  std::string Seal(std::string_view key, std::string_view plaintext) const;
  // The plaintext of a value sealed for `key`; unset when the value is not
  // sealed, its key id is unknown, or it does not authenticate (tampered,
  // moved from another key, or sealed under another key with the same id).
  std::optional<std::string> Open(std::string_view key,
                                  std::string_view sealed) const;
  // The keyed hash (BLAKE2b-256) of `value` under the primary key.
  std::string Hash(std::string_view value) const { return HashUnder(primary_, value); }
  // The same under key `id`. REQUIRES: id is the primary or the other key.
  std::string HashUnder(uint32_t id, std::string_view value) const;

 private:
  struct Subkeys {
    std::array<unsigned char, 32> seal;
    std::array<unsigned char, 32> hash;
  };
  uint32_t primary_;
  uint32_t other_ = 0;
  std::map<uint32_t, Subkeys> keys_;
};

}  // namespace shouhu
