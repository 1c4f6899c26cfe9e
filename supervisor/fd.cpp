#include "supervisor/fd.hpp"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "supervisor/syscall.hpp"

namespace accel::supervisor {

void UniqueFd::reset(int fd) {
  // close() is not retried on EINTR: on Linux the descriptor is released
  // even then, and a retry could close a descriptor another part just got.
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

Pipe make_pipe() {
  int fds[2];
  ACCEL_CHECK_SYSCALL(::pipe2(fds, O_CLOEXEC), "pipe2");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

void set_nonblocking(int fd) {
  int flags = ACCEL_CHECK_SYSCALL(::fcntl(fd, F_GETFL), "fcntl(F_GETFL)");
  ACCEL_CHECK_SYSCALL(::fcntl(fd, F_SETFL, flags | O_NONBLOCK), "fcntl(F_SETFL, O_NONBLOCK)");
}

bool write_all(int fd, std::span<iovec> parts) {
  std::size_t first = 0;
  while (first < parts.size()) {
    if (parts[first].iov_len == 0) {
      ++first;
      continue;
    }
    int count = static_cast<int>(std::min<std::size_t>(parts.size() - first, IOV_MAX));
    ssize_t written = retry_on_eintr([&] { return ::writev(fd, &parts[first], count); });
    if (written < 0) {
      if (errno != EAGAIN) return false;
      // Someone made our console non-blocking (a shared terminal or pipe):
      // wait until it drains rather than dropping worker output.
      pollfd waiter{fd, POLLOUT, 0};
      retry_on_eintr([&] { return ::poll(&waiter, 1, -1); });
      continue;
    }
    auto left = static_cast<std::size_t>(written);
    while (first < parts.size() && left >= parts[first].iov_len) {
      left -= parts[first].iov_len;
      ++first;
    }
    if (left > 0) {
      parts[first].iov_base = static_cast<char*>(parts[first].iov_base) + left;
      parts[first].iov_len -= left;
    }
  }
  return true;
}

bool write_all(int fd, const void* data, std::size_t size) {
  iovec part{const_cast<void*>(data), size};
  return write_all(fd, std::span<iovec>(&part, 1));
}

}  // namespace accel::supervisor
