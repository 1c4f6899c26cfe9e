// The launcher's error model. Inside the libraries, results are returned as
// data (diagnostics lists, result structs); the cli layer turns a problem the
// user must fix into a UserError, and cli::main is the one place that catches
// it, prints it and picks the exit code.
#pragma once

#include <stdexcept>
#include <string>

namespace accel::cli {

// Documented in docs/cli.md; keep them in sync.
enum ExitCode : int {
  kExitOk = 0,            // success
  kExitFailure = 1,       // the job or a runtime operation failed
  kExitUsage = 2,         // bad command line, config file or other input
  kExitInterrupted = 130  // interrupted (Ctrl-C); signals in general: 128+N
};

// A problem the user can fix. The message already says what was wrong, where
// (file:line:column, flag name) and what to do; it may span several lines.
class UserError : public std::runtime_error {
 public:
  explicit UserError(const std::string& message, int exit_code = kExitUsage)
      : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

}  // namespace accel::cli
