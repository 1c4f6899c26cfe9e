// The first bytes on every connection of a TCP group (tcp_mesh.hpp): who is
// calling, for which job and which group, and proof that the caller knows
// the job's token. Members meet through the job's store: each publishes an
// address record (its endpoint and a fresh random nonce); a member connects
// to the ones below it and sends a hello; the accepting member checks it
// against what it expects (this job, this group's key prefix, a member that
// is due to connect and whose global rank matches, a valid proof) and
// answers with its own, which the caller checks in turn.
//
// Proofs are HMAC-SHA256 under the job token (ACCEL_JOB_TOKEN), like the
// rendezvous's (docs/protocol.md): the caller's binds its hello and the
// accepting member's nonce, so a hello is good for that listener of that
// set-up only; the answer's binds the answer and the caller's random
// challenge, so a process squatting on a member's port cannot pass as it.
// The token itself never travels. A job without a token (no
// --rdzv_token on several machines) still checks everything but the
// secret: anyone can compute a proof under the empty key.
// Anything else -- a stray client, a port scanner, a worker of another job
// or of an earlier restart attempt -- is dropped without an answer.
//
// Hello layout (big-endian): magic "ACTG", u16 version, u32 member index,
// u32 global rank, u16 job id length, u16 key prefix length, 16-byte
// challenge, the two strings, 32-byte proof.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/tcp_socket.hpp"

namespace accel::runtime_detail {

inline constexpr std::size_t kChallengeBytes = 16;  // also the size of an address nonce
inline constexpr std::size_t kProofBytes = 32;

struct TcpHello {
  std::string job_id;
  std::string key_prefix;
  int member = 0;       // index in the group
  int global_rank = 0;  // RANK of that member
  // kChallengeBytes: random in a caller's hello, zeros in an answer.
  std::string challenge = std::string(kChallengeBytes, '\0');
  std::string proof = std::string(kProofBytes, '\0');  // kProofBytes

  bool operator==(const TcpHello&) const = default;
};

// Longest job id or key prefix a hello carries; longer ones are refused
// when encoding and treated as garbage when decoding.
inline constexpr std::size_t kMaxHelloField = 1024;

std::string encode_hello(const TcpHello& hello);

struct HelloParse {
  enum class Status { kIncomplete, kMalformed, kComplete } status = Status::kIncomplete;
  TcpHello hello;           // when complete
  std::size_t length = 0;   // bytes the hello took, when complete
  std::size_t missing = 0;  // bytes still to read, when incomplete (never over-read a stream)
};
// Reads a hello from the start of `bytes` received so far.
HelloParse parse_hello(std::string_view bytes);

// The proof of a caller's hello to the member that published
// `accepter_nonce`, and of the answer to a caller that sent `challenge`.
// The hellos' own proof fields are not part of what is MACed.
std::string caller_proof(std::string_view token, const TcpHello& hello,
                         std::string_view accepter_nonce);
std::string answer_proof(std::string_view token, const TcpHello& answer,
                         std::string_view challenge);
// Whether `hello` carries the proof above (compared in constant time).
bool has_caller_proof(std::string_view token, const TcpHello& hello,
                      std::string_view accepter_nonce);
bool has_answer_proof(std::string_view token, const TcpHello& answer, std::string_view challenge);

// What a member publishes in the store: where it listens and the nonce its
// callers' proofs bind. Text: "<endpoint> <nonce in hex>".
struct AddressRecord {
  Endpoint endpoint;
  std::string nonce;  // kChallengeBytes raw bytes
};
std::string encode_address_record(const AddressRecord& record);
std::optional<AddressRecord> parse_address_record(const std::string& text);

}  // namespace accel::runtime_detail
