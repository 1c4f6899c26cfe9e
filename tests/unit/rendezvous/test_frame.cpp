// Frames: any split of the byte stream gives the same payloads; a length over
// the limit breaks the stream before its payload is buffered.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "rendezvous/frame.hpp"

using namespace accel::rendezvous;

namespace {

std::vector<std::string> decode_all(FrameDecoder& decoder) {
  std::vector<std::string> payloads;
  while (auto payload = decoder.next()) payloads.push_back(*payload);
  return payloads;
}

}  // namespace

TEST_CASE("frame: the header is the payload length, big-endian", "[rendezvous][frame]") {
  const std::string frame = encode_frame("abc");
  REQUIRE(frame.size() == 7);
  CHECK(frame.substr(0, 4) == std::string("\0\0\0\3", 4));
  CHECK(frame.substr(4) == "abc");
}

TEST_CASE("frame: split at every byte, the frames come out whole", "[rendezvous][frame]") {
  const std::vector<std::string> payloads = {"first", "", std::string(300, 'x'), "last"};
  std::string stream;
  for (const std::string& payload : payloads) stream += encode_frame(payload);
  for (std::size_t split = 0; split <= stream.size(); ++split) {
    FrameDecoder decoder;
    decoder.append(std::string_view(stream).substr(0, split));
    std::vector<std::string> got = decode_all(decoder);
    decoder.append(std::string_view(stream).substr(split));
    for (std::string& payload : decode_all(decoder)) got.push_back(payload);
    INFO("split at " << split);
    CHECK(got == payloads);
    CHECK_FALSE(decoder.mid_frame());
  }
}

TEST_CASE("frame: one byte at a time", "[rendezvous][frame]") {
  const std::string stream = encode_frame("hello") + encode_frame("world");
  FrameDecoder decoder;
  std::vector<std::string> got;
  for (const char byte : stream) {
    decoder.append(std::string_view(&byte, 1));
    for (std::string& payload : decode_all(decoder)) got.push_back(payload);
  }
  CHECK(got == std::vector<std::string>{"hello", "world"});
}

TEST_CASE("frame: mid_frame says a frame has started but not finished", "[rendezvous][frame]") {
  FrameDecoder decoder;
  CHECK_FALSE(decoder.mid_frame());
  decoder.append(std::string("\0\0", 2));
  CHECK(decoder.mid_frame());
  decoder.append(std::string("\0\1x", 3));
  CHECK(decoder.next() == std::optional<std::string>("x"));
  CHECK_FALSE(decoder.mid_frame());
}

TEST_CASE("frame: an oversized length breaks the stream at once", "[rendezvous][frame]") {
  FrameDecoder decoder(1024);
  decoder.append(std::string("\x7f\xff\xff\xff", 4));
  CHECK(decoder.broken());
  CHECK(decoder.error() == "frame of 2147483647 bytes announced, the limit is 1024");
  CHECK(decoder.buffered_bytes() == 0);
  decoder.append(encode_frame("ok"));
  CHECK_FALSE(decoder.next());
}

TEST_CASE("frame: an oversized frame behind a good one", "[rendezvous][frame]") {
  FrameDecoder decoder(16);
  decoder.append(encode_frame("fine") + encode_frame(std::string(17, 'y')));
  CHECK(decoder.next() == std::optional<std::string>("fine"));
  CHECK_FALSE(decoder.next());
  CHECK(decoder.broken());
}

TEST_CASE("frame: garbage is read as lengths, and a huge one breaks the stream",
          "[rendezvous][frame]") {
  FrameDecoder decoder;
  decoder.append("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK_FALSE(decoder.next());
  CHECK(decoder.broken());  // "GET " is 0x47455420, far above the limit
}
