// The failure and signal rules of one attempt, as a pure state machine: the
// event loop (attempt.cpp) feeds it what happened (workers exited, the
// launcher got a signal, the grace period ran out) and carries out the
// Decision it returns. No processes, clocks or syscalls here, so every rule
// is unit-tested on its own (tests/unit/supervisor/test_policy.cpp).
//
// The rules (DESIGN.md, "Supervision rules"):
// - First failure wins: a worker exiting non-zero or by a signal that we did
//   not send is a failure; the first one is the root cause and every other
//   worker gets SIGTERM, then SIGKILL after the grace period.
// - Workers we stopped ourselves are not failures, whatever their status.
// - SIGINT/SIGTERM/SIGHUP to the launcher are forwarded and stop the attempt
//   (grace period, then SIGKILL); a second one while stopping means SIGKILL now.
// - SIGUSR1/SIGUSR2 are only forwarded (SLURM preemption notice).
// - A stop requested by another machine (its worker failed, or its launcher
//   was interrupted) stops every worker like an interrupt (SIGTERM, SIGKILL
//   after the grace period); the workers that exit afterwards are not
//   failures, a worker that had failed before still is. A second stop, or a
//   stop while already stopping, changes nothing; a launcher signal during a
//   stop means SIGKILL now, as during any stop.
// Not thread-safe; used by the event loop's one thread.
#pragma once

#include <span>
#include <vector>

#include "supervisor/exit_status.hpp"

namespace accel::supervisor {

struct WorkerExit {
  int local_rank = 0;
  ExitStatus status;
};

// What the event loop must do now. signal != 0: send it to the process group
// of every worker that is still running (running() says which).
struct Decision {
  int signal = 0;
  bool arm_grace_timer = false;
};

// Running until every worker has exited. Then Failed, Interrupted and
// Stopped may all apply at once; the first of them in that order is the
// outcome.
enum class AttemptOutcome {
  Running,
  Succeeded,
  Failed,       // a worker failed: its status is the attempt's
  Interrupted,  // SIGINT/SIGTERM/SIGHUP reached this launcher
  Stopped,      // another machine asked for the stop (on_stop_requested)
};

// The exit code of an attempt that was only stopped by another machine: not
// this machine's failure, yet the job did not succeed. The multi-machine
// layer replaces it with the code of the worker that failed elsewhere.
inline constexpr int kStoppedExitCode = 1;

class AttemptPolicy {
 public:
  explicit AttemptPolicy(int worker_count);

  // Exits collected in one pass of the reaping loop. They are judged before
  // anyone is signalled, so several workers that failed at once are all
  // failures (the first one listed is the root cause).
  Decision on_exits(std::span<const WorkerExit> exits);
  Decision on_launcher_signal(int signal);
  // Another machine asks this one to stop. Nothing when the workers have all
  // exited already, or a stop is under way (failure, interrupt, or an
  // earlier request).
  Decision on_stop_requested();
  Decision on_grace_expired();

  bool running(int local_rank) const;
  bool finished() const { return running_count_ == 0; }
  AttemptOutcome outcome() const;
  // The failures in the order observed; the root cause first.
  const std::vector<WorkerExit>& failures() const { return failures_; }
  int interrupted_by() const { return interrupted_by_; }
  // Whether a stop requested by another machine stopped the workers.
  bool stop_requested() const { return stop_requested_; }
  // What the launcher exits with if this attempt is the last.
  int exit_code() const;

 private:
  enum class State { Running, Stopping, Exited };
  Decision stop_everyone(int signal);

  std::vector<State> states_;
  int running_count_;
  bool stopping_ = false;  // a stop (failure, interrupt or request) is in progress
  int interrupted_by_ = 0;
  bool stop_requested_ = false;
  std::vector<WorkerExit> failures_;
};

// Restart the whole group after this attempt? Only after a failure the user
// did not interrupt, while restarts are left (attempt counts from 0). Never
// after a stop requested by another machine (Stopped): with several
// machines, the restart is decided for all of them together.
bool should_restart(const AttemptPolicy& policy, int attempt, int max_restarts);
// The same rule on an attempt's outcome, once the policy is gone.
bool should_restart(AttemptOutcome outcome, int interrupted_by, int attempt, int max_restarts);

}  // namespace accel::supervisor
