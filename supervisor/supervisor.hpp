// The supervisor: runs this launcher's workers, attempt after attempt, on an
// event loop it is given, by DESIGN.md's rules.
//
// Supervisor lives on a single-threaded boost::asio::io_context that the
// caller runs -- the multi-machine launcher runs its rendezvous server,
// client and heartbeats on the same loop -- and never blocks it: child
// exits, output pipes, signals, the grace period and the wait for killed
// processes to disappear are all events and timers. start_attempt spawns
// spec.nproc_per_node workers with the ranks it is given; the attempt ends
// when every worker has exited (the first failure stops the others, SIGTERM
// then SIGKILL after spec.grace_period; so do SIGINT/SIGTERM/SIGHUP to the
// launcher, and stop()), then everything they started is killed and waited
// for, and SupervisorEvents::on_attempt_end reports what happened. Whether
// to start another attempt is the caller's decision; run_job is the single
// machine's: its own loop, and a restart after a failure while
// spec.max_restarts allows. Nothing here prints: worker output goes to
// spec.output's fds, launcher messages to the "accel" spdlog logger, and
// the caller formats the result (summary.hpp).
//
// Process-wide effects, from construction to close(): SIGINT, SIGTERM,
// SIGHUP, SIGUSR1, SIGUSR2 and SIGCHLD are handled by the loop (with
// SA_RESTART; reset to their defaults afterwards), SIGPIPE is ignored, and
// the process is a child subreaper (PR_SET_CHILD_SUBREAPER), so it collects
// every child it has with waitpid(-1), and at the end of each attempt it
// SIGKILLs every descendant it has but its orphan reaper (descendants.hpp):
// use it in a process whose children and their descendants are all the
// supervisor's business, one Supervisor at a time, from the loop's thread.
// Where the process's cgroup v2 is writable (and spec.use_cgroup), it makes
// accel-<pid> below it, with one cgroup per attempt that the workers join
// (job_cgroup.hpp), and removes them when it closes.
//
// Errors: a worker's failure is data in AttemptEnd / JobResult;
// base::SystemError when the launcher itself cannot do its part (pipe,
// fork, a log folder); std::invalid_argument for a JobSpec or ranks that
// make no sense (no argv, no workers, a rank outside the world, a bad line
// prefix template); std::logic_error for a call out of turn. Whatever
// happens, no worker or process started by one -- even one that left the
// worker's process group or session -- is left running once the supervisor
// is closed, even if the loop was abandoned in the middle of an attempt
// (close() then kills and waits, blocking, as a last resort). When the
// launcher is killed instead (kill -9), the orphan reaper stops the
// workers' process groups and, where there is a cgroup, everything in it;
// without a cgroup, a process that left its worker's process group (setsid)
// survives (reaper.hpp).
//
// Not thread-safe: every call on the loop's thread (or before it runs).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "supervisor/attempt.hpp"
#include "supervisor/job.hpp"
#include "supervisor/job_cgroup.hpp"
#include "supervisor/lifetime.hpp"
#include "supervisor/policy.hpp"
#include "supervisor/process_settings.hpp"
#include "supervisor/reaper.hpp"

