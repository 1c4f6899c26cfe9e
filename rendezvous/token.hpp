// Random bytes for job tokens and handshake nonces, from OpenSSL's CSPRNG
// (RAND_bytes). Throws std::runtime_error when the generator cannot seed,
// which on Linux means no getrandom() and no /dev/urandom. Thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace accel::rendezvous {

// `count` random bytes.
std::string random_bytes(std::size_t count);

// A fresh job token: 32 random bytes as 64 lowercase hex digits, safe to put
// in an environment variable (ACCEL_JOB_TOKEN) or on a command line.
std::string generate_token();

// Lowercase hex of `bytes`.
std::string to_hex(std::string_view bytes);

// The bytes of lowercase hex `text` (to_hex's inverse); nullopt for an odd
// length or any other character.
std::optional<std::string> from_hex(std::string_view text);

}  // namespace accel::rendezvous
