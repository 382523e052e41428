// Hash-chained, append-only logs in the store (the audit trail is one): the
// record envelope, and the check that walks a chain.
//
// Thread safety: free functions; VerifyChain reads one consistent snapshot.
//
// A chain lives under one key prefix P. Record n (n = 1, 2, ...) is stored at
// key P + be64(n) with the value
//
//   [0x01 envelope version][prev: 32 bytes][hash: 32 bytes][payload]
//
// where prev is the hash of record n-1 (32 zero bytes for record 1) and
//
//   hash = SHA-256(P || be64(n) || prev || payload).
//
// Records are appended only with Mutation::ChainedAppend (see store.h): the
// store's committer thread assigns n and seals the record as it builds each
// group, so the chain follows the commit order.
//
// What a walk detects: a record whose payload or hash was changed (its hash
// no longer matches), a record removed from the middle (a gap in n and a
// broken link), records swapped or moved (n is inside the hash), a record
// inserted or a foreign key under P. What it cannot detect alone: removal of
// the newest records (a shorter chain is still a valid chain), and a forger
// who rewrites a record and every record after it (the hash has no secret).
// Both are caught by comparing the head (seq and hash, printed by `shouhu
// audit verify`) with a head noted earlier outside the data directory.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "shouhu/status.h"
#include "shouhu/store.h"

namespace shouhu {

inline constexpr size_t kChainHashBytes = 32;
inline constexpr char kChainEnvelopeV1 = '\x01';

struct ChainRecord {
  uint64_t seq = 0;
  std::string prev_hash;  // kChainHashBytes raw bytes
  std::string hash;       // kChainHashBytes raw bytes
  std::string payload;
};

// The key of record `seq` of the chain under `prefix`.
std::string ChainKey(std::string_view prefix, uint64_t seq);

// Seals `payload` as record `seq` after a record with hash `prev_hash`
// (empty = the first record). Returns the stored value; sets *hash.
std::string SealChainRecord(std::string_view prefix, uint64_t seq,
                            std::string_view prev_hash,
                            std::string_view payload, std::string* hash);

// Splits a stored record. kInvalidArgument when the key is not a chain key of
// `prefix` or the value is not an envelope this version reads. Checks the
// format only, not the hash: see VerifyChain.
StatusOr<ChainRecord> DecodeChainRecord(std::string_view prefix,
                                        std::string_view key,
                                        std::string_view value);

// The outcome of a walk from record 1 to the newest.
struct ChainReport {
  uint64_t records = 0;      // records read, intact or not
  uint64_t intact = 0;       // records verified before the first break
  uint64_t head_seq = 0;     // the newest record's seq (0: empty chain)
  std::string head_hash;     // its stored hash, hex ("" when empty)
  bool ok = true;
  uint64_t broken_seq = 0;   // the first record that fails (its position)
  std::string problem;       // why, in one line; "" when ok
};

// Walks the chain under `prefix` and checks every envelope, sequence number,
// link and hash. Returns the report; a non-OK Status only when the store
// cannot be read.
StatusOr<ChainReport> VerifyChain(Store& store, std::string_view prefix);

std::string HexOf(std::string_view bytes);

// SHA-256 of `bytes`, hex: how a chain record names a record kept outside
// the chain (a firing record, codec.h), so that the chain covers it too.
std::string DigestHex(std::string_view bytes);

}  // namespace shouhu
