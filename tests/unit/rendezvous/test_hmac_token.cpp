// HMAC-SHA256 against RFC 4231's known answers; proofs bind the token, both
// nonces, the job id and the role; tokens are fresh hex.
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "rendezvous/hmac.hpp"
#include "rendezvous/token.hpp"

using namespace accel::rendezvous;

TEST_CASE("hmac: RFC 4231 test cases 1 and 2", "[rendezvous][hmac]") {
  CHECK(to_hex(hmac_sha256(std::string(20, '\x0b'), "Hi There")) ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("hmac: an empty key is allowed", "[rendezvous][hmac]") {
  CHECK(to_hex(hmac_sha256("", "")) ==
        "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST_CASE("hmac: one keyed context gives the one-shot MAC, call after call", "[rendezvous][hmac]") {
  HmacSha256 jefe("Jefe");
  for (int round = 0; round < 3; ++round) {
    CHECK(to_hex(jefe.mac("what do ya want for nothing?")) ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    CHECK(jefe.mac("another message") == hmac_sha256("Jefe", "another message"));
  }
  HmacSha256 empty("");
  CHECK(to_hex(empty.mac("")) ==
        "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  HmacSha256 moved = std::move(jefe);
  CHECK(moved.mac("x") == hmac_sha256("Jefe", "x"));
}

TEST_CASE("hmac: proofs differ by side, token, nonce, job and role", "[rendezvous][hmac]") {
  const std::string nonce_a(32, 'a'), nonce_b(32, 'b');
  HmacSha256 token("token");
  const ProofInput base{nonce_a, nonce_b, "job", Role::kMember};
  const std::string proof = client_proof(token, base);
  CHECK(proof.size() == kProofBytes);
  CHECK(client_proof(token, base) == proof);
  CHECK(server_proof(token, base) != proof);
  HmacSha256 other_token("tokem");
  CHECK(client_proof(other_token, base) != proof);
  ProofInput other = base;
  other.server_nonce = nonce_b;
  CHECK(client_proof(token, other) != proof);
  other = base;
  other.job_id = "job2";
  CHECK(client_proof(token, other) != proof);
  other = base;
  other.role = Role::kStore;
  CHECK(client_proof(token, other) != proof);
}

TEST_CASE("hmac: constant-time comparison", "[rendezvous][hmac]") {
  CHECK(equal_in_constant_time("abc", "abc"));
  CHECK_FALSE(equal_in_constant_time("abc", "abd"));
  CHECK_FALSE(equal_in_constant_time("abc", "ab"));
  CHECK(equal_in_constant_time("", ""));
}

TEST_CASE("token: 64 hex digits, different every time", "[rendezvous][token]") {
  std::set<std::string> tokens;
  for (int i = 0; i < 20; ++i) {
    const std::string token = generate_token();
    CHECK(token.size() == 64);
    CHECK(token.find_first_not_of("0123456789abcdef") == std::string::npos);
    tokens.insert(token);
  }
  CHECK(tokens.size() == 20);
  CHECK(to_hex(std::string("\x00\xff\x10", 3)) == "00ff10");
}

TEST_CASE("from_hex: to_hex's inverse, and nothing for odd lengths or other characters",
          "[rendezvous][token]") {
  const std::string bytes("\x00\xff\x10\x7f", 4);
  CHECK(from_hex(to_hex(bytes)) == bytes);
  CHECK(from_hex("") == std::string());
  CHECK_FALSE(from_hex("abc").has_value());
  CHECK_FALSE(from_hex("0g").has_value());
  CHECK_FALSE(from_hex("FF").has_value());  // to_hex writes lowercase only
}
