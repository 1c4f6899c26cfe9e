// Keys of a terminal in raw mode, decoded from the bytes it sends. Pure logic
// over a byte source, so escape sequences are tested without a terminal.
#pragma once

#include <optional>

namespace accel::config::wizard {

struct Key {
  enum class Kind {
    kText,  // a printable byte (UTF-8 bytes pass through one by one)
    kUp,
    kDown,
    kEnter,
    kBackspace,
    kClearLine,   // Ctrl-U
    kEndOfInput,  // Ctrl-D
    kInterrupt,   // Ctrl-C (raw mode turns it into a byte instead of SIGINT)
    kIgnored,     // other control keys and escape sequences (←, →, F1, ...)
  };
  Kind kind = Kind::kIgnored;
  char text = 0;  // for kText
};

// Where decode_key gets bytes from. `next(wait)`: the next byte; when `wait`
// is false it may return nullopt if none arrives promptly (a lone Escape key
// is told apart from the start of an arrow-key sequence that way).
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual std::optional<unsigned char> next(bool wait) = 0;
};

// Reads one key. With `wait` true the source must always return a byte (it
// reports end of input by throwing).
Key decode_key(ByteSource& source);

}  // namespace accel::config::wizard
