// Supervisor on a loop the test owns: the loop keeps running other work
// while workers shut down, a stop from another machine, the events and their
// order, ranks given per attempt, and that closing it mid-attempt leaves
// nothing behind.
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <functional>
#include <optional>
#include <stdexcept>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/system_error.hpp"
#include "supervisor/job_fixture.hpp"
#include "supervisor/supervisor.hpp"

using accel::supervisor::AttemptEnd;
using accel::supervisor::AttemptOutcome;
using accel::supervisor::AttemptRanks;
using accel::supervisor::kStoppedExitCode;
using accel::supervisor::RankLayout;
using accel::supervisor::Supervisor;
using accel::supervisor::SupervisorEvents;
using accel::supervisor::WorkerFailure;
using accel::supervisor::testing::all_ready;
using accel::supervisor::testing::count_live_with_marker;
using accel::supervisor::testing::ShellJob;

namespace {

using Clock = std::chrono::steady_clock;

// Runs `io` until `condition` holds or `timeout` passes; whether it held.
bool run_until(boost::asio::io_context& io, const std::function<bool()>& condition,
               std::chrono::seconds timeout = std::chrono::seconds(30)) {
  const auto deadline = Clock::now() + timeout;
  while (!condition()) {
    if (Clock::now() > deadline) return false;
    io.run_one_for(std::chrono::milliseconds(50));
  }
  return true;
}

// A timer on the loop every 50 ms, as the launcher's heartbeats will be:
// counts its ticks and the longest gap between two, and runs `on_tick`.
class Heartbeat {
 public:
  explicit Heartbeat(boost::asio::io_context& io) : timer_(io) { arm(); }
  void cancel() { timer_.cancel(); }
  int ticks = 0;
  Clock::duration longest_gap{0};
  std::function<void()> on_tick;

 private:
  void arm() {
    timer_.expires_after(std::chrono::milliseconds(50));
    timer_.async_wait([this](const boost::system::error_code& error) {
      if (error) return;
      const auto now = Clock::now();
      if (ticks > 0) longest_gap = std::max(longest_gap, now - last_);
      last_ = now;
      ++ticks;
      if (on_tick) on_tick();
      arm();
    });
  }
  boost::asio::steady_timer timer_;
  Clock::time_point last_;
};

std::string unique_marker() {
  return "ACCEL_TEST_MARKER=" + std::to_string(::getpid()) + "-" +
         std::to_string(Clock::now().time_since_epoch().count());
}

double seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

TEST_CASE("supervisor: a stop from another machine runs on the loop, which keeps ticking",
          "[supervisor][loop]") {
  // The workers ignore SIGTERM, so only the SIGKILL after the 1 s grace
  // period ends them; meanwhile the loop must run the heartbeat.
  ShellJob job(R"(trap '' TERM; touch "$READY.$LOCAL_RANK"; exec sleep 30)", 2);
  job.spec.env.push_back("READY=" + (job.dir.path() / "ready").string());
  job.spec.grace_period = std::chrono::milliseconds(1000);
  boost::asio::io_context io(1);
  std::optional<AttemptEnd> end;
  SupervisorEvents events;
  events.on_attempt_end = [&](const AttemptEnd& ended) { end = ended; };
  events.on_first_failure = [&](const WorkerFailure&) { FAIL("a stopped worker is no failure"); };
  Supervisor supervisor(io, job.spec, events);
  supervisor.start_attempt(0, job.spec.ranks);
  CHECK(supervisor.attempt_running());

  Heartbeat heartbeat(io);
  std::optional<Clock::time_point> stopped;
  int ticks_at_stop = 0;
  heartbeat.on_tick = [&] {
    if (stopped || !all_ready(job.dir.path(), 2)) return;
    stopped = Clock::now();
    ticks_at_stop = heartbeat.ticks;
    heartbeat.longest_gap = Clock::duration::zero();
    supervisor.stop("rank 7 on node2 failed");
    supervisor.stop("a second stop changes nothing");
  };
  REQUIRE(run_until(io, [&] { return end.has_value(); }));
  const auto ended = Clock::now();
  heartbeat.cancel();

  REQUIRE(stopped);
  CHECK_FALSE(supervisor.attempt_running());
  CHECK(end->attempt == 0);
  CHECK(end->outcome == AttemptOutcome::Stopped);
  CHECK(end->exit_code == kStoppedExitCode);
  CHECK(end->stop_reason == "rank 7 on node2 failed");
  CHECK(end->interrupted_by == 0);
  CHECK(end->result.failures.empty());
  // The grace period passed on the loop, and the heartbeat ticked through
  // it (every 50 ms; a generous bound for a loaded machine), the end of the
  // attempt included.
  const double shutdown = seconds_between(*stopped, ended);
  CHECK(shutdown >= 0.9);
  CHECK(heartbeat.ticks - ticks_at_stop >= 8);
  CHECK(heartbeat.longest_gap < std::chrono::milliseconds(500));
}

TEST_CASE("supervisor: the first failure is told at once, the end once all is gone",
          "[supervisor][loop]") {
  ShellJob job(R"(if [ "$LOCAL_RANK" = 1 ]; then
                    while [ ! -e "$READY" ]; do sleep 0.01; done; echo "bad input" >&2; exit 3
                  fi
                  trap '' TERM; touch "$READY"; exec sleep 30)",
               2);
  job.spec.env.push_back("READY=" + (job.dir.path() / "ready").string());
  job.spec.grace_period = std::chrono::milliseconds(500);
  boost::asio::io_context io(1);
  std::optional<WorkerFailure> first;
  bool running_when_told = false;
  std::optional<AttemptEnd> end;
  std::optional<Supervisor> supervisor;
  SupervisorEvents events;
  events.on_first_failure = [&](const WorkerFailure& failure) {
    first = failure;
    running_when_told = supervisor->attempt_running();
    supervisor->stop("the others heard of it");  // as the launcher's own broadcast comes back
  };
  events.on_attempt_end = [&](const AttemptEnd& ended) { end = ended; };
  supervisor.emplace(io, job.spec, events);
  supervisor->start_attempt(0, job.spec.ranks);
  REQUIRE(run_until(io, [&] { return end.has_value(); }));

