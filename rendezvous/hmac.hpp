// The job token's challenge-response (docs/protocol.md, "Authentication"),
// on OpenSSL libcrypto's HMAC-SHA256. Each side proves it knows the token
// by MACing both nonces, the job id and the connection's role under a label
// of its own ("accel-rdzv server" / "accel-rdzv client"), so neither proof
// can be replayed as the other, on another connection or for another job.
// The token itself never travels.
// Thread-safety: the free functions are thread-safe; one HmacSha256 is used
// by one thread at a time (the server's, on its loop; each client its own).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "rendezvous/messages.hpp"

namespace accel::rendezvous {

// HMAC-SHA256 under one key, set up once. OpenSSL 3's one-shot HMAC() looks
// the MAC and the digest up by name and hashes the padded key again on
// every call; the server MACs two proofs per connection under the one job
// token, so it keeps one of these for all of them.
class HmacSha256 {
 public:
  // Throws std::runtime_error when libcrypto cannot provide HMAC-SHA256.
  explicit HmacSha256(std::string_view key);
  ~HmacSha256();
  HmacSha256(HmacSha256&&) noexcept;
  HmacSha256& operator=(HmacSha256&&) noexcept;

  // Raw 32-byte MAC of `data`.
  std::string mac(std::string_view data);

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

// One-shot: raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view data);

// Compares in time that depends only on the lengths (CRYPTO_memcmp), so a
// peer cannot learn a proof byte by byte from response times.
bool equal_in_constant_time(std::string_view a, std::string_view b);

// What a proof binds besides the token, which `token_mac` holds.
struct ProofInput {
  std::string_view server_nonce;
  std::string_view client_nonce;
  std::string_view job_id;
  Role role = Role::kMember;
};
std::string server_proof(HmacSha256& token_mac, const ProofInput& input);
std::string client_proof(HmacSha256& token_mac, const ProofInput& input);

}  // namespace accel::rendezvous
