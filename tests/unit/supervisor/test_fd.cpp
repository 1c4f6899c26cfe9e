// Descriptors: close-on-exec pipes and complete writes.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <string>
#include <vector>

#include "supervisor/fd.hpp"
#include "supervisor/job_fixture.hpp"

using namespace accel::supervisor;

TEST_CASE("fd: pipes are close-on-exec and closed once", "[supervisor][fd]") {
  Pipe pipe = make_pipe();
  CHECK((::fcntl(pipe.read_end.get(), F_GETFD) & FD_CLOEXEC) != 0);
  CHECK((::fcntl(pipe.write_end.get(), F_GETFD) & FD_CLOEXEC) != 0);
  int fd = pipe.read_end.get();
  UniqueFd moved = std::move(pipe.read_end);
  CHECK_FALSE(pipe.read_end.valid());
  CHECK(moved.get() == fd);
  moved.reset();
  CHECK(::fcntl(fd, F_GETFD) == -1);
}

TEST_CASE("fd: write_all writes more parts than one writev takes", "[supervisor][fd]") {
  testing::TempDir dir;
  auto path = dir.path() / "out";
  UniqueFd file(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  std::vector<std::string> pieces;
  for (int i = 0; i < 3000; ++i) pieces.push_back(std::to_string(i) + ",");
  std::vector<iovec> parts;
  std::string expected;
  for (auto& piece : pieces) {
    parts.push_back(iovec{piece.data(), piece.size()});
    parts.push_back(iovec{nullptr, 0});  // empty parts are fine
    expected += piece;
  }
  REQUIRE(write_all(file.get(), parts));
  CHECK(testing::read_file(path) == expected);
}

TEST_CASE("fd: write_all to a pipe nobody reads fails with EPIPE", "[supervisor][fd]") {
  struct sigaction ignore {
  }, previous{};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &previous);
  Pipe pipe = make_pipe();
  pipe.read_end.reset();
  CHECK_FALSE(write_all(pipe.write_end.get(), "x", 1));
  CHECK(errno == EPIPE);
  ::sigaction(SIGPIPE, &previous, nullptr);
}

TEST_CASE("fd: write_all waits for a full non-blocking pipe to drain", "[supervisor][fd]") {
  Pipe pipe = make_pipe();
  set_nonblocking(pipe.write_end.get());
  std::string big(1 << 20, 'z');  // larger than the pipe
  pid_t reader = ::fork();
  REQUIRE(reader >= 0);
  if (reader == 0) {
    pipe.write_end.reset();
    char buffer[65536];
    std::size_t total = 0;
    ssize_t got;
    while ((got = ::read(pipe.read_end.get(), buffer, sizeof buffer)) > 0)
      total += static_cast<std::size_t>(got);
    ::_exit(total == (1u << 20) ? 0 : 1);
  }
  pipe.read_end.reset();
  CHECK(write_all(pipe.write_end.get(), big.data(), big.size()));
  pipe.write_end.reset();
  int status = 0;
  ::waitpid(reader, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
