#include "launch/waiting_line.hpp"

#include <cstddef>

namespace accel::launch {

std::string describe_missing(const rendezvous::WaitingStatus& status) {
  std::string out = status.missing_count == 1 ? "machine " : "machines ";
  for (std::size_t i = 0; i < status.missing.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(status.missing[i]);
  }
  const int unlisted = status.missing_count - static_cast<int>(status.missing.size());
  if (unlisted > 0) out += " and " + std::to_string(unlisted) + " more";
  return out + " of " + std::to_string(status.member_count);
}

void WaitingLine::show(const rendezvous::WaitingStatus& status,
                       std::chrono::steady_clock::time_point now) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(status.elapsed).count();
  const std::string text = "accel launch: waiting for " + describe_missing(status) + " \u2014 " +
                           std::to_string(seconds) + " s";
  if (terminal_) {
    // \r and erase-to-end-of-line: one line, rewritten in place.
    out_ << "\r" << text << "\x1b[K" << std::flush;
    live_line_shown_ = true;
    return;
  }
  if (last_logged_ && now - *last_logged_ < kLogEvery) return;
  last_logged_ = now;
  out_ << text << "\n" << std::flush;
}

void WaitingLine::clear() {
  if (!live_line_shown_) return;
  out_ << "\r\x1b[K" << std::flush;
  live_line_shown_ = false;
}

}  // namespace accel::launch
