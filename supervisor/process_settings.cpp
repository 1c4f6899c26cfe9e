#include "supervisor/process_settings.hpp"

#include <sys/prctl.h>

#include "base/system_error.hpp"

namespace accel::supervisor {

ProcessSettings::ProcessSettings() {
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  ACCEL_CHECK_SYSCALL(::sigaction(SIGPIPE, &ignore, &previous_sigpipe_), "sigaction(SIGPIPE)");
  ACCEL_CHECK_SYSCALL(::prctl(PR_GET_CHILD_SUBREAPER, &previous_subreaper_),
                      "prctl(PR_GET_CHILD_SUBREAPER)");
  try {
    ACCEL_CHECK_SYSCALL(::prctl(PR_SET_CHILD_SUBREAPER, 1), "prctl(PR_SET_CHILD_SUBREAPER)");
  } catch (...) {
    ::sigaction(SIGPIPE, &previous_sigpipe_, nullptr);
    throw;
  }
}

ProcessSettings::~ProcessSettings() {
  ::prctl(PR_SET_CHILD_SUBREAPER, previous_subreaper_);
  ::sigaction(SIGPIPE, &previous_sigpipe_, nullptr);
}

void add_sa_restart(int signal) {
  struct sigaction action {};
  ACCEL_CHECK_SYSCALL(::sigaction(signal, nullptr, &action), "sigaction");
  action.sa_flags |= SA_RESTART;
  ACCEL_CHECK_SYSCALL(::sigaction(signal, &action, nullptr), "sigaction");
}

}  // namespace accel::supervisor
