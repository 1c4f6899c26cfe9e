// Whole-line forwarding on buffers: units, held partial lines, prefixes, '\r'.
#include <catch2/catch.hpp>
#include <string>

#include "supervisor/line_forwarder.hpp"

using accel::supervisor::ByteSink;
using accel::supervisor::LineForwarder;

namespace {

// Records each write() as one string, so tests see what went out together.
class RecordingSink : public ByteSink {
 public:
  void write(std::span<iovec> parts) override {
    std::string joined;
    for (const iovec& part : parts)
      joined.append(static_cast<const char*>(part.iov_base), part.iov_len);
    if (!joined.empty()) writes.push_back(joined);
  }
  std::string all() const {
    std::string out;
    for (const auto& w : writes) out += w;
    return out;
  }
  std::vector<std::string> writes;
};

}  // namespace

TEST_CASE("forwarder: complete lines go out, a partial line waits", "[supervisor][output]") {
  RecordingSink sink;
  LineForwarder forwarder("", sink);
  forwarder.forward("one\ntwo\nthr");
  REQUIRE(sink.writes == std::vector<std::string>{"one\ntwo\n"});
  forwarder.forward("ee\nfo");
  CHECK(sink.writes.back() == "three\n");
  forwarder.finish();
  CHECK(sink.writes.back() == "fo\n");  // the stream ended: the line is closed
  CHECK(sink.all() == "one\ntwo\nthree\nfo\n");
}

TEST_CASE("forwarder: nothing is written for data without a terminator", "[supervisor][output]") {
  RecordingSink sink;
  LineForwarder forwarder("", sink);
  forwarder.forward("abc");
  forwarder.forward("def");
  CHECK(sink.writes.empty());
  forwarder.forward("\n");
  CHECK(sink.writes == std::vector<std::string>{"abcdef\n"});
}

TEST_CASE("forwarder: a carriage return ends a unit (progress bars)", "[supervisor][output]") {
  RecordingSink sink;
  LineForwarder forwarder("", sink);
  forwarder.forward("\r 10%|#");
  CHECK(sink.all() == "\r");
  forwarder.forward("#  \r 20%|###");
  CHECK(sink.all() == "\r 10%|##  \r");
}

TEST_CASE("forwarder: prefixes every line", "[supervisor][output]") {
  RecordingSink sink;
  LineForwarder forwarder("[rank3]:", sink);
  forwarder.forward("a\nb\nc");
  CHECK(sink.all() == "[rank3]:a\n[rank3]:b\n");
  forwarder.forward("d\n\n");
  CHECK(sink.all() == "[rank3]:a\n[rank3]:b\n[rank3]:cd\n[rank3]:\n");
  forwarder.finish();
  CHECK(sink.all() == "[rank3]:a\n[rank3]:b\n[rank3]:cd\n[rank3]:\n");
}

TEST_CASE("forwarder: prefixed progress updates stay usable", "[supervisor][output]") {
  RecordingSink sink;
  LineForwarder forwarder("[rank0]:", sink);
  forwarder.forward("\r 10%\r 20%\r 30%\n");
  CHECK(sink.all() == "\r[rank0]: 10%\r[rank0]: 20%\r[rank0]: 30%\n");
}

TEST_CASE("forwarder: CRLF is one line end, even split across reads", "[supervisor][output]") {
  RecordingSink sink;
  LineForwarder forwarder("[rank1]:", sink);
  forwarder.forward("dos\r\nline\r");
  forwarder.forward("\nnext\n");
  CHECK(sink.all() == "[rank1]:dos\r\n[rank1]:line\r\n[rank1]:next\n");
}

TEST_CASE("forwarder: a huge line is flushed in pieces to bound memory", "[supervisor][output]") {
  RecordingSink sink;
  LineForwarder forwarder("", sink);
  std::string chunk(LineForwarder::kMaxHeld / 2, 'x');
  forwarder.forward(chunk);
  CHECK(sink.writes.empty());
  forwarder.forward(chunk);
  REQUIRE(sink.writes.size() == 1);
  CHECK(sink.writes[0].size() == LineForwarder::kMaxHeld);
}

TEST_CASE("forwarder: a big read of many lines is one write", "[supervisor][output]") {
  RecordingSink plain_sink;
  RecordingSink prefixed_sink;
  LineForwarder plain("", plain_sink);
  LineForwarder prefixed("[rank0]:", prefixed_sink);
  std::string lines;
  for (int i = 0; i < 1000; ++i) lines += "line " + std::to_string(i) + "\n";
  plain.forward(lines);
  prefixed.forward(lines);
  CHECK(plain_sink.writes.size() == 1);
  CHECK(plain_sink.all() == lines);
  CHECK(prefixed_sink.writes.size() == 1);
  CHECK(prefixed_sink.all().size() == lines.size() + 1000 * std::string("[rank0]:").size());
}