  REQUIRE(first);
  CHECK(running_when_told);  // rank 0 was still being stopped
  CHECK(first->rank == 1);
  CHECK(first->exit_code == 3);
  CHECK(first->host == "testhost");
  CHECK(first->stderr_tail == std::vector<std::string>{"bad input"});
  CHECK(end->outcome == AttemptOutcome::Failed);
  CHECK(end->exit_code == 3);
  CHECK(end->stop_reason.empty());  // the failure stopped them, not the request
  REQUIRE(end->result.failures.size() == 1);
  CHECK(end->result.failures[0].rank == 1);
}

TEST_CASE("supervisor: a launcher signal is told once per attempt and stops it",
          "[supervisor][loop][signals]") {
  // The SIGHUP goes once the SIGTERM has come back forwarded, so the
  // launcher surely handled the SIGTERM first.
  ShellJob job(R"(trap 'kill -HUP $PPID; exit 0' TERM
                  kill -TERM $PPID
                  while :; do sleep 0.05; done)",
               1);
  boost::asio::io_context io(1);
  std::vector<int> interrupts;
  std::optional<AttemptEnd> end;
  SupervisorEvents events;
  events.on_interrupt = [&](int signal) { interrupts.push_back(signal); };
  events.on_attempt_end = [&](const AttemptEnd& ended) { end = ended; };
  Supervisor supervisor(io, job.spec, events);
  supervisor.start_attempt(0, job.spec.ranks);
  REQUIRE(run_until(io, [&] { return end.has_value(); }));
  CHECK(interrupts == std::vector<int>{SIGTERM});
  CHECK(end->outcome == AttemptOutcome::Interrupted);
  CHECK(end->interrupted_by == SIGTERM);
  CHECK(end->exit_code == 128 + SIGTERM);
}

