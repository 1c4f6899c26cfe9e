// The field encoding inside a frame's payload (docs/protocol.md): unsigned
// and signed integers big-endian in fixed widths, strings as a u32 length
// then the bytes. WireReader checks every read against what is left and
// throws WireError naming the field, so a malformed payload from the network
// is an error with a message, never an out-of-bounds read. finish() rejects
// trailing bytes. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace accel::rendezvous {

class WireError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class WireWriter {
 public:
  WireWriter& u8(uint8_t value);
  WireWriter& u16(uint16_t value);
  WireWriter& u32(uint32_t value);
  WireWriter& i32(int32_t value);
  WireWriter& i64(int64_t value);
  WireWriter& boolean(bool value) { return u8(value ? 1 : 0); }
  WireWriter& str(std::string_view value);
  std::string take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

class WireReader {
 public:
  explicit WireReader(std::string_view bytes) : bytes_(bytes) {}

  // `field` names what is read, for the error message.
  uint8_t u8(const char* field);
  uint16_t u16(const char* field);
  uint32_t u32(const char* field);
  int32_t i32(const char* field);
  int64_t i64(const char* field);
  bool boolean(const char* field);
  std::string str(const char* field, std::size_t max_length);
  // A count of items that follow, each at least `min_item_bytes` long: a
  // count that cannot fit in what is left is refused before anything is
  // reserved for it.
  uint32_t count(const char* field, std::size_t min_item_bytes);
  // Throws unless every byte was read.
  void finish(const char* message_name) const;

 private:
  std::string_view take(std::size_t length, const char* field);

  std::string_view bytes_;
  std::size_t offset_ = 0;
};

}  // namespace accel::rendezvous
