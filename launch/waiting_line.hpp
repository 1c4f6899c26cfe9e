// What a launcher shows while the rendezvous waits for the other machines:
// on a terminal one live line, rewritten in place ("waiting for machines 2,
// 3 of 4 — 12 s"); otherwise (a log file, SLURM's output) one line every
// 30 s, so a job that waits all night leaves a readable trace, not 40 000
// updates. Not thread-safe; lives on the launcher's loop.
#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <string>

#include "rendezvous/member_client.hpp"

namespace accel::launch {

// "machines 2, 3 of 4", "machine 3 of 4", "machines 5, 6, 7 and 61 more of 128".
std::string describe_missing(const rendezvous::WaitingStatus& status);

class WaitingLine {
 public:
  static constexpr std::chrono::seconds kLogEvery{30};

  WaitingLine(std::ostream& out, bool terminal) : out_(out), terminal_(terminal) {}
  // A new status from the server; `now` decides whether a log line is due.
  void show(const rendezvous::WaitingStatus& status, std::chrono::steady_clock::time_point now);
  // The wait is over: a live line is erased, so what follows starts clean.
  void clear();

 private:
  std::ostream& out_;
  bool terminal_;
  bool live_line_shown_ = false;
  std::optional<std::chrono::steady_clock::time_point> last_logged_;
};

}  // namespace accel::launch
