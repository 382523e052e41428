// Hash-chain records: sealing, decoding and the walk that verifies a chain
// (format in shouhu/chain.h).
#include "shouhu/chain.h"

#include <openssl/sha.h>

#include <cstdio>

namespace shouhu {
namespace {

const std::string kZeroHash(kChainHashBytes, '\0');

void AppendBigEndian(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

uint64_t ReadBigEndian(std::string_view b) {
  uint64_t v = 0;
  for (char c : b) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}

std::string HashRecord(std::string_view prefix, uint64_t seq,
                       std::string_view prev, std::string_view payload) {
  std::string input;
  input.reserve(prefix.size() + 8 + prev.size() + payload.size());
  input.append(prefix);
  AppendBigEndian(&input, seq);
  input.append(prev);
  input.append(payload);
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), md);
  return std::string(reinterpret_cast<char*>(md), sizeof md);
}

}  // namespace

std::string HexOf(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

std::string DigestHex(std::string_view bytes) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), md);
  return HexOf(std::string_view(reinterpret_cast<char*>(md), sizeof md));
}

std::string ChainKey(std::string_view prefix, uint64_t seq) {
  std::string key(prefix);
  AppendBigEndian(&key, seq);
  return key;
}

std::string SealChainRecord(std::string_view prefix, uint64_t seq,
                            std::string_view prev_hash,
                            std::string_view payload, std::string* hash) {
  const std::string_view prev = prev_hash.empty() ? kZeroHash : prev_hash;
  *hash = HashRecord(prefix, seq, prev, payload);
  std::string value;
  value.reserve(1 + 2 * kChainHashBytes + payload.size());
  value.push_back(kChainEnvelopeV1);
  value.append(prev);
  value.append(*hash);
  value.append(payload);
  return value;
}

StatusOr<ChainRecord> DecodeChainRecord(std::string_view prefix,
                                        std::string_view key,
                                        std::string_view value) {
  if (!key.starts_with(prefix) || key.size() != prefix.size() + 8) {
    return InvalidArgument("not a chain key (prefix + 8-byte sequence number)");
  }
  if (value.size() < 1 + 2 * kChainHashBytes) {
    return InvalidArgument("record shorter than its envelope");
  }
  if (value[0] != kChainEnvelopeV1) {
    return InvalidArgument("unknown envelope version " +
                           std::to_string(static_cast<uint8_t>(value[0])));
  }
  ChainRecord r;
  r.seq = ReadBigEndian(key.substr(prefix.size()));
  r.prev_hash = value.substr(1, kChainHashBytes);
  r.hash = value.substr(1 + kChainHashBytes, kChainHashBytes);
  r.payload = value.substr(1 + 2 * kChainHashBytes);
  return r;
}

StatusOr<ChainReport> VerifyChain(Store& store, std::string_view prefix) {
  ChainReport report;
  std::string prev = kZeroHash;
  auto fail = [&](uint64_t seq, std::string why) {
    report.ok = false;
    report.broken_seq = seq;
    report.problem = std::move(why);
  };
  Status s = store.Scan(prefix, "", [&](std::string_view key,
                                        std::string_view value) {
    ++report.records;
    const uint64_t expected = report.intact + 1;
    auto r = DecodeChainRecord(prefix, key, value);
    if (!r.ok()) {
      fail(expected, "record " + std::to_string(expected) +
                         " (key " + HexOf(key) + "): " + r.status().message());
      return false;
    }
    if (r->seq != expected) {
      fail(expected, r->seq > expected
                         ? "record " + std::to_string(expected) +
                               " is missing (the next one is " +
                               std::to_string(r->seq) + ")"
                         : "record " + std::to_string(r->seq) +
                               " appears out of place");
      return false;
    }
    if (r->prev_hash != prev) {
      fail(r->seq, "record " + std::to_string(r->seq) +
                       " does not link to record " +
                       std::to_string(r->seq - 1) +
                       " (a record before it was removed, replaced or "
                       "reordered)");
      return false;
    }
    if (HashRecord(prefix, r->seq, r->prev_hash, r->payload) != r->hash) {
      fail(r->seq, "record " + std::to_string(r->seq) +
                       " was altered (its hash does not match its content)");
      return false;
    }
    ++report.intact;
    report.head_seq = r->seq;
    report.head_hash = HexOf(r->hash);
    prev = std::move(r->hash);
    return true;
  });
  SHOUHU_RETURN_IF_ERROR(s);
  return report;
}

}  // namespace shouhu