TEST_CASE("supervisor: each attempt's workers get the ranks it is given",
          "[supervisor][loop][ranks]") {
  ShellJob job(R"(echo "$RANK $LOCAL_RANK $WORLD_SIZE $LOCAL_WORLD_SIZE $GROUP_RANK" \
                       "$MASTER_ADDR:$MASTER_PORT $TORCHELASTIC_RESTART_COUNT")",
               2);
  job.spec.output.prefix_lines = true;
  job.spec.output.local_ranks_filter = std::set<int>{0};
  boost::asio::io_context io(1);
  std::vector<AttemptEnd> ends;
  std::optional<Supervisor> supervisor;
  AttemptRanks second;
  second.layout = RankLayout{4, 6, 0, 2, 2, 3};
  second.master_addr = "node0";
  second.master_port = 41001;
  SupervisorEvents events;
  events.on_attempt_end = [&](const AttemptEnd& ended) {
    ends.push_back(ended);
    if (ends.size() == 1) supervisor->start_attempt(5, second);  // as a new round would
  };
  supervisor.emplace(io, job.spec, events);
  AttemptRanks first;
  first.layout = RankLayout{2, 6, 0, 2, 1, 3};
  first.master_addr = "node0";
  first.master_port = 41000;
  supervisor->start_attempt(4, first);
  REQUIRE(run_until(io, [&] { return ends.size() == 2; }));
  CHECK(ends[0].attempt == 4);
  CHECK(ends[1].attempt == 5);
  CHECK(ends[1].outcome == AttemptOutcome::Succeeded);
  CHECK(job.console_out() ==
        "[rank2]:2 0 6 2 1 node0:41000 4\n"
        "[rank4]:4 0 6 2 2 node0:41001 5\n");
}

TEST_CASE("supervisor: closed in the middle of an attempt, it leaves nothing running",
          "[supervisor][loop][grandchildren]") {
  const bool use_cgroup = GENERATE(true, false);
  CAPTURE(use_cgroup);
  const std::string marker = unique_marker();
  // Each worker also starts a grandchild in a session of its own.
  ShellJob job(R"(setsid sh -c 'touch "$READY.$LOCAL_RANK"; exec sleep 1001' &
                  trap '' TERM; exec sleep 1002)",
               2);
  job.spec.env.push_back(marker);
  job.spec.env.push_back("READY=" + (job.dir.path() / "ready").string());
  job.spec.use_cgroup = use_cgroup;
  bool ended = false;
  {
    boost::asio::io_context io(1);
    SupervisorEvents events;
    events.on_attempt_end = [&](const AttemptEnd&) { ended = true; };
    Supervisor supervisor(io, job.spec, events);
    supervisor.start_attempt(0, job.spec.ranks);
    REQUIRE(run_until(io, [&] { return all_ready(job.dir.path(), 2); }));
    REQUIRE(count_live_with_marker(marker) == 4);
    // The loop is abandoned here, the attempt running.
  }
  CHECK(count_live_with_marker(marker) == 0);  // at once: no polling
  CHECK_FALSE(ended);
}

TEST_CASE("supervisor: close() during a stop, then a loop run again, does nothing more",
          "[supervisor][loop]") {
  ShellJob job(R"(trap '' TERM; touch "$READY.$LOCAL_RANK"; exec sleep 30)", 1);
  job.spec.env.push_back("READY=" + (job.dir.path() / "ready").string());
  boost::asio::io_context io(1);
  bool ended = false;
  SupervisorEvents events;
  events.on_attempt_end = [&](const AttemptEnd&) { ended = true; };
  Supervisor supervisor(io, job.spec, events);
  supervisor.start_attempt(0, job.spec.ranks);
  REQUIRE(run_until(io, [&] { return all_ready(job.dir.path(), 1); }));
  supervisor.stop("another machine failed");
  supervisor.close();
  CHECK_FALSE(supervisor.attempt_running());
  // Whatever the supervisor had queued is harmless now.
  io.run_for(std::chrono::milliseconds(200));
  CHECK_FALSE(ended);
  CHECK_THROWS_AS(supervisor.start_attempt(1, job.spec.ranks), std::logic_error);
  supervisor.close();  // idempotent
}

