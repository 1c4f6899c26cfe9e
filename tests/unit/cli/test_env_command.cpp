// `accel env` through the command line (cli::main): flags, the `--` marker
// before launch flags, and a usage error for an unknown flag.
#include <catch2/catch.hpp>
#include <sstream>

#include "cli/app.hpp"
#include "cli/errors.hpp"

namespace {

struct Run {
  int code;
  std::string out;
  std::string err;
};

Run run_accel(std::vector<const char*> args) {
  args.insert(args.begin(), "accel");
  std::istringstream in;
  std::ostringstream out, err;
  accel::cli::Console console{in, out, err};
  const int code = accel::cli::main(static_cast<int>(args.size()), args.data(), console);
  return {code, out.str(), err.str()};
}

}  // namespace

TEST_CASE("accel env --no_python prints the report and exits 0", "[env_command]") {
  const Run r = run_accel({"env", "--no_python"});
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::StartsWith("Copy-and-paste the text below in your GitHub issue"));
  CHECK_THAT(r.out, Catch::Contains("- python: not probed (--no_python)"));
}

TEST_CASE("launch flags after -- reach the launch plan", "[env_command]") {
  const Run r = run_accel({"env", "--no_python", "--json", "--", "--num_processes", "4", "--cpu"});
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("\"source\": \"--num_processes\""));
  CHECK_THAT(r.out, Catch::Contains("\"last_rank\": 3"));
}

TEST_CASE("an unknown accel env flag is a usage error", "[env_command]") {
  const Run r = run_accel({"env", "--bogus"});
  CHECK(r.code == accel::cli::kExitUsage);
  CHECK_THAT(r.err, Catch::Contains("--bogus"));
}
