// Data keys and the libsodium calls that use them: the only file of shouhu
// that seals, opens or hashes with a data key, or reads a key file.
#include "store/cipher.h"

#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>

namespace shouhu {
namespace {

constexpr std::string_view kKeyFileTag = "shouhu-key-v1";
// crypto_kdf contexts (8 bytes each) and subkey ids.
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES] = {'s', 'h', 'o', 'u',
                                                       'h', 'u', 'd', 'k'};
constexpr uint64_t kSealSubkey = 1, kHashSubkey = 2;

// Random nonces, drawn from the kernel 256 at a time: one getrandom call per
// seal was a third of a seal's cost on a busy machine. Per thread, so no
// lock; emptied in a forked child (the forking thread is the child's only
// thread), so a parent and its child never use the same nonce.
struct NonceBuffer {
  static constexpr size_t kNonces = 256;
  unsigned char bytes[kNonces * crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
  size_t next = sizeof bytes;
};
thread_local NonceBuffer t_nonces;

void NextNonce(unsigned char* out) {
  NonceBuffer& b = t_nonces;
  if (b.next == sizeof b.bytes) {
    randombytes_buf(b.bytes, sizeof b.bytes);
    b.next = 0;
  }
  std::memcpy(out, b.bytes + b.next,
              crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  b.next += crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
}

void InitSodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) {
      std::fprintf(stderr, "shouhu: libsodium cannot be initialised\n");
      std::abort();
    }
    pthread_atfork(nullptr, nullptr,
                   [] { t_nonces.next = sizeof t_nonces.bytes; });
  });
}

std::string Hex(const unsigned char* p, size_t n) {
  std::string out(2 * n + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), p, n);
  out.pop_back();
  return out;
}

bool FromHex(std::string_view hex, unsigned char* out, size_t n) {
  size_t len = 0;
  return hex.size() == 2 * n &&
         sodium_hex2bin(out, n, hex.data(), hex.size(), nullptr, &len,
                        nullptr) == 0 &&
         len == n;
}

std::string IdHex(uint32_t id) {
  char text[9];
  std::snprintf(text, sizeof text, "%08x", id);
  return text;
}

std::string ModeText(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

}  // namespace

std::optional<uint32_t> SealedKeyId(std::string_view v) {
  if (v.size() < kSealedHeader + crypto_aead_xchacha20poly1305_ietf_ABYTES ||
      v[0] != kSealedV1) {
    return std::nullopt;
  }
  uint32_t id = 0;
  for (int i = 1; i <= 4; ++i)
    id = (id << 8) | static_cast<unsigned char>(v[i]);
  return id;
}

Cipher::Cipher(const DataKey& primary, const DataKey* other)
    : primary_(primary.id), other_(other ? other->id : 0) {
  InitSodium();
  for (const DataKey* k : {&primary, other}) {
    if (k == nullptr) continue;
    Subkeys& s = keys_[k->id];
    crypto_kdf_derive_from_key(s.seal.data(), s.seal.size(), kSealSubkey,
                               kKdfContext, k->bytes.data());
    crypto_kdf_derive_from_key(s.hash.data(), s.hash.size(), kHashSubkey,
                               kKdfContext, k->bytes.data());
  }
}

Cipher::~Cipher() {
  for (auto& [id, s] : keys_) {
    sodium_memzero(s.seal.data(), s.seal.size());
    sodium_memzero(s.hash.data(), s.hash.size());
  }
}

std::string Cipher::Seal(std::string_view key,
                         std::string_view plaintext) const {
  const Subkeys& k = keys_.at(primary_);
  std::string out(kSealedHeader + plaintext.size() +
                      crypto_aead_xchacha20poly1305_ietf_ABYTES,
                  '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  p[0] = static_cast<unsigned char>(kSealedV1);
  for (int i = 0; i < 4; ++i) p[1 + i] = (primary_ >> (24 - 8 * i)) & 0xff;
  NextNonce(p + 5);
  // Associated data: marker and key id, then the record's key.
  std::string ad(out.data(), 5);
  ad.append(key);
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      p + kSealedHeader, &len,
      reinterpret_cast<const unsigned char*>(plaintext.data()),
      plaintext.size(), reinterpret_cast<const unsigned char*>(ad.data()),
      ad.size(), nullptr, p + 5, k.seal.data());
  return out;
}

