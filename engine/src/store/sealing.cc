// The pieces the sealed store and key rotation share (store/sealing.h).
#include "store/sealing.h"

#include <filesystem>

namespace shouhu::sealing {

bool StartsWithAny(std::string_view key, const std::vector<std::string>& prefixes) {
  for (const std::string& p : prefixes) {
    if (key.starts_with(p)) return true;
  }
  return false;
}

std::string_view HashedPrefixOf(std::string_view key, const SealingLayout& layout) {
  for (const auto* prefixes : {&layout.hashed_key_prefixes, &layout.term_key_prefixes}) {
    for (const std::string& p : *prefixes) {
      if (key.starts_with(p)) return p;
    }
  }
  return {};
}

std::string StoredKeyOf(const Cipher& cipher, uint32_t id, std::string_view key,
                        std::string_view hashed, const SealingLayout& layout) {
  std::string_view rest = key.substr(hashed.size());
  std::string_view tail;
  if (StartsWithAny(hashed, layout.term_key_prefixes)) {
    if (size_t nul = rest.rfind('\0'); nul != std::string_view::npos) {
      tail = rest.substr(nul);
      rest = rest.substr(0, nul);
    }
  }
  std::string out(hashed);
  out += cipher.HashUnder(id, rest);
  out += tail;
  return out;
}

bool IsClear(std::string_view key, const SealingLayout& layout) {
  return key.starts_with(kMetaPrefix) || StartsWithAny(key, layout.clear_prefixes);
}

std::string Frame(std::string_view clear_key, std::string_view value) {
  std::string out;
  const uint32_t n = static_cast<uint32_t>(clear_key.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(n >> shift));
  out.append(clear_key);
  out.append(value);
  return out;
}

bool Unframe(std::string_view plain, std::string_view* clear_key, std::string_view* value) {
  if (plain.size() < 4) return false;
  uint32_t n = 0;
  for (int i = 0; i < 4; ++i) n = (n << 8) | static_cast<unsigned char>(plain[i]);
  if (plain.size() - 4 < n) return false;
  *clear_key = plain.substr(4, n);
  *value = plain.substr(4 + n);
  return true;
}

bool IsDataDir(const std::string& dir) {
  std::error_code ec;
  return std::filesystem::is_regular_file(std::filesystem::path(dir) / "CURRENT", ec);
}

std::string IdOf(std::string_view sealed) {
  std::optional<uint32_t> id = SealedKeyId(sealed);
  return id ? DataKeyIdText(*id) : "?";
}

Status ResealRecord(const Cipher& cipher, std::string_view key, std::string_view value,
                    const SealingLayout& layout, bool from_clear,
                    std::vector<Mutation>* batch) {
  const std::string where = "a record under \"" + std::string(key.substr(0, 2)) + "\"";
  const bool sealed = SealedKeyId(value).has_value();
  std::string plain;
  if (sealed) {
    std::optional<std::string> opened = cipher.Open(key, value);
    if (!opened) return Internal(where + " does not open with the keys given");
    plain = std::move(*opened);
  } else if (!from_clear) {
    return Internal(where + " is not encrypted");
  } else {
    plain = std::string(value);
  }
  std::string_view hashed = HashedPrefixOf(key, layout);
  if (hashed.empty()) {
    batch->push_back(Mutation::Put(std::string(key), cipher.Seal(key, plain)));
    return Status::Ok();
  }
  std::string_view clear_key = key, v = plain;
  if (sealed && !Unframe(plain, &clear_key, &v)) {
    return Internal("a hashed index record is corrupt");
  }
  std::string stored = StoredKeyOf(cipher, cipher.primary_id(), clear_key, hashed, layout);
  std::string resealed = cipher.Seal(stored, Frame(clear_key, v));
  if (stored != key) batch->push_back(Mutation::Delete(std::string(key)));
  batch->push_back(Mutation::Put(std::move(stored), std::move(resealed)));
  return Status::Ok();
}

}  // namespace shouhu::sealing
