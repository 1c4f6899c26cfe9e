// run_job's output handling with real processes: whole lines from chatty
// workers, prefixes, progress bars, the local-rank filter and log files.
#include <catch2/catch.hpp>
#include <map>
#include <sstream>

#include "supervisor/job_fixture.hpp"
#include "supervisor/supervisor.hpp"

using accel::supervisor::run_job;
using accel::supervisor::testing::read_file;
using accel::supervisor::testing::ShellJob;

namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("output: lines of several chatty workers never mix", "[supervisor][output]") {
  const int lines_per_worker = 20000;
  // ~190-byte lines, written by `yes` in 8 KiB blocks that cut lines anywhere.
  ShellJob job(
      "yes \"rank$RANK-$(printf '%0180d' 0)\" | head -n " + std::to_string(lines_per_worker), 4);
  bool prefixed = GENERATE(false, true);
  job.spec.output.prefix_lines = prefixed;
  REQUIRE(run_job(job.spec).exit_code == 0);

  std::map<std::string, int> counts;
  for (const std::string& line : split_lines(job.console_out())) ++counts[line];
  REQUIRE(counts.size() == 4);
  for (int rank = 0; rank < 4; ++rank) {
    std::string expected = (prefixed ? "[rank" + std::to_string(rank) + "]:" : std::string()) +
                           "rank" + std::to_string(rank) + "-" + std::string(180, '0');
    CHECK(counts[expected] == lines_per_worker);
  }
}

TEST_CASE("output: stdout and stderr go to their console streams", "[supervisor][output]") {
  ShellJob job("echo out-$RANK; echo err-$RANK >&2", 1);
  REQUIRE(run_job(job.spec).exit_code == 0);
  CHECK(job.console_out() == "out-0\n");
  CHECK(job.console_err() == "err-0\n");
}

TEST_CASE("output: prefixes carry the global rank", "[supervisor][output]") {
  ShellJob job("echo \"local $LOCAL_RANK\"", 2);
  job.spec.ranks.layout = accel::supervisor::RankLayout::for_machine(1, 2, 2);
  job.spec.output.prefix_lines = true;
  REQUIRE(run_job(job.spec).exit_code == 0);
  std::string out = job.console_out();
  CHECK_THAT(out, Catch::Contains("[rank2]:local 0\n") && Catch::Contains("[rank3]:local 1\n"));
}

TEST_CASE("output: progress bars are forwarded as '\\r' units", "[supervisor][output]") {
  ShellJob job(R"(printf '\r 10%%'; sleep 0.05; printf '\r 50%%'; sleep 0.05; printf '\r100%%\n')",
               1);
  job.spec.output.prefix_lines = true;
  REQUIRE(run_job(job.spec).exit_code == 0);
  CHECK(job.console_out() == "\r[rank0]: 10%\r[rank0]: 50%\r[rank0]:100%\n");
}

TEST_CASE("output: a last line without newline is closed", "[supervisor][output]") {
  ShellJob job("printf 'no newline'", 1);
  REQUIRE(run_job(job.spec).exit_code == 0);
  CHECK(job.console_out() == "no newline\n");
}

TEST_CASE("output: local_ranks_filter shows only some ranks", "[supervisor][output]") {
  ShellJob job("echo from-$LOCAL_RANK; echo err-$LOCAL_RANK >&2", 3);
  job.spec.output.local_ranks_filter = std::set<int>{1};
  REQUIRE(run_job(job.spec).exit_code == 0);
  CHECK(job.console_out() == "from-1\n");
  CHECK(job.console_err() == "err-1\n");
}

TEST_CASE("output: log_dir writes torchrun's layout; tee decides the console",
          "[supervisor][output]") {
  // In attempt 0 both workers fail, each only once both have written their
  // lines (a failure stops the other worker, which must have written first).
  ShellJob job(
      R"(echo "out $LOCAL_RANK attempt $TORCHELASTIC_RESTART_COUNT"; echo "err $LOCAL_RANK" >&2
                  [ "$TORCHELASTIC_RESTART_COUNT" = 1 ] && exit 0
                  touch "$READY.$LOCAL_RANK"
                  while [ ! -e "$READY.0" ] || [ ! -e "$READY.1" ]; do sleep 0.01; done; exit 1)",
      2);
  job.spec.env.push_back("READY=" + (job.dir.path() / "written").string());
  job.spec.output.log_dir = job.dir.path() / "logs";
  job.spec.max_restarts = 1;
  const int tee = GENERATE(0, 1, 2, 3);  // torchrun's --tee values
  job.spec.output.tee_stdout = tee == 1 || tee == 3;
  job.spec.output.tee_stderr = tee == 2 || tee == 3;
  REQUIRE(run_job(job.spec).exit_code == 0);

  auto run_dir = job.dir.path() / "logs" / "test-run";
  for (int attempt = 0; attempt < 2; ++attempt) {
    for (int local_rank = 0; local_rank < 2; ++local_rank) {
      auto dir = run_dir / ("attempt_" + std::to_string(attempt)) / std::to_string(local_rank);
      CHECK(read_file(dir / "stdout.log") ==
            "out " + std::to_string(local_rank) + " attempt " + std::to_string(attempt) + "\n");
      CHECK(read_file(dir / "stderr.log") == "err " + std::to_string(local_rank) + "\n");
    }
  }
  // Two workers, two attempts: four lines on each stream that is tee'd.
  CHECK(split_lines(job.console_out()).size() == (job.spec.output.tee_stdout ? 4u : 0u));
  CHECK(split_lines(job.console_err()).size() == (job.spec.output.tee_stderr ? 4u : 0u));
}

TEST_CASE("output: a line prefix template instead of [rankN]:", "[supervisor][output]") {
  ShellJob job("echo out; echo err >&2", 2);
  job.spec.ranks.layout = accel::supervisor::RankLayout::for_machine(1, 2, 2);
  job.spec.role = "trainer";
  job.spec.output.line_prefix_template = "${role_name}-$rank/${local_rank}@${host}| ";
  job.spec.output.prefix_lines = false;  // the template applies anyway
  REQUIRE(run_job(job.spec).exit_code == 0);
  const std::string out = job.console_out();
  CHECK_THAT(out, Catch::Contains("trainer-2/0@testhost| out\n") &&
                      Catch::Contains("trainer-3/1@testhost| out\n"));
  CHECK_THAT(job.console_err(), Catch::Contains("trainer-3/1@testhost| err\n"));
}

TEST_CASE("output: ranks_filter shows only some global ranks; log files get all",
          "[supervisor][output]") {
  ShellJob job("echo from-$RANK; echo err-$RANK >&2", 3);
  job.spec.ranks.layout = accel::supervisor::RankLayout::for_machine(1, 2, 3);  // ranks 3..5
  job.spec.output.ranks_filter = std::set<int>{4, 5};
  job.spec.output.local_ranks_filter = std::set<int>{0, 1};  // both filters: rank 4 alone
  job.spec.output.log_dir = job.dir.path() / "logs";
  job.spec.output.tee_stdout = true;
  job.spec.output.tee_stderr = true;
  REQUIRE(run_job(job.spec).exit_code == 0);
  CHECK(job.console_out() == "from-4\n");
  CHECK(job.console_err() == "err-4\n");
  for (int local_rank = 0; local_rank < 3; ++local_rank) {
    auto dir = job.dir.path() / "logs" / "test-run" / "attempt_0" / std::to_string(local_rank);
    CHECK(read_file(dir / "stdout.log") == "from-" + std::to_string(3 + local_rank) + "\n");
  }
}
