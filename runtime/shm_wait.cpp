#include "runtime/shm_wait.hpp"

#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace accel::runtime_detail {

namespace {

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

constexpr std::chrono::microseconds kLongestSleep{1000};

}  // namespace

void Backoff::pause() {
  if (steps_ < kSpinSteps) {
    ++steps_;
    cpu_relax();
  } else if (steps_ < kSpinSteps + kYieldSteps) {
    ++steps_;
    ::sched_yield();
  } else {
    std::this_thread::sleep_for(sleep_);
    sleep_ = std::min(sleep_ * 2, kLongestSleep);
  }
}

void PeerLiveness::watch(std::size_t member, pid_t pid) {
  if (peers_.size() <= member) peers_.resize(member + 1);
  Peer& peer = peers_[member];
  peer.pid = pid;
  if (pid == ::getpid()) return;  // threads as members (tests): never "dead"
  // Without a pidfd (kernels before 5.3) has_ended falls back to kill(2).
  const long fd = ::syscall(SYS_pidfd_open, pid, 0);
  if (fd >= 0) peer.pidfd.reset(static_cast<int>(fd));
}

bool PeerLiveness::has_ended(std::size_t member) const {
  if (member >= peers_.size()) return false;
  const Peer& peer = peers_[member];
  if (peer.pid <= 0 || peer.pid == ::getpid()) return false;
  if (peer.pidfd.valid()) {
    // A pidfd polls readable once the process has terminated.
    pollfd entry{peer.pidfd.get(), POLLIN, 0};
    return ::poll(&entry, 1, 0) == 1 && (entry.revents & (POLLIN | POLLHUP)) != 0;
  }
  return ::kill(peer.pid, 0) == -1 && errno == ESRCH;
}

}  // namespace accel::runtime_detail
