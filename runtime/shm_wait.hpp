// How a shared-memory group member waits for its peers. wait_for_step
// spins on the peer's step counter briefly when every member has a core of
// its own (a peer arrives within microseconds, and a syscall would cost
// more than the whole wait), yields a few times (when ranks outnumber cores
// the peer is runnable on this core and a yield hands it over), then sleeps
// in a futex wait on that very counter, which the peer's post_step wakes
// only when someone sleeps (no syscall in the hot path). A plain sleep
// would wake up long after the peer arrived. Every millisecond or so of
// waiting the caller's check runs, which throws to abandon the
// wait: the deadline passed, or a peer died. wait_until is the plain
// spin-yield-sleep loop for the one-time set-up.
//
// PeerLiveness tells whether a peer process still runs, through a pidfd per
// peer (immune to pid reuse, and it reports a killed process at once even
// while it is a zombie nobody reaped yet), else kill(pid, 0).
// Not thread-safe: one per group.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/unique_fd.hpp"

namespace accel::runtime_detail {

class Backoff {
 public:
  // One step of waiting: a pause instruction, a yield or a sleep.
  void pause();
  // True while still spinning, before the caller should look at the clock.
  bool spinning() const { return spins_ < kSpinSteps; }

 private:
  // ~10 us of pause instructions: a peer on its own core arrives within that.
  static constexpr unsigned kSpinSteps = 256;
  // Then yield for up to 10 ms: when ranks outnumber cores (8 ranks on 2
  // cores is a tested case) the peer we wait for needs this core, and a
  // sleep would wake up long after it arrived. Only a longer wait, a rank
  // that is really late, sleeps.
  static constexpr std::chrono::milliseconds kYieldFor{10};
  unsigned spins_ = 0;
  std::chrono::steady_clock::time_point yield_until_{};
  std::chrono::microseconds sleep_{16};
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

// True when a step counter `arrived` has reached `step`, modulo 2^32.
inline bool reached(std::uint32_t arrived, std::uint32_t step) {
  return static_cast<std::int32_t>(arrived - step) >= 0;
}

// Publishes this member's step and wakes the peers asleep on it.
void post_step(std::atomic<std::uint32_t>& arrived, const std::atomic<std::uint32_t>& sleepers,
               std::uint32_t step);

// Yields before sleeping: when ranks outnumber cores the peer we wait for
// is runnable on this core, and a yield hands it over at once, where a futex
// sleep and wake cost two trips through the scheduler per step.
inline constexpr int kYieldsBeforeSleep = 64;

namespace shm_wait_detail {
void spin_pause();
void yield_core();
// futex(FUTEX_WAIT) on `word` while it holds `seen`, for at most `timeout`.
void futex_wait(const std::atomic<std::uint32_t>& word, std::uint32_t seen,
                std::chrono::microseconds timeout);
}  // namespace shm_wait_detail

// Spins before yielding: ~20 us of pause instructions when every member
// has a core of its own (a peer arrives within that, and a syscall would
// cost more than the wait); almost none when members outnumber the CPUs
// this process may use, where spinning only burns the time slice the peer
// we wait for needs (4 ranks on 2 cores: 35 us per 8-byte all_reduce with
// the long spin, under 10 us without).
inline constexpr int kSpinsOwnCore = 512;
inline constexpr int kSpinsSharedCore = 8;
// kSpinsOwnCore when `members` fit the CPUs this process may run on
// (sched_getaffinity), else kSpinsSharedCore.
int spins_for(int members);

// Returns once `arrived` has reached `step`, spinning `spins` times before
// yielding and then sleeping; check() runs about every kCheckInterval after
// the spinning and throws to give up.
template <typename Check>
void wait_for_step(const std::atomic<std::uint32_t>& arrived, std::atomic<std::uint32_t>& sleepers,
                   std::uint32_t step, int spins, Check&& check) {
  for (int spin = 0; spin < spins; ++spin) {
    if (reached(arrived.load(std::memory_order_acquire), step)) return;
    shm_wait_detail::spin_pause();
  }
  for (int yield = 0; yield < kYieldsBeforeSleep; ++yield) {
    if (reached(arrived.load(std::memory_order_acquire), step)) return;
    shm_wait_detail::yield_core();
  }
  auto next_check = std::chrono::steady_clock::now() + kCheckInterval;
  for (;;) {
    // Announce the sleep before the last look (both sequentially
    // consistent, as in post_step): either the poster sees a sleeper and
    // wakes it, or this look sees the step. The timeout bounds the rest.
    sleepers.fetch_add(1, std::memory_order_seq_cst);
    const std::uint32_t seen = arrived.load(std::memory_order_seq_cst);
    if (!reached(seen, step)) {
      shm_wait_detail::futex_wait(arrived, seen, std::chrono::microseconds(1000));
    }
    sleepers.fetch_sub(1, std::memory_order_relaxed);
    if (reached(arrived.load(std::memory_order_acquire), step)) return;
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_check) {
      check();
      next_check = now + kCheckInterval;
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
