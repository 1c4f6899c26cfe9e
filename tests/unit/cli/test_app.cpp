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

TEST_CASE("the version flag prints the version and exits 0", "[app]") {
  const auto r = run_accel({"--version"});
  CHECK(r.code == 0);
  CHECK(r.out.find("accel 0.") != std::string::npos);
}

TEST_CASE("the help flag lists the subcommands and the exit codes", "[app]") {
  const auto r = run_accel({"--help"});
  CHECK(r.code == 0);
  CHECK(r.out.find("config") != std::string::npos);
  CHECK(r.out.find("launch") != std::string::npos);
  CHECK(r.out.find("Exit codes") != std::string::npos);
}

TEST_CASE("no subcommand or an unknown one is a usage error (exit 2)", "[app]") {
  auto r = run_accel({});
  CHECK(r.code == accel::cli::kExitUsage);
  CHECK(r.err.find("accel: error:") != std::string::npos);
  r = run_accel({"frobnicate"});
  CHECK(r.code == accel::cli::kExitUsage);
  CHECK(r.err.find("frobnicate") != std::string::npos);
}

TEST_CASE("a `--` before the launch script is argparse's marker, after it the script's", "[app]") {
  // Parsing only: a missing script is reported by launch, not by CLI11.
  auto r = run_accel({"launch", "--cpu", "--", "/nonexistent/train.py", "--", "--lr"});
  CHECK(r.code == accel::cli::kExitUsage);
  CHECK(r.err.find("/nonexistent/train.py") != std::string::npos);
  CHECK(r.err.find("not expected") == std::string::npos);
  r = run_accel({"launch", "--bogus", "--", "train.py"});
  CHECK(r.code == accel::cli::kExitUsage);
  CHECK(r.err.find("--bogus") != std::string::npos);
}
