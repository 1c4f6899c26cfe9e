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

enum class AttemptOutcome { Running, Succeeded, Failed, Interrupted };

class AttemptPolicy {
 public:
  explicit AttemptPolicy(int worker_count);

  // Exits collected in one pass of the reaping loop. They are judged before
  // anyone is signalled, so several workers that failed at once are all
  // failures (the first one listed is the root cause).
  Decision on_exits(std::span<const WorkerExit> exits);
  Decision on_launcher_signal(int signal);
  Decision on_grace_expired();

  bool running(int local_rank) const;
  bool finished() const { return running_count_ == 0; }
  AttemptOutcome outcome() const;
  // The failures in the order observed; the root cause first.
  const std::vector<WorkerExit>& failures() const { return failures_; }
  int interrupted_by() const { return interrupted_by_; }
  // What the launcher exits with if this attempt is the last.
  int exit_code() const;

 private:
  enum class State { Running, Stopping, Exited };
  Decision stop_everyone(int signal);

  std::vector<State> states_;
  int running_count_;
  bool stopping_ = false;  // a stop (failure or interrupt) is in progress
  int interrupted_by_ = 0;
  std::vector<WorkerExit> failures_;
};

// Restart the whole group after this attempt? Only after a failure the user
// did not interrupt, while restarts are left (attempt counts from 0).
bool should_restart(const AttemptPolicy& policy, int attempt, int max_restarts);

}  // namespace accel::supervisor
