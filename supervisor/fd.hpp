// File descriptors as values: UniqueFd closes what it owns exactly once, and
// every descriptor the supervisor creates is close-on-exec, so a worker
// inherits only the three standard streams that spawn.cpp dup2()s for it.
// Not thread-safe (the supervisor is single-threaded).
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <span>
#include <utility>

namespace accel::supervisor {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

struct Pipe {
  UniqueFd read_end;
  UniqueFd write_end;
};

// pipe2(O_CLOEXEC); throws SystemError.
Pipe make_pipe();

// Sets O_NONBLOCK on `fd`; throws SystemError.
void set_nonblocking(int fd);

// Writes every byte of `parts` to `fd`, retrying partial writes and EINTR and
// waiting (poll) when a non-blocking fd is full. Returns false with errno set
// on any other error (EPIPE when the reader went away).
bool write_all(int fd, std::span<iovec> parts);
bool write_all(int fd, const void* data, std::size_t size);

}  // namespace accel::supervisor
