// Running a short helper program and keeping what it prints, with a hard
// deadline: `accel env` asks python3 for torch's and accelerate's versions,
// and an interpreter that hangs (a site-packages hook waiting on the
// network, a broken NFS home) must cost the report ten seconds, not the
// user's patience.
//
// The child gets its own process group, stdin from /dev/null, stdout into a
// pipe and stderr into a second pipe (both kept, each up to a cap); at the
// deadline the whole group gets SIGKILL and is reaped. A program that cannot
// be started is a result (`started` false, `error` says why), never an
// exception; only a failed pipe/poll of our own throws base::SystemError.
// Not for workers: the supervisor's spawn.hpp handles those. Thread-safe as
// fork/exec are (no shared state of ours).
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace accel::base {

struct CapturedRun {
  bool started = false;    // the program was found and exec'd
  bool timed_out = false;  // killed at the deadline
  int exit_code = -1;      // its exit status when it exited on its own, else -1
  int signal = 0;          // the signal that ended it, else 0
  std::string output;      // its stdout (up to kCapturedOutputLimit bytes)
  std::string errors;      // its stderr (up to kCapturedOutputLimit bytes)
  std::string error;       // why it did not start, or how it ended badly; "" on exit 0
};

// Output beyond this is read and dropped, so a chatty child cannot fill memory.
inline constexpr std::size_t kCapturedOutputLimit = 1 << 20;

// Runs `argv` (argv[0] a path, not searched on PATH) with this process's
// environment and waits at most `timeout` for it to exit.
CapturedRun run_captured(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

}  // namespace accel::base
