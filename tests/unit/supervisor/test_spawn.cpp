// Looking up a worker's program on PATH before fork.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "supervisor/job_fixture.hpp"
#include "supervisor/spawn.hpp"

using accel::supervisor::resolve_executable;
using accel::supervisor::testing::TempDir;

namespace {
void make_file(const std::filesystem::path& path, mode_t mode) {
  std::ofstream(path) << "#!/bin/sh\n";
  ::chmod(path.c_str(), mode);
}
}  // namespace

TEST_CASE("resolve_executable: a name with a slash is used as is", "[supervisor][spawn]") {
  CHECK(resolve_executable("./train", {"PATH=/usr/bin"}) == "./train");
  CHECK(resolve_executable("/no/such/prog", {}) == "/no/such/prog");
}

TEST_CASE("resolve_executable: the first executable file on the worker's PATH",
          "[supervisor][spawn]") {
  TempDir dir;
  auto first = dir.path() / "first";
  auto second = dir.path() / "second";
  std::filesystem::create_directories(first);
  std::filesystem::create_directories(second);
  make_file(first / "tool", 0644);  // not executable: skipped
  make_file(second / "tool", 0755);
  std::filesystem::create_directories(first / "dir_tool");  // a directory: skipped
  make_file(second / "dir_tool", 0755);
  std::string path = "PATH=" + first.string() + ":" + second.string();

  CHECK(resolve_executable("tool", {"HOME=/x", path}) == (second / "tool").string());
  CHECK(resolve_executable("dir_tool", {path}) == (second / "dir_tool").string());
  CHECK(resolve_executable("missing", {path}).empty());
}

TEST_CASE("resolve_executable: without PATH in the worker env, the launcher's is used",
          "[supervisor][spawn]") {
  CHECK(resolve_executable("sh", {"HOME=/root"}).ends_with("/sh"));
}
