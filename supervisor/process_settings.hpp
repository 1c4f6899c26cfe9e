// The process-wide settings a supervisor needs while it lives, restored
// when it goes: SIGPIPE ignored (a console that went away is an EPIPE
// return, not death) and the process a child subreaper (orphaned
// grandchildren are reparented to the launcher rather than to init, so it
// can wait until a killed process group is really gone, and sweep what left
// the groups: descendants.hpp).
//
// Not thread-safe; one at a time per process.
#pragma once

#include <csignal>

namespace accel::supervisor {

class ProcessSettings {
 public:
  // Throws base::SystemError.
  ProcessSettings();
  ~ProcessSettings();
  ProcessSettings(const ProcessSettings&) = delete;
  ProcessSettings& operator=(const ProcessSettings&) = delete;

 private:
  struct sigaction previous_sigpipe_ {};
  int previous_subreaper_ = 0;
};

// Adds SA_RESTART to the handler installed for `signal` (Asio installs its
// own without it), so the launcher's blocking calls -- stderr logging above
// all -- are not cut short by SIGCHLD. The handler itself stays Asio's;
// epoll_wait is never restarted anyway. Throws base::SystemError.
void add_sa_restart(int signal);

}  // namespace accel::supervisor
