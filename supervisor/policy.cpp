#include "supervisor/policy.hpp"

#include <csignal>

namespace accel::supervisor {

AttemptPolicy::AttemptPolicy(int worker_count)
    : states_(static_cast<std::size_t>(worker_count), State::Running),
      running_count_(worker_count) {}

bool AttemptPolicy::running(int local_rank) const {
  return states_.at(static_cast<std::size_t>(local_rank)) != State::Exited;
}

Decision AttemptPolicy::stop_everyone(int signal) {
  stopping_ = true;
  for (State& state : states_) {
    if (state == State::Running) state = State::Stopping;
  }
  if (finished()) return {};
  return Decision{signal, true};
}

Decision AttemptPolicy::on_exits(std::span<const WorkerExit> exits) {
  for (const WorkerExit& exit : exits) {
    State& state = states_.at(static_cast<std::size_t>(exit.local_rank));
    if (state == State::Exited) continue;  // reported twice: keep the first
    if (state == State::Running && !exit.status.success()) failures_.push_back(exit);
    state = State::Exited;
    --running_count_;
  }
  if (!failures_.empty() && !stopping_) return stop_everyone(SIGTERM);
  return {};
}

Decision AttemptPolicy::on_launcher_signal(int signal) {
  switch (signal) {
    case SIGUSR1:
    case SIGUSR2: return finished() ? Decision{} : Decision{signal, false};
    case SIGINT:
    case SIGTERM:
    case SIGHUP:
      if (interrupted_by_ == 0) interrupted_by_ = signal;
      if (stopping_) {
        // The user asked again (or asked while we were already stopping the
        // group after a failure): no more waiting.
        return finished() ? Decision{} : Decision{SIGKILL, false};
      }
      return stop_everyone(signal);
    default: return {};
  }
}

Decision AttemptPolicy::on_stop_requested() {
  // Too late (everyone exited) or already stopping: the stop is under way or
  // moot, and a remote request is no reason to skip the grace period.
  if (stopping_ || finished()) return {};
  stop_requested_ = true;
  return stop_everyone(SIGTERM);
}

Decision AttemptPolicy::on_grace_expired() {
  if (!stopping_ || finished()) return {};
  return Decision{SIGKILL, false};
}

AttemptOutcome AttemptPolicy::outcome() const {
  if (!finished()) return AttemptOutcome::Running;
  if (!failures_.empty()) return AttemptOutcome::Failed;
  if (interrupted_by_ != 0) return AttemptOutcome::Interrupted;
  if (stop_requested_) return AttemptOutcome::Stopped;
  return AttemptOutcome::Succeeded;
}

int AttemptPolicy::exit_code() const {
  // A genuine failure is the truth about the job even when the user then
  // interrupted the shutdown; otherwise an interrupt exits as a shell would.
  if (!failures_.empty()) return failures_.front().status.shell_code();
  if (interrupted_by_ != 0) return 128 + interrupted_by_;
  if (stop_requested_) return kStoppedExitCode;
  return 0;
}

bool should_restart(AttemptOutcome outcome, int interrupted_by, int attempt, int max_restarts) {
  return outcome == AttemptOutcome::Failed && interrupted_by == 0 && attempt < max_restarts;
}

bool should_restart(const AttemptPolicy& policy, int attempt, int max_restarts) {
  return should_restart(policy.outcome(), policy.interrupted_by(), attempt, max_restarts);
}

}  // namespace accel::supervisor
