#include "rendezvous/wire.hpp"

#include <string>

namespace accel::rendezvous {

namespace {

template <typename Unsigned>
void append_big_endian(std::string& bytes, Unsigned value) {
  for (int shift = static_cast<int>(sizeof(Unsigned) * 8) - 8; shift >= 0; shift -= 8) {
    bytes.push_back(static_cast<char>(static_cast<uint8_t>(value >> shift)));
  }
}

template <typename Unsigned>
Unsigned read_big_endian(std::string_view bytes) {
  Unsigned value = 0;
  for (const char byte : bytes) {
    value = static_cast<Unsigned>((value << 8) | static_cast<uint8_t>(byte));
  }
  return value;
}

}  // namespace

WireWriter& WireWriter::u8(uint8_t value) {
  bytes_.push_back(static_cast<char>(value));
  return *this;
}
WireWriter& WireWriter::u16(uint16_t value) {
  append_big_endian(bytes_, value);
  return *this;
}
WireWriter& WireWriter::u32(uint32_t value) {
  append_big_endian(bytes_, value);
  return *this;
}
WireWriter& WireWriter::i32(int32_t value) {
  append_big_endian(bytes_, static_cast<uint32_t>(value));
  return *this;
}
WireWriter& WireWriter::i64(int64_t value) {
  append_big_endian(bytes_, static_cast<uint64_t>(value));
  return *this;
}
WireWriter& WireWriter::str(std::string_view value) {
  u32(static_cast<uint32_t>(value.size()));
  bytes_.append(value);
  return *this;
}

std::string_view WireReader::take(std::size_t length, const char* field) {
  if (bytes_.size() - offset_ < length) {
    throw WireError(std::string("truncated message: ") + field + " needs " +
                    std::to_string(length) + " bytes, " + std::to_string(bytes_.size() - offset_) +
                    " left");
  }
  const std::string_view taken = bytes_.substr(offset_, length);
  offset_ += length;
  return taken;
}

uint8_t WireReader::u8(const char* field) {
  return read_big_endian<uint8_t>(take(1, field));
}
uint16_t WireReader::u16(const char* field) {
  return read_big_endian<uint16_t>(take(2, field));
}
uint32_t WireReader::u32(const char* field) {
  return read_big_endian<uint32_t>(take(4, field));
}
int32_t WireReader::i32(const char* field) {
  return static_cast<int32_t>(read_big_endian<uint32_t>(take(4, field)));
}
int64_t WireReader::i64(const char* field) {
  return static_cast<int64_t>(read_big_endian<uint64_t>(take(8, field)));
}

bool WireReader::boolean(const char* field) {
  const uint8_t value = u8(field);
  if (value > 1) {
    throw WireError(std::string(field) + " must be 0 or 1, not " + std::to_string(value));
  }
  return value == 1;
}

std::string WireReader::str(const char* field, std::size_t max_length) {
  const uint32_t length = u32(field);
  if (length > max_length) {
    throw WireError(std::string(field) + " is " + std::to_string(length) +
                    " bytes long, the limit is " + std::to_string(max_length));
  }
  return std::string(take(length, field));
}

uint32_t WireReader::count(const char* field, std::size_t min_item_bytes) {
  const uint32_t items = u32(field);
  const std::size_t left = bytes_.size() - offset_;
  if (min_item_bytes > 0 && items > left / min_item_bytes) {
    throw WireError(std::string(field) + " announces " + std::to_string(items) +
                    " items, more than the " + std::to_string(left) + " bytes left can hold");
  }
  return items;
}

void WireReader::finish(const char* message_name) const {
  if (offset_ != bytes_.size()) {
    throw WireError(std::string(message_name) + " has " + std::to_string(bytes_.size() - offset_) +
                    " unexpected trailing bytes");
  }
}

}  // namespace accel::rendezvous
