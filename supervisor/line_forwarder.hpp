// Forwarding one worker stream (its stdout or its stderr) to the console so
// that lines of several workers never mix: only whole units are written, and
// the event loop writes each batch completely before it serves another
// worker. A unit is a line ending in '\n', or a progress update ending in
// '\r' (tqdm redraws its bar with "\r..." and no newline; forwarding at each
// '\r' keeps the bar moving and usable). A partial unit is held until its
// terminator arrives, or written as is when it grows past kMaxHeld or the
// stream ends (then a '\n' is added, so the next worker's line starts clean).
//
// With a prefix ("[rank3]:"), every unit is written with the prefix in front
// (not a bare "\r", and not the '\n' of a "\r\n" split across reads).
// Without one, the bytes up to the last terminator of each read go out in
// one writev, untouched and uncopied: the fast path for big outputs.
//
// Not thread-safe; one per worker stream, used by the event loop.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace accel::supervisor {

// Where forwarded bytes go: the console fd in the launcher, a string in tests.
// A sink writes everything it is given or gives up on the stream for good.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual void write(std::span<iovec> parts) = 0;
};

class LineForwarder {
 public:
  static constexpr std::size_t kMaxHeld = 64 * 1024;
  // Prefixed units are gathered up to this size per write.
  static constexpr std::size_t kMaxBatch = 1024 * 1024;

  // `sink` must outlive the forwarder. Empty prefix: no prefix.
  LineForwarder(std::string prefix, ByteSink& sink);

  void forward(std::string_view data);
  // The stream ended: write what is held, ending it with '\n'.
  void finish();

 private:
  void forward_prefixed(std::string_view data);
  void append_unit(std::string_view unit);
  void flush_batch();

  std::string prefix_;
  ByteSink& sink_;
  std::string held_;       // the partial unit since the last terminator
  std::string batch_;      // prefixed units waiting for one write
  bool after_cr_ = false;  // the last unit written ended in '\r'
};

}  // namespace accel::supervisor
