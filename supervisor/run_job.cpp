// run_job: the single machine's restart loop on a Supervisor and a loop of
// its own.
#include <boost/asio/io_context.hpp>
#include <optional>

#include "supervisor/log.hpp"
#include "supervisor/supervisor.hpp"

namespace accel::supervisor {

JobResult run_job(const JobSpec& spec) {
  boost::asio::io_context io(1);
  JobResult result;
  int interrupted_by = 0;  // job-wide: also a signal between two attempts
  bool done = false;
  std::optional<Supervisor> supervisor;

  SupervisorEvents events;
  events.on_interrupt = [&](int signal) {
    if (interrupted_by == 0) interrupted_by = signal;
  };
  events.on_attempt_end = [&](const AttemptEnd& end) {
    result.attempts = end.attempt + 1;
    if (end.outcome == AttemptOutcome::Failed) result.failed_attempts.push_back(end.result);
    result.exit_code = end.exit_code;
    result.interrupted_by = end.interrupted_by != 0 ? end.interrupted_by : interrupted_by;
    if (result.interrupted_by != 0 && result.exit_code == 0) {
      result.exit_code = 128 + result.interrupted_by;
    }
    if (interrupted_by != 0 ||
        !should_restart(end.outcome, end.interrupted_by, end.attempt, spec.max_restarts)) {
      done = true;
      return;
    }
    log()->warn("attempt {} failed (exit code {}); restarting all workers (restart {} of {})",
                end.attempt, end.exit_code, end.attempt + 1, spec.max_restarts);
    supervisor->start_attempt(end.attempt + 1, spec.ranks);
  };

  supervisor.emplace(io, spec, std::move(events));
  supervisor->start_attempt(0, spec.ranks);
  result.attempts = 1;
  // The signal set always waits, so the loop never runs out of work.
  while (!done && io.run_one() > 0) {
  }
  return result;
}

}  // namespace accel::supervisor
