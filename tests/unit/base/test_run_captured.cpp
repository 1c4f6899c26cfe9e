// run_captured with real short-lived programs: output kept, exit codes and
// signals told apart, a missing program reported, and a hang killed at the
// deadline together with what it started.
#include <catch2/catch.hpp>
#include <chrono>

#include "base/run_captured.hpp"

using accel::base::run_captured;
using namespace std::chrono_literals;

TEST_CASE("stdout and stderr are kept apart", "[run_captured]") {
  const auto run = run_captured({"/bin/sh", "-c", "echo out; echo err >&2"}, 10s);
  CHECK(run.started);
  CHECK_FALSE(run.timed_out);
  CHECK(run.exit_code == 0);
  CHECK(run.output == "out\n");
  CHECK(run.errors == "err\n");
  CHECK(run.error.empty());
}

TEST_CASE("a non-zero exit and a signal are reported", "[run_captured]") {
  const auto failed = run_captured({"/bin/sh", "-c", "exit 3"}, 10s);
  CHECK(failed.exit_code == 3);
  CHECK(failed.error == "exited with status 3");
  const auto killed = run_captured({"/bin/sh", "-c", "kill -9 $$"}, 10s);
  CHECK(killed.signal == 9);
  CHECK_THAT(killed.error, Catch::Contains("killed by signal"));
}

TEST_CASE("stdin is /dev/null: a program reading it does not wait", "[run_captured]") {
  const auto run = run_captured({"/bin/cat"}, 10s);
  CHECK(run.exit_code == 0);
  CHECK(run.output.empty());
}

TEST_CASE("a program that does not exist is a result, not an exception", "[run_captured]") {
  const auto run = run_captured({"/nonexistent/python3", "-c", "1"}, 10s);
  CHECK_FALSE(run.started);
  CHECK_THAT(run.error, Catch::Contains("/nonexistent/python3"));
  CHECK_FALSE(run_captured({}, 1s).started);
}

TEST_CASE("a hang is killed at the deadline, with its children", "[run_captured]") {
  const auto start = std::chrono::steady_clock::now();
  // The child holds stdout open too: killing only the shell would leave the
  // pipe open and the reader waiting.
  const auto run = run_captured({"/bin/sh", "-c", "echo early; sleep 30 & sleep 30"}, 200ms);
  CHECK(std::chrono::steady_clock::now() - start < 10s);
  CHECK(run.started);
  CHECK(run.timed_out);
  CHECK(run.output == "early\n");
  CHECK_THAT(run.error, Catch::Contains("no answer within 200 ms"));
}
