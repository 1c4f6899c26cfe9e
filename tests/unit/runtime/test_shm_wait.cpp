// How shared-memory members notice a dead peer (runtime/shm_wait.hpp): at
// once, even while the dead process is a zombie nobody reaped yet, and
// never for a live one or the own process.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <thread>

#include "runtime/shm_wait.hpp"

using accel::runtime_detail::PeerLiveness;
using accel::runtime_detail::wait_until;
using namespace std::chrono_literals;

TEST_CASE("shm wait: a killed peer is seen as ended before it is reaped", "[runtime][shm]") {
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  PeerLiveness liveness;
  liveness.watch(0, ::getpid());
  liveness.watch(1, child);
  CHECK_FALSE(liveness.has_ended(0));
  CHECK_FALSE(liveness.has_ended(1));
  REQUIRE(::kill(child, SIGKILL) == 0);
  // Poll to a deadline: the kill is asynchronous.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!liveness.has_ended(1) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  CHECK(liveness.has_ended(1));  // a zombie still: nobody waited for it yet
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(liveness.has_ended(1));
  CHECK_FALSE(liveness.has_ended(0));
  CHECK_FALSE(liveness.has_ended(7));  // never watched
}

TEST_CASE("shm wait: wait_until returns when ready and lets the check give up", "[runtime][shm]") {
  int polls = 0;
  wait_until([&] { return ++polls > 100; }, [] {});
  CHECK(polls == 101);
  int checks = 0;
  CHECK_THROWS_WITH(wait_until([] { return false; },
                               [&] {
                                 if (++checks == 3) throw std::runtime_error("gave up");
                               }),
                    "gave up");
  CHECK(checks == 3);
}

TEST_CASE("shm wait: step counters compare across the 2^32 wrap", "[runtime][shm]") {
  using accel::runtime_detail::reached;
  CHECK(reached(5, 5));
  CHECK(reached(6, 5));
  CHECK_FALSE(reached(4, 5));
  CHECK(reached(0, 0xFFFFFFFFU));  // one step past the wrap
  CHECK_FALSE(reached(0xFFFFFFFFU, 0));
}

TEST_CASE("shm wait: a sleeping waiter is woken by the post, and checks while it sleeps",
          "[runtime][shm]") {
  std::atomic<std::uint32_t> arrived{0};
  std::atomic<std::uint32_t> sleepers{0};
  std::atomic<int> checks{0};
  std::thread poster([&] {
    // Post only once the waiter sleeps (and has checked a few times).
    while (checks.load() < 3) std::this_thread::sleep_for(1ms);
    accel::runtime_detail::post_step(arrived, sleepers, 1);
  });
  accel::runtime_detail::wait_for_step(arrived, sleepers, 1, accel::runtime_detail::kSpinsOwnCore,
                                       [&] { ++checks; });
  poster.join();
  CHECK(arrived.load() == 1);
  CHECK(sleepers.load() == 0);
  CHECK(checks.load() >= 3);
}

TEST_CASE("shm wait: members that fit the CPUs spin, more members than CPUs hardly do", "[shm]") {
  CHECK(accel::runtime_detail::spins_for(1) == accel::runtime_detail::kSpinsOwnCore);
  CHECK(accel::runtime_detail::spins_for(1 << 20) == accel::runtime_detail::kSpinsSharedCore);
}
