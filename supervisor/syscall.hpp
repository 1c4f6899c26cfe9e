// How the supervisor talks to libc: every call whose failure matters goes
// through ACCEL_CHECK_SYSCALL, which keeps the call's text and file:line so
// an error names where it happened, and retry_on_eintr(), because SIGCHLD and
// the forwarded signals interrupt blocking calls all the time. (A macro, not
// std::source_location: clang-tidy's clang 14 cannot parse libstdc++ 12's.)
//
// Error model of the supervisor part: a failure of the operating system to do
// what the launcher itself needs (pipe, fork, a log directory) throws
// SystemError; a worker's failure is data (JobResult), never an exception.
#pragma once

#include <cerrno>
#include <stdexcept>
#include <string>

namespace accel::supervisor {

struct SourcePlace {
  const char* file;
  int line;
};
#define ACCEL_HERE (::accel::supervisor::SourcePlace{__FILE__, __LINE__})

class SystemError : public std::runtime_error {
 public:
  SystemError(const std::string& what_failed, int error_number, SourcePlace where);
  int error_number() const { return error_number_; }

 private:
  int error_number_;
};

// Throws SystemError(what, errno) when `result` is -1; returns it otherwise.
template <typename T>
T check_syscall(T result, const char* what, SourcePlace where) {
  if (result == static_cast<T>(-1)) throw SystemError(what, errno, where);
  return result;
}

#define ACCEL_CHECK_SYSCALL(call, what) \
  ::accel::supervisor::check_syscall((call), (what), ACCEL_HERE)

// Calls `call()` again while it fails with EINTR; returns its last result.
template <typename Call>
auto retry_on_eintr(Call&& call) {
  for (;;) {
    auto result = call();
    if (!(result == -1 && errno == EINTR)) return result;
  }
}

}  // namespace accel::supervisor
