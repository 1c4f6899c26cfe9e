#include "runtime/tcp_handshake.hpp"

#include <stdexcept>

namespace accel::runtime_detail {

namespace {

constexpr std::string_view kMagic = "ACTG";
constexpr std::uint16_t kVersion = 1;
constexpr std::size_t kFixedLength = 4 + 2 + 4 + 4 + 2 + 2;

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

}  // namespace

std::string encode_hello(const TcpHello& hello) {
  if (hello.job_id.size() > kMaxHelloField || hello.key_prefix.size() > kMaxHelloField) {
    throw std::invalid_argument("TCP collectives: job id or key prefix longer than " +
                                std::to_string(kMaxHelloField) + " bytes");
  }
  std::string out(kMagic);
  put(out, kVersion, 2);
  put(out, static_cast<std::uint32_t>(hello.member), 4);
  put(out, static_cast<std::uint32_t>(hello.global_rank), 4);
  put(out, hello.job_id.size(), 2);
  put(out, hello.key_prefix.size(), 2);
  out += hello.job_id;
  out += hello.key_prefix;
  return out;
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
  const std::size_t total = kFixedLength + job_length + prefix_length;
  if (bytes.size() < total) {
    parse.missing = total - bytes.size();
    return parse;
  }
  parse.status = HelloParse::Status::kComplete;
  parse.hello.member = static_cast<int>(get(bytes, 6, 4));
  parse.hello.global_rank = static_cast<int>(get(bytes, 10, 4));
  parse.hello.job_id = std::string(bytes.substr(kFixedLength, job_length));
  parse.hello.key_prefix = std::string(bytes.substr(kFixedLength + job_length, prefix_length));
  parse.length = total;
  return parse;
}

}  // namespace accel::runtime_detail
