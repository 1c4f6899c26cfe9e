#include "config/wizard/keys.hpp"

namespace accel::config::wizard {

namespace {

constexpr unsigned char kCtrlC = 0x03;
constexpr unsigned char kCtrlD = 0x04;
constexpr unsigned char kCtrlH = 0x08;
constexpr unsigned char kCtrlU = 0x15;
constexpr unsigned char kEscape = 0x1b;
constexpr unsigned char kDelete = 0x7f;

Key key(Key::Kind kind) {
  return Key{kind, 0};
}

// After ESC: CSI ("ESC [") or SS3 ("ESC O") sequences. Arrow keys are
// "ESC [ A" / "ESC O A" (the latter in application cursor mode); longer CSI
// sequences ("ESC [ 1 ; 5 A", "ESC [ 3 ~") end at the first byte in 0x40-0x7e.
Key decode_escape(ByteSource& source) {
  const std::optional<unsigned char> introducer = source.next(false);
  if (!introducer || (*introducer != '[' && *introducer != 'O')) return key(Key::Kind::kIgnored);
  bool only_final_byte = true;
  // Real sequences are a few bytes; the bound keeps a stream of garbage from
  // holding us here.
  for (int length = 0; length < 16; ++length) {
    const std::optional<unsigned char> byte = source.next(false);
    if (!byte) return key(Key::Kind::kIgnored);
    if (*byte >= 0x40 && *byte <= 0x7e) {
      if (only_final_byte && *byte == 'A') return key(Key::Kind::kUp);
      if (only_final_byte && *byte == 'B') return key(Key::Kind::kDown);
      return key(Key::Kind::kIgnored);
    }
    only_final_byte = false;
  }
  return key(Key::Kind::kIgnored);
}

}  // namespace

Key decode_key(ByteSource& source) {
  const unsigned char byte = *source.next(true);
  switch (byte) {
    case '\r':
    case '\n': return key(Key::Kind::kEnter);
    case kCtrlC: return key(Key::Kind::kInterrupt);
    case kCtrlD: return key(Key::Kind::kEndOfInput);
    case kCtrlH:
    case kDelete: return key(Key::Kind::kBackspace);
    case kCtrlU: return key(Key::Kind::kClearLine);
    case kEscape: return decode_escape(source);
    default: break;
  }
  if (byte < 0x20) return key(Key::Kind::kIgnored);
  return Key{Key::Kind::kText, static_cast<char>(byte)};
}

}  // namespace accel::config::wizard
