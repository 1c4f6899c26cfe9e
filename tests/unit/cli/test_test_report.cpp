#include <catch2/catch.hpp>

#include <sstream>

#include "cli/test_report.hpp"
#include "scratch_dir.hpp"

using namespace accel::cli;

namespace {

TestOutcome outcome(int rank, int world_size, std::vector<std::string> failures = {}) {
  TestOutcome o;
  o.rank = rank;
  o.world_size = world_size;
  o.local_rank = rank;
  o.local_world_size = world_size;
  o.checks = 10;
  o.failures = std::move(failures);
  return o;
}

struct Verdict {
  int code;
  std::string out;
  std::string err;
};

Verdict verdict(const std::vector<TestOutcome>& reports, int job_exit_code) {
  std::ostringstream out, err;
  const int code = write_test_verdict(out, err, reports, job_exit_code);
  return {code, out.str(), err.str()};
}

}  // namespace

TEST_CASE("reports round-trip through their directory, by rank", "[test_report]") {
  accel::testing::ScratchDir dir;
  write_test_report(dir.path(), outcome(1, 2, {"all_reduce float32 sum: 1 wrong element"}));
  write_test_report(dir.path(), outcome(0, 2));
  const auto reports = read_test_reports(dir.path());
  REQUIRE(reports.size() == 2);
  CHECK(reports[0].rank == 0);
  CHECK(reports[0].failures.empty());
  CHECK(reports[1].rank == 1);
  CHECK(reports[1].world_size == 2);
  CHECK(reports[1].checks == 10);
  CHECK(reports[1].failures == std::vector<std::string>{"all_reduce float32 sum: 1 wrong element"});
  // Nothing half-written is left beside them.
  CHECK(std::distance(std::filesystem::directory_iterator(dir.path()),
                      std::filesystem::directory_iterator()) == 2);
}

TEST_CASE("a report that is not one is left out", "[test_report]") {
  accel::testing::ScratchDir dir;
  dir.write("rank5.txt", "garbage\n");
  dir.write("notes.txt", "rank 0\n");
  CHECK(read_test_reports(dir.path()).empty());
}

TEST_CASE("every rank passing is a success in Accelerate's words", "[test_report]") {
  const Verdict v = verdict({outcome(0, 2), outcome(1, 2)}, 0);
  CHECK(v.code == 0);
  CHECK(v.out.find("Test is a success!") != std::string::npos);
  CHECK(v.out.find("2 processes passed every check (20 in all") != std::string::npos);
  CHECK(v.err.empty());
}

TEST_CASE("each failure is named with its rank", "[test_report]") {
  const Verdict v =
      verdict({outcome(0, 3), outcome(1, 3, {"gather int32, 7 elements: 2 wrong elements"}),
               outcome(2, 3, {"a", "b"})},
              1);
  CHECK(v.code == 1);
  CHECK(v.out.empty());
  CHECK(v.err.find("accel test: rank 1: gather int32, 7 elements: 2 wrong elements\n") !=
        std::string::npos);
  CHECK(v.err.find("accel test: rank 2: b\n") != std::string::npos);
  CHECK(v.err.find("3 checks of 30 failed, on rank(s) 1, 2") != std::string::npos);
  CHECK(v.err.find("Test failed.") != std::string::npos);
}

TEST_CASE("a rank without a report is named, and the job's exit code kept", "[test_report]") {
  const Verdict v = verdict({outcome(0, 3), outcome(2, 3)}, 137);
  CHECK(v.code == 137);
  CHECK(v.err.find("no report from rank(s) 1:") != std::string::npos);
}

TEST_CASE("checks that passed in a failed job are no success", "[test_report]") {
  CHECK(verdict({outcome(0, 1)}, 1).code == 1);
  const Verdict none = verdict({}, 2);
  CHECK(none.code == 2);
  CHECK(none.err.find("no worker wrote a report") != std::string::npos);
}

TEST_CASE("on one machine of several, only its own ranks are expected", "[test_report]") {
  TestOutcome second = outcome(2, 4);
  second.local_rank = 0;
  second.local_world_size = 2;
  TestOutcome third = outcome(3, 4);
  third.local_rank = 1;
  third.local_world_size = 2;
  const Verdict v = verdict({second, third}, 0);
  CHECK(v.code == 0);
  CHECK(v.out.find("2 processes of 4 on this machine passed") != std::string::npos);
}
