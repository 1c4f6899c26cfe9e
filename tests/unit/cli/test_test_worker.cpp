#include <catch2/catch.hpp>

#include <optional>
#include <set>
#include <string>

#include "cli/test_report.hpp"
#include "cli/test_worker.hpp"
#include "scratch_dir.hpp"

using namespace accel::cli;

namespace {

// No launcher variables: a world of one, whatever the test process holds.
std::optional<std::string> no_launcher(std::string_view) {
  return std::nullopt;
}

}  // namespace

TEST_CASE("the test covers every collective x type x op, in and out of place", "[test_worker]") {
  const auto cases = test_cases(4, false);
  std::set<std::string> seen;
  for (const CollectiveCase& c : cases) {
    seen.insert(std::string(name_of(c.collective)) + "/" + std::string(accel::name_of(c.type)) +
                "/" + std::string(accel::name_of(c.op)));
    if (has_root(c.collective)) CHECK(c.root == 3);
  }
  // reducing: 3 collectives x 6 types x 4 ops; the others 3 x 6.
  CHECK(seen.size() == 3 * 6 * 4 + 3 * 6);
  const auto with_large = test_cases(4, true);
  CHECK(with_large.size() == cases.size() + 7);
  CHECK(with_large.back().count * 2 == std::size_t{64} << 20);  // bf16, 64 MiB
}

TEST_CASE("in a world of one every check passes and the report says so", "[test_worker]") {
  accel::testing::ScratchDir dir;
  TestWorkerOptions options;
  options.env = no_launcher;
  options.with_large = false;
  options.report_dir = dir.path();
  const TestOutcome outcome = run_test_checks(options);
  INFO((outcome.failures.empty() ? "" : outcome.failures.front()));
  CHECK(outcome.failures.empty());
  CHECK(outcome.world_size == 1);
  CHECK(outcome.checks > static_cast<int>(test_cases(1, false).size()));
  const auto reports = read_test_reports(dir.path());
  REQUIRE(reports.size() == 1);
  CHECK(reports[0].checks == outcome.checks);
}

TEST_CASE("a corrupted result is reported with what was expected", "[test_worker]") {
  TestWorkerOptions options;
  options.env = [](std::string_view name) -> std::optional<std::string> {
    if (name == kTestCorruptRankVariable) return "0";
    return std::nullopt;
  };
  options.with_large = false;
  const TestOutcome outcome = run_test_checks(options);
  REQUIRE(outcome.failures.size() == 1);
  CHECK(outcome.failures[0] ==
        "all_reduce float32 sum, 1 element, out of place: 1 wrong element (output[0] is 99, "
        "expected -4)");
}

TEST_CASE("a broken launcher environment is the rank's failure, not a crash", "[test_worker]") {
  TestWorkerOptions options;
  options.env = [](std::string_view name) -> std::optional<std::string> {
    if (name == "WORLD_SIZE") return "2";
    if (name == "RANK") return "1";
    return std::nullopt;  // no store to meet at
  };
  options.with_large = false;
  const TestOutcome outcome = run_test_checks(options);
  REQUIRE(outcome.failures.size() == 1);
  CHECK(outcome.rank == 1);
  CHECK(outcome.failures[0].starts_with("stopped: "));
}
