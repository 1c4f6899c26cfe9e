// The worker argv: .py under Python, -m modules, executables directly, and
// every "cannot run this" caught before anything starts.
#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "cli/errors.hpp"
#include "cli/launch_worker_command.hpp"
#include "cli/port_probe.hpp"

using accel::cli::worker_argv;
using accel::cli::WorkerCommandRequest;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char pattern[] = "/tmp/accel-launch-test-XXXXXX";
    REQUIRE(::mkdtemp(pattern) != nullptr);
    path = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name, mode_t mode) const {
    const auto full = path / name;
    std::ofstream(full) << "#!/bin/sh\n";
    REQUIRE(::chmod(full.c_str(), mode) == 0);
    return full.string();
  }
};

}  // namespace

TEST_CASE("a .py script runs under the chosen Python with its arguments verbatim",
          "[launch_worker_command]") {
  TempDir dir;
  const std::string script = dir.file("train.py", 0644);
  const std::string python = dir.file("python3", 0755);
  WorkerCommandRequest request{{script, "--help", "a b"}, false, false, std::nullopt, std::nullopt,
                               dir.path.string()};
  CHECK(worker_argv(request) == std::vector<std::string>{python, script, "--help", "a b"});
  request.accel_python_env = "/bin/sh";
  CHECK(worker_argv(request).front() == "/bin/sh");
  request.python = python;
  CHECK(worker_argv(request).front() == python);
}

TEST_CASE("flag -m runs a module; --no_python and other files run directly",
          "[launch_worker_command]") {
  TempDir dir;
  const std::string python = dir.file("python3", 0755);
  const std::string tool = dir.file("tool", 0755);
  CHECK(worker_argv({{"pkg.train", "x"}, true, false, {}, {}, dir.path.string()}) ==
        std::vector<std::string>{python, "-m", "pkg.train", "x"});
  CHECK(worker_argv({{tool, "y"}, false, false, {}, {}, ""}) ==
        std::vector<std::string>{tool, "y"});
  CHECK(worker_argv({{"tool"}, false, true, {}, {}, dir.path.string()}) ==
        std::vector<std::string>{tool});
  const std::string script = dir.file("run.py", 0755);
  CHECK(worker_argv({{script}, false, true, {}, {}, ""}) == std::vector<std::string>{script});
}

TEST_CASE("what cannot run is refused with the file named", "[launch_worker_command]") {
  TempDir dir;
  const std::string missing = (dir.path / "missing.py").string();
  CHECK_THROWS_WITH(
      worker_argv({{missing}, false, false, {}, {}, "/usr/bin"}),
      "script " + missing + " cannot be opened: No such file or directory; check the path");
  const std::string plain = dir.file("data.sh", 0644);
  CHECK_THROWS_WITH(
      worker_argv({{plain}, false, false, {}, {}, ""}),
      plain +
          " is not an executable file; chmod +x it, or give it a .py name to run it with Python");
  const std::string script = dir.file("ok.py", 0644);
  CHECK_THROWS_WITH(
      worker_argv({{script}, false, false, {}, {}, dir.path.string()}),
      "python3 was not found on PATH; pass --python /path/to/python or set ACCEL_PYTHON");
  CHECK_THROWS_WITH(worker_argv({{script}, false, false, std::string("/nope/python"), {}, ""}),
                    "--python /nope/python: not an executable file (No such file or directory); "
                    "give the path of a "
                    "Python interpreter");
  CHECK_THROWS_WITH(
      worker_argv({{"no-such-tool-xyz"}, false, true, {}, {}, dir.path.string()}),
      "no-such-tool-xyz was not found in the current directory or on PATH; give its path");
}

TEST_CASE("a port in use is reported as such, and a free one can be picked", "[port_probe]") {
  std::string error;
  const auto port = accel::cli::pick_free_port(error);
  REQUIRE(port);
  CHECK(*port > 0);
  CHECK(accel::cli::probe_port(*port).free);
}
