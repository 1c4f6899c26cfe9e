// Frames and messages from arbitrary bytes, split arbitrarily. Properties:
// nothing crashes or reads out of bounds; a payload that decodes re-encodes
// to exactly the same bytes (decode accepts only what encode produces); a
// stream split differently decodes to the same payloads.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "rendezvous/frame.hpp"
#include "rendezvous/messages.hpp"

using namespace accel::rendezvous;

namespace {

std::vector<std::string> decode_in_chunks(std::string_view stream, std::size_t chunk) {
  FrameDecoder decoder(4096);
  std::vector<std::string> payloads;
  for (std::size_t offset = 0; offset < stream.size(); offset += chunk) {
    decoder.append(stream.substr(offset, chunk));
    while (auto payload = decoder.next()) payloads.push_back(std::move(*payload));
  }
  return payloads;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 64;
  const std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);

  const std::vector<std::string> payloads = decode_in_chunks(stream, chunk);
  if (decode_in_chunks(stream, stream.size() + 1) != payloads) std::abort();

  for (const std::string& payload : payloads) {
    try {
      const Message message = decode(payload);
      if (encode(message) != payload) std::abort();
    } catch (const WireError&) {
      // Refused with a message: what must happen to malformed input.
    }
  }
  // The payload bytes as a message directly too (no framing needed).
  try {
    const Message message = decode(stream);
    if (encode(message) != stream) std::abort();
  } catch (const WireError&) {
  }
  return 0;
}
