// SHA-256, HMAC-SHA256 and random bytes for signing requests, backed by
// OpenSSL's libcrypto. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace shouhu::plugin {

// Raw 32-byte digests.
std::string Sha256(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);

// `n` bytes from the operating system's CSPRNG, hex-encoded (2n characters).
// Returns "" if the generator fails, which callers treat as a transient error.
std::string RandomHex(size_t n);

}  // namespace shouhu::plugin