namespace accel::supervisor {

// How an attempt ended, once every worker and every process they started is
// gone and their output is flushed.
struct AttemptEnd {
  int attempt = 0;  // as given to start_attempt
  // Succeeded, Failed (a worker here failed: result.failures), Interrupted
  // (the launcher got SIGINT/SIGTERM/SIGHUP), or Stopped (stop() alone).
  AttemptOutcome outcome = AttemptOutcome::Succeeded;
  // What `accel launch` exits with if this attempt is the last: the root
  // cause's code (128+N for signal N), 128+N for an interrupt by signal N,
  // kStoppedExitCode (1) for Stopped, 0 for Succeeded.
  int exit_code = 0;
  int interrupted_by = 0;   // the first SIGINT/SIGTERM/SIGHUP during the attempt, or 0
  std::string stop_reason;  // stop()'s reason when it stopped the workers, else empty
  AttemptResult result;     // the failures, root cause first
};

// What the supervisor tells its owner, on the loop, never from inside a
// Supervisor call: each may call anything on the Supervisor, destroy it
// included. Any may be empty.
struct SupervisorEvents {
  // The root cause of the running attempt, as soon as it is judged, while
  // the other workers are still being stopped: for telling other machines.
  // From a handler of its own, before the attempt's on_attempt_end.
  std::function<void(const WorkerFailure&)> on_first_failure;
  // SIGINT, SIGTERM or SIGHUP reached the launcher: the first one since
  // construction or the last start_attempt. From the signal's own handler,
  // once it has been forwarded to the workers (if an attempt runs): so an
  // owner that starts attempts from on_attempt_end knows of every signal
  // handled before -- one that arrives between two attempts included.
  std::function<void(int signal)> on_interrupt;
  // The attempt has ended; attempt_running() is false from now on. From a
  // handler of its own.
  std::function<void(const AttemptEnd&)> on_attempt_end;
};

class Supervisor {
 public:
  // Validates `spec` (throws std::invalid_argument), sets the process up
  // (the signals, SIGPIPE, the subreaper), creates the job cgroup where it
  // can and starts the orphan reaper. Throws base::SystemError; nothing is
  // left changed then.
  Supervisor(boost::asio::io_context& io, JobSpec spec, SupervisorEvents events);
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;
  // close().
  ~Supervisor();

  // Spawns attempt `attempt` (TORCHELASTIC_RESTART_COUNT) of the workers,
  // told `ranks`, which must fit spec.nproc_per_node workers (else
  // std::invalid_argument). std::logic_error while an attempt is running or
  // after close(). When spawning fails (base::SystemError), the workers
  // already started are killed and waited for before it throws, and no
  // on_attempt_end follows.
  void start_attempt(int attempt, const AttemptRanks& ranks);
  // Another machine asks this one to stop (its worker failed, its launcher
  // was interrupted): SIGTERM to every worker's group, SIGKILL after
  // spec.grace_period; the workers that exit now are not failures. Nothing
  // if no attempt is running or it is stopping already.
  void stop(std::string reason);
  // From start_attempt until on_attempt_end has been called.
  bool attempt_running() const;

  // Ends a running attempt at once (SIGKILL, and a blocking wait until its
  // processes are gone: no on_attempt_end), removes the job cgroup, ends the
  // orphan reaper and restores the process settings. Idempotent; never
  // throws.
  void close();

  const JobSpec& spec() const { return spec_; }

 private:
  void wait_for_signal();
  void on_signal(int signal);
  // One pass over every child that has terminated; SIGCHLD coalesces, so a
  // single signal may stand for several exits.
  void reap_children();
  void on_attempt_ended();
  // Runs `event` from a handler of its own, unless the supervisor is gone.
  void notify(std::function<void()> event);

  boost::asio::io_context& io_;
  JobSpec spec_;
  SupervisorEvents events_;
  std::optional<ProcessSettings> settings_;
  std::unique_ptr<JobCgroup> job_cgroup_;
  std::optional<OrphanReaper> reaper_;
  boost::asio::signal_set signals_;
  Consoles consoles_;
  std::unique_ptr<Attempt> current_;
  // The attempt that has just ended, until on_attempt_end is delivered: it
  // may not be destroyed inside its own handler.
  std::unique_ptr<Attempt> retired_;
  bool end_pending_ = false;
  bool interrupt_reported_ = false;
  bool closed_ = false;
  Lifetime lifetime_;  // last: ends first
};

// Runs one machine's share of a job on a loop of its own: attempt 0, then a
// new attempt after each failure the user did not interrupt, while
// spec.max_restarts allows, all with spec.ranks; returns what happened. The
// effects and errors are Supervisor's, for the duration of the call.
JobResult run_job(const JobSpec& spec);

}  // namespace accel::supervisor
