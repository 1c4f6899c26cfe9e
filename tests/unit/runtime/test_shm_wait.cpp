// How shared-memory members notice a dead peer (runtime/shm_wait.hpp): at
// once, even while the dead process is a zombie nobody reaped yet, and
// never for a live one or the own process.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
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
