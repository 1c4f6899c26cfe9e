// How the supervisor talks to libc: every call whose failure matters goes
// through check_syscall(), which keeps the call's text and source location so
// an error names where it happened, and retry_on_eintr(), because SIGCHLD and
// the forwarded signals interrupt blocking calls all the time.
//
// Error model of the supervisor part: a failure of the operating system to do
// what the launcher itself needs (pipe, fork, a log directory) throws
// SystemError; a worker's failure is data (JobResult), never an exception.
#pragma once

#include <cerrno>
#include <source_location>
#include <stdexcept>
#include <string>

namespace accel::supervisor {

class SystemError : public std::runtime_error {
 public:
  SystemError(const std::string& what_failed, int error_number,
              std::source_location where = std::source_location::current());
  int error_number() const { return error_number_; }

 private:
  int error_number_;
};

// Throws SystemError(what, errno) when `result` is -1; returns it otherwise.
template <typename T>
T check_syscall(T result, const char* what,
                std::source_location where = std::source_location::current()) {
  if (result == static_cast<T>(-1)) throw SystemError(what, errno, where);
  return result;
}

// Calls `call()` again while it fails with EINTR; returns its last result.
template <typename Call>
auto retry_on_eintr(Call&& call) {
  for (;;) {
    auto result = call();
    if (!(result == -1 && errno == EINTR)) return result;
  }
}

}  // namespace accel::supervisor
