// The job token's challenge-response (docs/protocol.md, "Authentication"),
// on OpenSSL libcrypto's HMAC-SHA256. Each side proves it knows the token
// by MACing both nonces, the job id and the connection's role under a label
// of its own ("accel-rdzv server" / "accel-rdzv client"), so neither proof
// can be replayed as the other, on another connection or for another job.
// The token itself never travels. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "rendezvous/messages.hpp"

namespace accel::rendezvous {

// Raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view data);

// Compares in time that depends only on the lengths (CRYPTO_memcmp), so a
// peer cannot learn a proof byte by byte from response times.
bool equal_in_constant_time(std::string_view a, std::string_view b);

struct ProofInput {
  std::string_view token;
  std::string_view server_nonce;
  std::string_view client_nonce;
  std::string_view job_id;
  Role role = Role::kMember;
};
std::string server_proof(const ProofInput& input);
std::string client_proof(const ProofInput& input);

}  // namespace accel::rendezvous