TEST_CASE("supervisor: calls out of turn and ranks that do not fit are refused",
          "[supervisor][loop]") {
  ShellJob job("exec sleep 30", 2);
  boost::asio::io_context io(1);
  Supervisor supervisor(io, job.spec, SupervisorEvents{});
  AttemptRanks too_few;
  too_few.layout = RankLayout::for_machine(0, 1, 1);
  CHECK_THROWS_WITH(supervisor.start_attempt(0, too_few),
                    "Supervisor::start_attempt: ranks 0..1 of 2 worker(s) do not fit a world "
                    "of 1");
  CHECK_FALSE(supervisor.attempt_running());
  supervisor.stop("nothing runs: nothing to stop");
  supervisor.start_attempt(0, job.spec.ranks);
  CHECK_THROWS_AS(supervisor.start_attempt(1, job.spec.ranks), std::logic_error);
}

TEST_CASE("supervisor: a JobSpec that makes no sense is refused before anything changes",
          "[supervisor][loop]") {
  ShellJob job("exit 0", 1);
  boost::asio::io_context io(1);
  SECTION("no program") {
    job.spec.argv.clear();
    CHECK_THROWS_AS(Supervisor(io, job.spec, SupervisorEvents{}), std::invalid_argument);
  }
  SECTION("a line prefix template with an unknown name") {
    job.spec.output.line_prefix_template = "${node}: ";
    CHECK_THROWS_WITH(Supervisor(io, job.spec, SupervisorEvents{}),
                      Catch::Contains("unknown placeholder 'node'"));
  }
}

TEST_CASE("supervisor: when an attempt cannot start, it says so and nothing runs",
          "[supervisor][loop]") {
  ShellJob job("exec sleep 30", 2);
  // A log folder that cannot be made: the attempt fails before any worker.
  job.spec.output.log_dir = "/proc/accel-cannot-be-made";
  boost::asio::io_context io(1);
  bool ended = false;
  SupervisorEvents events;
  events.on_attempt_end = [&](const AttemptEnd&) { ended = true; };
  Supervisor supervisor(io, job.spec, events);
  CHECK_THROWS_AS(supervisor.start_attempt(0, job.spec.ranks), accel::base::SystemError);
  CHECK_FALSE(supervisor.attempt_running());
  io.run_for(std::chrono::milliseconds(100));
  CHECK_FALSE(ended);
}

TEST_CASE("supervisor: a signal while no attempt runs is told all the same",
          "[supervisor][loop][signals]") {
  ShellJob job("exit 0", 1);
  boost::asio::io_context io(1);
  std::vector<int> interrupts;
  SupervisorEvents events;
  events.on_interrupt = [&](int signal) { interrupts.push_back(signal); };
  Supervisor supervisor(io, job.spec, events);
  ::kill(::getpid(), SIGHUP);  // handled by the supervisor's signal set
  REQUIRE(run_until(io, [&] { return !interrupts.empty(); }));
  CHECK(interrupts == std::vector<int>{SIGHUP});
  CHECK_FALSE(supervisor.attempt_running());
}

TEST_CASE("supervisor: destroyed from its own on_interrupt, it stops the workers",
          "[supervisor][loop][signals]") {
  const std::string marker = unique_marker();
  ShellJob job(R"(trap '' TERM; touch "$READY.$LOCAL_RANK"; exec sleep 30)", 2);
  job.spec.env.push_back(marker);
  job.spec.env.push_back("READY=" + (job.dir.path() / "ready").string());
  boost::asio::io_context io(1);
  std::optional<Supervisor> supervisor;
  SupervisorEvents events;
  events.on_interrupt = [&](int) { supervisor.reset(); };
  events.on_attempt_end = [&](const AttemptEnd&) { FAIL("no end once destroyed"); };
  supervisor.emplace(io, job.spec, events);
  supervisor->start_attempt(0, job.spec.ranks);
  REQUIRE(run_until(io, [&] { return all_ready(job.dir.path(), 2); }));
  ::kill(::getpid(), SIGINT);
  REQUIRE(run_until(io, [&] { return !supervisor.has_value(); }));
  CHECK(count_live_with_marker(marker) == 0);
  io.run_for(std::chrono::milliseconds(100));  // what it had queued does nothing
}