std::optional<std::string> Cipher::Open(std::string_view key,
                                        std::string_view sealed) const {
  std::optional<uint32_t> id = SealedKeyId(sealed);
  if (!id) return std::nullopt;
  auto it = keys_.find(*id);
  if (it == keys_.end()) return std::nullopt;
  std::string ad(sealed.substr(0, 5));
  ad.append(key);
  const size_t clen = sealed.size() - kSealedHeader;
  std::string out(clen - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long len = 0;
  const auto* c = reinterpret_cast<const unsigned char*>(sealed.data());
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(out.data()), &len, nullptr,
          c + kSealedHeader, clen,
          reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), c + 5,
          it->second.seal.data()) != 0) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

std::string Cipher::HashUnder(uint32_t id, std::string_view value) const {
  const Subkeys& k = keys_.at(id);
  std::string out(32, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(),
                     reinterpret_cast<const unsigned char*>(value.data()),
                     value.size(), k.hash.data(), k.hash.size());
  return out;
}

StatusOr<DataKey> ReadDataKeyFile(const std::string& path) {
  InitSodium();
  // Opened first and checked through the descriptor, so the file checked is
  // the file read.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    const int e = errno;
    std::string why = std::strerror(e);
    if (e == ENOENT) {
      return NotFound("数据密钥文件不存在 the data key file " + path +
                      " does not exist (create one with `shouhu key init " +
                      path + "`)");
    }
    return PermissionDenied(
        "无法读取数据密钥文件 cannot read the data key file " + path + ": " +
        why);
  }
  struct stat st {};
  std::string text(256, '\0');
  ssize_t n = -1;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) == 0) {
    n = ::read(fd, text.data(), text.size());
  }
  ::close(fd);
  if (!S_ISREG(st.st_mode)) {
    return InvalidArgument("数据密钥文件不是普通文件 the data key file " +
                           path + " is not a regular file");
  }
  if (st.st_mode & 077) {
    return PermissionDenied(
        "数据密钥文件权限过宽 the data key file " + path + " has mode " +
        ModeText(st.st_mode) +
        ": its group or others may read it; allow its owner only "
        "(chmod 600 " +
        path + ")");
  }
  if (n < 0) {
    return PermissionDenied(
        "无法读取数据密钥文件 cannot read the data key file " + path);
  }
  text.resize(static_cast<size_t>(n));
  // "shouhu-key-v1 <8 hex> <64 hex>\n"
  DataKey key;
  key.source = path;
  unsigned char id[4];
  const auto bad = [&] {
    sodium_memzero(text.data(), text.size());
    return InvalidArgument(
        "不是数据密钥文件 " + path +
        " is not a shouhu data key file (expected one line \"" +
        std::string(kKeyFileTag) +
        " <id> <key>\", as `shouhu key init` writes)");
  };
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (text.size() != kKeyFileTag.size() + 1 + 8 + 1 + 64 ||
      text.compare(0, kKeyFileTag.size(), kKeyFileTag) != 0 ||
      text[kKeyFileTag.size()] != ' ' || text[kKeyFileTag.size() + 9] != ' ' ||
      !FromHex(std::string_view(text).substr(kKeyFileTag.size() + 1, 8), id,
               4) ||
      !FromHex(std::string_view(text).substr(kKeyFileTag.size() + 10, 64),
               key.bytes.data(), key.bytes.size())) {
    return bad();
  }
  sodium_memzero(text.data(), text.size());
  key.id = (uint32_t(id[0]) << 24) | (uint32_t(id[1]) << 16) |
           (uint32_t(id[2]) << 8) | id[3];
  return key;
}

StatusOr<DataKey> CreateDataKeyFile(const std::string& path) {
  InitSodium();
  DataKey key;
  key.source = path;
  do {
    key.id = randombytes_random();
  } while (key.id == 0);
  crypto_kdf_keygen(key.bytes.data());
  std::string line = std::string(kKeyFileTag) + " " + IdHex(key.id) + " " +
                     Hex(key.bytes.data(), key.bytes.size()) + "\n";
  int fd = ::open(path.c_str(),
                  O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    const int e = errno;
    sodium_memzero(line.data(), line.size());
    if (e == EEXIST) {
      return AlreadyExists(path +
                           " exists already; a key file is never overwritten");
    }
    return Unavailable("cannot create " + path + ": " + std::strerror(e));
  }
  bool ok = ::fchmod(fd, 0600) == 0 &&
            ::write(fd, line.data(), line.size()) ==
                static_cast<ssize_t>(line.size()) &&
            ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  sodium_memzero(line.data(), line.size());
  if (!ok) {
    ::unlink(path.c_str());
    return Unavailable("cannot write " + path);
  }
  return key;
}

std::string DataKeyIdText(uint32_t id) { return IdHex(id); }

}  // namespace shouhu
