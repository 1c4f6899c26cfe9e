// Frames on a rendezvous connection: a 4-byte big-endian payload length, then
// the payload (docs/protocol.md). FrameDecoder reassembles frames from bytes
// as they arrive in any split; a length above the limit breaks the stream
// for good, before any of that payload is buffered, so a peer cannot make us
// allocate more than it has actually sent (and never more than one frame).
// Not thread-safe; one decoder per connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace accel::rendezvous {

inline constexpr std::size_t kFrameHeaderBytes = 4;
// Large enough for any store value the runtime exchanges (NCCL ids, peer
// address tables of thousands of ranks), small enough that one connection
// cannot hold much memory.
inline constexpr std::size_t kMaxFramePayload = 1024 * 1024;

// The frame that carries `payload`: header + payload.
std::string encode_frame(std::string_view payload);

class FrameDecoder {
 public:
  explicit FrameDecoder(std::size_t max_payload = kMaxFramePayload) : max_payload_(max_payload) {}

  // Adds bytes received from the peer. Ignored once broken().
  void append(std::string_view bytes);

  // The payload of the next complete frame, or nullopt when none is complete
  // yet (or the stream is broken).
  std::optional<std::string> next();

  // The peer announced a payload above the limit; nothing more is decoded.
  bool broken() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

  // Bytes of a frame not yet complete are buffered: the peer is mid-frame,
  // which is what a per-frame read deadline measures.
  bool mid_frame() const { return buffer_.size() > consumed_; }
  std::size_t buffered_bytes() const { return buffer_.size() - consumed_; }

 private:
  void check_header();
  void release_buffer();

  std::size_t max_payload_;
  std::string buffer_;        // received bytes; [0, consumed_) already returned
  std::size_t consumed_ = 0;  // dropped lazily, so next() in a loop stays linear
  std::string error_;
};

}  // namespace accel::rendezvous
