// How a process ended, as the user should read it: an exit code, or the
// signal that killed it (never the raw wait status).
#pragma once

#include <string>

namespace accel::supervisor {

struct ExitStatus {
  int code = 0;    // valid when signal == 0
  int signal = 0;  // the signal that killed the process, 0 if it exited

  bool success() const { return signal == 0 && code == 0; }
  // What a shell reports for this status: the code, or 128+N for signal N.
  int shell_code() const { return signal != 0 ? 128 + signal : code; }

  // From a waitpid() status of a process that terminated.
  static ExitStatus from_wait_status(int wait_status);
};

// "SIGKILL" for 9; "signal 70" for a number libc has no name for.
std::string signal_name(int signal);

}  // namespace accel::supervisor
