#include "rendezvous/hmac.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <stdexcept>

#include "rendezvous/wire.hpp"

namespace accel::rendezvous {

namespace {

[[noreturn]] void fail(const char* step) {
  throw std::runtime_error(std::string("HMAC-SHA256 in OpenSSL libcrypto failed: ") + step);
}

}  // namespace

struct HmacSha256::Context {
  struct Free {
    void operator()(EVP_MAC_CTX* context) const { EVP_MAC_CTX_free(context); }
  };
  std::unique_ptr<EVP_MAC_CTX, Free> keyed;
};

HmacSha256::HmacSha256(std::string_view key) : context_(std::make_unique<Context>()) {
  EVP_MAC* hmac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
  if (hmac == nullptr) fail("EVP_MAC_fetch(HMAC)");
  context_->keyed.reset(EVP_MAC_CTX_new(hmac));
  EVP_MAC_free(hmac);  // the context keeps its own reference
  if (!context_->keyed) fail("EVP_MAC_CTX_new");
  char digest[] = OSSL_DIGEST_NAME_SHA2_256;
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  // An empty key is legal (the launcher allows an empty token and warns);
  // a null pointer would mean "no new key", so it gets a valid one.
  static const unsigned char kNoKey = 0;
  const auto* key_bytes =
      key.empty() ? &kNoKey : reinterpret_cast<const unsigned char*>(key.data());
  if (EVP_MAC_init(context_->keyed.get(), key_bytes, key.size(), params) != 1) {
    fail("EVP_MAC_init");
  }
}

HmacSha256::~HmacSha256() = default;
HmacSha256::HmacSha256(HmacSha256&&) noexcept = default;
HmacSha256& HmacSha256::operator=(HmacSha256&&) noexcept = default;

std::string HmacSha256::mac(std::string_view data) {
  EVP_MAC_CTX* context = context_->keyed.get();
  // Without a key, init starts a new MAC under the key already set: its
  // padded inner and outer blocks are hashed once, in the constructor.
  if (EVP_MAC_init(context, nullptr, 0, nullptr) != 1) fail("EVP_MAC_init");
  if (EVP_MAC_update(context, reinterpret_cast<const unsigned char*>(data.data()), data.size()) !=
      1) {
    fail("EVP_MAC_update");
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  std::size_t length = 0;
  if (EVP_MAC_final(context, digest, &length, sizeof digest) != 1) fail("EVP_MAC_final");
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  return HmacSha256(key).mac(data);
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

std::string server_proof(HmacSha256& token_mac, const ProofInput& input) {
  return token_mac.mac(proof_message("accel-rdzv server", input));
}

std::string client_proof(HmacSha256& token_mac, const ProofInput& input) {
  return token_mac.mac(proof_message("accel-rdzv client", input));
}

}  // namespace accel::rendezvous
