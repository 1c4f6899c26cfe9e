#include "rendezvous/hmac.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

#include "rendezvous/wire.hpp"

namespace accel::rendezvous {

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  // An empty key is legal (the launcher allows an empty token and warns);
  // HMAC() wants a non-null pointer for it all the same.
  static const unsigned char kNoKey = 0;
  const void* key_bytes = key.empty() ? static_cast<const void*>(&kNoKey) : key.data();
  if (HMAC(EVP_sha256(), key_bytes, static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest,
           &digest_length) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed in OpenSSL libcrypto");
  }
  return std::string(reinterpret_cast<const char*>(digest), digest_length);
}

bool equal_in_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

namespace {

// Length-prefixed fields, so no two different inputs give the same bytes.
std::string proof_message(std::string_view label, const ProofInput& input) {
  WireWriter out;
  out.str(label).str(input.server_nonce).str(input.client_nonce).str(input.job_id);
  out.u8(static_cast<uint8_t>(input.role));
  return out.take();
}

}  // namespace

std::string server_proof(const ProofInput& input) {
  return hmac_sha256(input.token, proof_message("accel-rdzv server", input));
}

std::string client_proof(const ProofInput& input) {
  return hmac_sha256(input.token, proof_message("accel-rdzv client", input));
}

}  // namespace accel::rendezvous
