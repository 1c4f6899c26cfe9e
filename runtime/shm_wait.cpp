#include "runtime/shm_wait.hpp"

#include <linux/futex.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <ctime>
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

void shm_wait_detail::spin_pause() {
  cpu_relax();
}

int spins_for(int members) {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  // Unknown (the call failed): assume cores to spare, the common case.
  if (::sched_getaffinity(0, sizeof allowed, &allowed) != 0) return kSpinsOwnCore;
  return members <= CPU_COUNT(&allowed) ? kSpinsOwnCore : kSpinsSharedCore;
}

void shm_wait_detail::yield_core() {
  ::sched_yield();
}

// The futex is not FUTEX_PRIVATE: the word lies in memory shared between
// processes. Errors (EAGAIN: the word changed; EINTR; ETIMEDOUT) all mean
// "look again", which the caller does.
void shm_wait_detail::futex_wait(const std::atomic<std::uint32_t>& word, std::uint32_t seen,
                                 std::chrono::microseconds timeout) {
  timespec relative{};
  relative.tv_sec = static_cast<time_t>(timeout.count() / 1'000'000);
  relative.tv_nsec = static_cast<long>(timeout.count() % 1'000'000 * 1000);
  ::syscall(SYS_futex, reinterpret_cast<const std::uint32_t*>(&word), FUTEX_WAIT, seen, &relative,
            nullptr, 0);
}

void post_step(std::atomic<std::uint32_t>& arrived, const std::atomic<std::uint32_t>& sleepers,
               std::uint32_t step) {
  arrived.store(step, std::memory_order_seq_cst);
  if (sleepers.load(std::memory_order_seq_cst) != 0) {
    ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&arrived), FUTEX_WAKE, INT_MAX, nullptr,
              nullptr, 0);
  }
}

void Backoff::pause() {
  if (spins_ < kSpinSteps) {
    ++spins_;
    cpu_relax();
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (yield_until_ == std::chrono::steady_clock::time_point{}) yield_until_ = now + kYieldFor;
  if (now < yield_until_) {
    ::sched_yield();
    return;
  }
  std::this_thread::sleep_for(sleep_);
  sleep_ = std::min(sleep_ * 2, kLongestSleep);
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
