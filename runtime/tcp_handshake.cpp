#include "runtime/tcp_handshake.hpp"

#include <stdexcept>

#include "rendezvous/hmac.hpp"
#include "rendezvous/token.hpp"

namespace accel::runtime_detail {

namespace {

constexpr std::string_view kMagic = "ACTG";
// 2: challenge and proof (the job token); 1 had neither.
constexpr std::uint16_t kVersion = 2;
constexpr std::size_t kFixedLength = 4 + 2 + 4 + 4 + 2 + 2 + kChallengeBytes;
// Each proof's own label, so neither can be replayed as the other.
constexpr std::string_view kCallerLabel = "accel-tcp caller";
constexpr std::string_view kAnswerLabel = "accel-tcp answer";

void put(std::string& out, std::uint64_t value, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xFFU));
  }
}

std::uint64_t get(std::string_view bytes, std::size_t offset, int length) {
  std::uint64_t value = 0;
  for (int i = 0; i < length; ++i) {
    value = (value << 8) | static_cast<unsigned char>(bytes[offset + static_cast<std::size_t>(i)]);
  }
  return value;
}

// The hello without its proof: what the proofs bind.
std::string encode_signed_part(const TcpHello& hello) {
  if (hello.job_id.size() > kMaxHelloField || hello.key_prefix.size() > kMaxHelloField) {
    throw std::invalid_argument("TCP collectives: job id or key prefix longer than " +
                                std::to_string(kMaxHelloField) + " bytes");
  }
  if (hello.challenge.size() != kChallengeBytes || hello.proof.size() != kProofBytes) {
    throw std::invalid_argument("TCP collectives: a hello's challenge or proof has the wrong size");
  }
  std::string out(kMagic);
  put(out, kVersion, 2);
  put(out, static_cast<std::uint32_t>(hello.member), 4);
  put(out, static_cast<std::uint32_t>(hello.global_rank), 4);
  put(out, hello.job_id.size(), 2);
  put(out, hello.key_prefix.size(), 2);
  out += hello.challenge;
  out += hello.job_id;
  out += hello.key_prefix;
  return out;
}

std::string proof_of(std::string_view token, std::string_view label, const TcpHello& hello,
                     std::string_view nonce) {
  std::string data(label);
  data.push_back('\0');
  data += encode_signed_part(hello);
  data += nonce;
  return rendezvous::hmac_sha256(token, data);
}

}  // namespace

std::string encode_hello(const TcpHello& hello) {
  return encode_signed_part(hello) + hello.proof;
}

HelloParse parse_hello(std::string_view bytes) {
  HelloParse parse;
  // A wrong magic is garbage as soon as its bytes arrive.
  const std::size_t magic_seen = std::min(bytes.size(), kMagic.size());
  if (bytes.substr(0, magic_seen) != kMagic.substr(0, magic_seen)) {
    parse.status = HelloParse::Status::kMalformed;
    return parse;
  }
  if (bytes.size() < kFixedLength) {
    parse.missing = kFixedLength - bytes.size();
    return parse;
  }
  const auto job_length = static_cast<std::size_t>(get(bytes, 14, 2));
  const auto prefix_length = static_cast<std::size_t>(get(bytes, 16, 2));
  if (get(bytes, 4, 2) != kVersion || job_length > kMaxHelloField ||
      prefix_length > kMaxHelloField || get(bytes, 6, 4) > 0x7FFFFFFFU ||
      get(bytes, 10, 4) > 0x7FFFFFFFU) {
    parse.status = HelloParse::Status::kMalformed;
    return parse;
  }
  const std::size_t total = kFixedLength + job_length + prefix_length + kProofBytes;
  if (bytes.size() < total) {
    parse.missing = total - bytes.size();
    return parse;
  }
  parse.status = HelloParse::Status::kComplete;
  parse.hello.member = static_cast<int>(get(bytes, 6, 4));
  parse.hello.global_rank = static_cast<int>(get(bytes, 10, 4));
  parse.hello.challenge = std::string(bytes.substr(18, kChallengeBytes));
  parse.hello.job_id = std::string(bytes.substr(kFixedLength, job_length));
  parse.hello.key_prefix = std::string(bytes.substr(kFixedLength + job_length, prefix_length));
  parse.hello.proof = std::string(bytes.substr(total - kProofBytes, kProofBytes));
  parse.length = total;
  return parse;
}

std::string caller_proof(std::string_view token, const TcpHello& hello,
                         std::string_view accepter_nonce) {
  return proof_of(token, kCallerLabel, hello, accepter_nonce);
}

std::string answer_proof(std::string_view token, const TcpHello& answer,
                         std::string_view challenge) {
  return proof_of(token, kAnswerLabel, answer, challenge);
}

bool has_caller_proof(std::string_view token, const TcpHello& hello,
                      std::string_view accepter_nonce) {
  return rendezvous::equal_in_constant_time(hello.proof,
                                            caller_proof(token, hello, accepter_nonce));
}

bool has_answer_proof(std::string_view token, const TcpHello& answer, std::string_view challenge) {
  return rendezvous::equal_in_constant_time(answer.proof, answer_proof(token, answer, challenge));
}

std::string encode_address_record(const AddressRecord& record) {
  return record.endpoint.text() + " " + rendezvous::to_hex(record.nonce);
}

std::optional<AddressRecord> parse_address_record(const std::string& text) {
  const std::size_t space = text.rfind(' ');
  if (space == std::string::npos || text.size() - space - 1 != 2 * kChallengeBytes) {
    return std::nullopt;
  }
  std::optional<Endpoint> endpoint = parse_endpoint(text.substr(0, space));
  if (!endpoint) return std::nullopt;
  std::optional<std::string> nonce = rendezvous::from_hex(std::string_view(text).substr(space + 1));
  if (!nonce) return std::nullopt;
  return AddressRecord{*endpoint, std::move(*nonce)};
}

}  // namespace accel::runtime_detail
