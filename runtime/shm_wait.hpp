// How a shared-memory group member waits for its peers: spin on the flag
// briefly (a peer usually arrives within microseconds, and a syscall would
// cost more than the whole wait), then yield the core (several ranks may
// share one), then sleep with exponential backoff up to 1 ms. Every few
// milliseconds of waiting the caller's check runs, which throws to abandon
// the wait: the deadline passed, or a peer died.
//
// PeerLiveness tells whether a peer process still runs, through a pidfd per
// peer (immune to pid reuse, and it reports a killed process at once even
// while it is a zombie nobody reaped yet), else kill(pid, 0).
// Not thread-safe: one per group.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <vector>

#include "base/unique_fd.hpp"

namespace accel::runtime_detail {

class Backoff {
 public:
  // One step of waiting: a pause instruction, a yield or a sleep.
  void pause();
  // True once spinning is over, from when the caller should check the clock.
  bool spinning() const { return steps_ < kSpinSteps; }

 private:
  static constexpr unsigned kSpinSteps = 4096;
  static constexpr unsigned kYieldSteps = 64;
  unsigned steps_ = 0;
  std::chrono::microseconds sleep_{8};
};

inline constexpr std::chrono::milliseconds kCheckInterval{2};

// Waits until ready() returns true; check() runs about every kCheckInterval
// once spinning is over and throws to give up.
template <typename Ready, typename Check>
void wait_until(Ready&& ready, Check&& check) {
  if (ready()) return;
  Backoff backoff;
  auto next_check = std::chrono::steady_clock::now() + kCheckInterval;
  for (;;) {
    backoff.pause();
    if (ready()) return;
    if (!backoff.spinning()) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= next_check) {
        check();
        next_check = now + kCheckInterval;
      }
    }
  }
}

class PeerLiveness {
 public:
  // Watches member `member`'s process; the own process is never reported.
  void watch(std::size_t member, pid_t pid);
  // True when the member's process has ended (exited or killed).
  bool has_ended(std::size_t member) const;

 private:
  struct Peer {
    pid_t pid = 0;
    base::UniqueFd pidfd;  // invalid: not watched, or no pidfd on this kernel
  };
  std::vector<Peer> peers_;
};

}  // namespace accel::runtime_detail
