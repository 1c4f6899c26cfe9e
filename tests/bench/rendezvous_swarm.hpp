// The simulated machines of tests/bench/rendezvous_bench.cpp: a swarm of
// machines on one io_context, each doing what a launcher and its worker do
// against a rendezvous server (docs/protocol.md):
//   member: connect, hello / challenge (the server's proof is checked) /
//           proof / welcome, join, answer the reach-check (connect to the
//           probe port, end it), go; a heartbeat when it has sent nothing
//           for a second, as MemberClient does;
//   barrier: after go, on the member's own connection (a joined member may
//           use the store, docs/protocol.md): add("barrier", 1); the one
//           that reaches the job's machine count sets "barrier-done"; each
//           waits for "barrier-done". In Mode::kStore the machine is a store
//           client instead: one connection with role store, the same barrier.
// Each machine connects from its own 127/8 address. At most `window`
// connections are being set up at once (connect to welcome; probe connect
// to the server's end of file), so bursts do not overflow accept queues.
// Not thread-safe: the io_context's one thread runs it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace accel::bench {

using Clock = std::chrono::steady_clock;

inline constexpr const char* kJobId = "rendezvous-bench";
inline constexpr const char* kLoopback = "127.0.0.1";

// full: join, then the store barrier on the member connection; join: done
// at go; store: the store barrier alone, on store connections (what torch's
// TCPStore benchmark measures).
enum class Mode { kFull, kJoin, kStore };

struct SwarmPlan {
  Mode mode = Mode::kFull;
  int machines = 0;       // in the job
  int first_machine = 0;  // this swarm's share: [first_machine, first_machine + count)
  int count = 0;
  std::size_t window = 0;
  uint16_t port = 0;
  std::string token;
  std::chrono::seconds timeout{120};
};

// Times on the steady clock, which is CLOCK_MONOTONIC: one clock for every
// process of the machine, so swarms in several processes compare.
struct SwarmResult {
  std::optional<std::string> error;
  int passed = 0;  // machines through the barrier (or at go)
  Clock::time_point started;
  std::optional<Clock::time_point> all_go;      // the swarm's last go
  std::optional<Clock::time_point> all_passed;  // its last machine done
};

class Swarm {
 public:
  Swarm(boost::asio::io_context& io, SwarmPlan plan);
  ~Swarm();
  Swarm(const Swarm&) = delete;
  Swarm& operator=(const Swarm&) = delete;

  // Runs the io_context until every machine of the swarm passed (or one
  // failed, or the timeout). The connections stay open until destruction.
  SwarmResult run();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace accel::bench
