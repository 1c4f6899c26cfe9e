// The first bytes on every connection of a TCP group (tcp_mesh.hpp): who is
// calling, for which job and which group. The connecting member sends its
// hello; the accepting member checks it against what it expects (this job,
// this group's key prefix, a member that is due to connect and whose global
// rank matches) and answers with its own, which the caller checks in turn.
// Anything else -- a stray client, a port scanner, a worker of another job
// or of an earlier restart attempt -- is dropped without an answer.
//
// Layout (big-endian): magic "ACTG", u16 version, u32 member index, u32
// global rank, u16 job id length, u16 key prefix length, the two strings.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace accel::runtime_detail {

struct TcpHello {
  std::string job_id;
  std::string key_prefix;
  int member = 0;       // index in the group
  int global_rank = 0;  // RANK of that member

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

}  // namespace accel::runtime_detail
