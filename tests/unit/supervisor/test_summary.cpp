// The root-cause summary text.
#include <catch2/catch.hpp>
#include <csignal>

#include "supervisor/summary.hpp"

using namespace accel::supervisor;
using Catch::Contains;

namespace {

WorkerFailure failure(int rank, int exit_code, int signal, std::vector<std::string> tail = {}) {
  WorkerFailure f;
  f.rank = rank;
  f.local_rank = rank % 4;
  f.host = "node07";
  f.pid = 4242 + rank;
  f.exit_code = exit_code;
  f.signal = signal;
  f.run_time = std::chrono::milliseconds(2300);
  f.stderr_tail = std::move(tail);
  return f;
}

}  // namespace

TEST_CASE("summary: nothing to say after a plain success", "[supervisor][summary]") {
  JobResult result;
  result.attempts = 1;
  CHECK(format_summary(result).empty());
}

TEST_CASE("summary: names the root cause and its last words", "[supervisor][summary]") {
  JobResult result;
  result.exit_code = 1;
  result.attempts = 1;
  result.failed_attempts.push_back(AttemptResult{
      0,
      {failure(5, 1, 0, {"Traceback (most recent call last):", "ValueError: bad batch"}),
       failure(6, 0, SIGKILL)}});
  std::string text = format_summary(result);
  CHECK_THAT(text, Contains("rank 5 (local rank 1) on node07 exited with code 1"));
  CHECK_THAT(text, Contains("pid 4247, ran 2.3 s"));
  CHECK_THAT(text, Contains("last 2 lines of its stderr"));
  CHECK_THAT(text, Contains("    ValueError: bad batch\n"));
  CHECK_THAT(text, Contains("Other failures"));
  CHECK_THAT(
      text,
      Contains("rank 6 (local rank 2) on node07 was killed by SIGKILL (signal 9, exit code 137)"));
}

TEST_CASE("summary: a signal death is named", "[supervisor][summary]") {
  JobResult result;
  result.exit_code = 128 + SIGSEGV;
  result.attempts = 1;
  result.failed_attempts.push_back(AttemptResult{0, {failure(0, 0, SIGSEGV)}});
  std::string text = format_summary(result);
  CHECK_THAT(text, Contains("was killed by SIGSEGV"));
  CHECK_THAT(text, Contains("its stderr was empty"));
}

TEST_CASE("summary: every failed attempt of a restarted job", "[supervisor][summary]") {
  JobResult result;
  result.exit_code = 2;
  result.attempts = 3;
  for (int attempt = 0; attempt < 3; ++attempt) {
    result.failed_attempts.push_back(AttemptResult{attempt, {failure(attempt, 2, 0, {"oops"})}});
  }
  std::string text = format_summary(result);
  CHECK_THAT(text, Contains("after 3 attempt(s)"));
  CHECK_THAT(text, Contains("attempt 0: rank 0 (local rank 0) on node07 exited with code 2"));
  CHECK_THAT(text, Contains("attempt 1: rank 1"));
  CHECK_THAT(text, Contains("first observed failure, attempt 2"));
}

TEST_CASE("summary: a success after restarts lists the failed attempts", "[supervisor][summary]") {
  JobResult result;
  result.attempts = 2;
  result.failed_attempts.push_back(AttemptResult{0, {failure(1, 1, 0)}});
  std::string text = format_summary(result);
  CHECK_THAT(text, Contains("succeeded on attempt 1 after 1 failed attempt"));
  CHECK_THAT(text, Contains("attempt 0: rank 1"));
}

TEST_CASE("summary: an interrupt says which signal", "[supervisor][summary]") {
  JobResult result;
  result.attempts = 1;
  result.exit_code = 130;
  result.interrupted_by = SIGINT;
  CHECK_THAT(format_summary(result),
             Contains("interrupted by SIGINT") && Contains("exit code 130"));
}

TEST_CASE("summary: durations read naturally", "[supervisor][summary]") {
  using std::chrono::milliseconds;
  CHECK(format_duration(milliseconds(850)) == "850 ms");
  CHECK(format_duration(milliseconds(2345)) == "2.3 s");
  CHECK(format_duration(milliseconds(245'000)) == "4 min 05 s");
  CHECK(format_duration(milliseconds(7'380'000)) == "2 h 03 min");
}
