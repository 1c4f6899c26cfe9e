#include "rendezvous/frame.hpp"

#include <string>

namespace accel::rendezvous {

namespace {

uint32_t read_big_endian_u32(const char* bytes) {
  const auto byte = [bytes](int i) {
    return static_cast<uint32_t>(static_cast<uint8_t>(bytes[i]));
  };
  return (byte(0) << 24) | (byte(1) << 16) | (byte(2) << 8) | byte(3);
}

}  // namespace

std::string encode_frame(std::string_view payload) {
  const auto length = static_cast<uint32_t>(payload.size());
  std::string frame;
  frame.reserve(kFrameHeaderBytes + payload.size());
  frame.push_back(static_cast<char>(length >> 24));
  frame.push_back(static_cast<char>(length >> 16));
  frame.push_back(static_cast<char>(length >> 8));
  frame.push_back(static_cast<char>(length));
  frame.append(payload);
  return frame;
}

void FrameDecoder::append(std::string_view bytes) {
  if (broken()) return;
  if (consumed_ > 0) {  // drop what next() returned before growing the buffer
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  buffer_.append(bytes);
  check_header();
}

// Refuses an oversized length as soon as its 4 bytes are in, so the payload
// is never buffered.
void FrameDecoder::check_header() {
  if (buffer_.size() - consumed_ < kFrameHeaderBytes) return;
  const uint32_t length = read_big_endian_u32(buffer_.data() + consumed_);
  if (length > max_payload_) {
    error_ = "frame of " + std::to_string(length) + " bytes announced, the limit is " +
             std::to_string(max_payload_);
    release_buffer();
  }
}

// An idle connection keeps no memory from its largest frame: thousands of
// them may sit between requests.
void FrameDecoder::release_buffer() {
  constexpr std::size_t kKeptCapacity = 4096;
  buffer_.clear();
  if (buffer_.capacity() > kKeptCapacity) buffer_.shrink_to_fit();
  consumed_ = 0;
}

std::optional<std::string> FrameDecoder::next() {
  if (broken()) return std::nullopt;
  const std::size_t available = buffer_.size() - consumed_;
  if (available < kFrameHeaderBytes) {
    if (available == 0) release_buffer();
    return std::nullopt;
  }
  const uint32_t length = read_big_endian_u32(buffer_.data() + consumed_);
  if (available - kFrameHeaderBytes < length) return std::nullopt;
  std::string payload = buffer_.substr(consumed_ + kFrameHeaderBytes, length);
  consumed_ += kFrameHeaderBytes + length;
  if (consumed_ == buffer_.size()) {
    release_buffer();
  } else {
    check_header();  // the next frame's header may already be complete
  }
  return payload;
}

}  // namespace accel::rendezvous
