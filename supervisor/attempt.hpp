// One attempt of a job on the event loop: spawns every worker of this
// launcher (own session, pipes for its output, log files), turns what
// happens -- worker exits, launcher signals, a stop asked by another
// machine, the grace timer -- into AttemptPolicy events, and carries out the
// policy's decisions (signals to process groups, the grace timer). Where the
// job has a cgroup, the attempt has one below it (job_cgroup.hpp) and every
// worker starts inside.
//
// Once every worker has exited the attempt ends, on the loop and without
// blocking it: SIGKILL to whatever is still in a worker's process group
// (grandchildren too), to everything in the attempt's cgroup, and to every
// other live descendant of the launcher but the orphan reaper -- what left
// the groups with setsid (descendants.hpp); then, on a timer (every 20 ms)
// and on each SIGCHLD, it reaps, sweeps and looks at the cgroup again, until
// nothing is left or 5 s have passed (a process stuck in the kernel is
// logged and left); then it removes the cgroup, flushes the workers' last
// output and calls Hooks::on_ended. end_now() does the same at once,
// blocking, for teardown.
//
// The supervisor (supervisor.cpp) owns the job-wide parts: the orphan
// reaper, the signal set and the waitpid loop, which hands this attempt the
// exits of its workers. Not thread-safe; lives on the event loop's thread.
#pragma once

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "supervisor/console_sink.hpp"
#include "supervisor/descendants.hpp"
#include "supervisor/job.hpp"
#include "supervisor/job_cgroup.hpp"
#include "supervisor/lifetime.hpp"
#include "supervisor/policy.hpp"
#include "supervisor/proc_table.hpp"
#include "supervisor/reaper.hpp"
#include "supervisor/worker_stream.hpp"

namespace accel::supervisor {

struct Consoles {
  FdSink out;
  FdSink err;
};

// A child collected by waitpid: (pid, wait status).
using ReapedChild = std::pair<pid_t, int>;

class Attempt {
 public:
  // What the attempt needs from, and tells, the supervisor. Called from
  // inside the attempt's own handlers.
  struct Hooks {
    // One pass of the supervisor's waitpid loop, which hands the exits of
    // this attempt's workers to on_reaped.
    std::function<void()> reap_children;
    // The root cause of this attempt, as soon as its exit is judged.
    std::function<void(const WorkerFailure&)> on_first_failure;
    // Everything is gone and the output flushed (not called by end_now()).
    // The last thing the attempt does in that handler: the attempt may be
    // retired, though not destroyed, from inside it.
    std::function<void()> on_ended;
  };

  // `job_cgroup`: where this attempt's cgroup goes, or null for none.
  Attempt(boost::asio::io_context& io, const JobSpec& spec, int attempt, AttemptRanks ranks,
          OrphanReaper& reaper, Consoles& consoles, JobCgroup* job_cgroup, Hooks hooks);
  Attempt(const Attempt&) = delete;
  Attempt& operator=(const Attempt&) = delete;
  // end_now() if it has not ended.
  ~Attempt();

  // Creates the attempt's cgroup (where the job has one; if that fails, the
  // attempt goes on without, with a warning) and spawns every worker into it.
  // Throws base::SystemError (and std::invalid_argument for a line prefix
  // template that does not expand); the workers already started are then
  // still this attempt's and end_now() stops them.
  void start();
  // Children collected by one pass of the waitpid loop; not ours are skipped.
  void on_reaped(std::span<const ReapedChild> children);
  // SIGCHLD: while ending, look again now rather than at the next tick.
  void on_child_signal();
  void on_launcher_signal(int signal);
  // Another machine asks for the stop (AttemptPolicy::on_stop_requested).
  void on_stop_requested(const std::string& reason);

  bool ended() const { return phase_ == Phase::Ended; }
  // Ends the attempt at once: SIGKILL to all that is left, and a blocking
  // wait (at most a few seconds) until it is gone. For teardown only.
  void end_now();

  int number() const { return attempt_; }
  const AttemptPolicy& policy() const { return policy_; }
  AttemptResult result() const;
  // The reason of the stop request that stopped the workers; empty if none.
  const std::string& stop_reason() const { return stop_reason_; }

 private:
  using Clock = std::chrono::steady_clock;

  struct Worker {
    int index = 0;       // among this launcher's workers; the policy's "local rank"
    int local_rank = 0;  // LOCAL_RANK
    int rank = 0;        // RANK
    pid_t pid = -1;      // also its process group; -1 until spawned
    Clock::time_point started;
    Clock::time_point ended;
    std::unique_ptr<WorkerStream> out;
    std::unique_ptr<WorkerStream> err;
  };
  enum class Phase { Running, Ending, Ended };

  void spawn(Worker& worker, const std::filesystem::path* log_dir);
  void apply(const Decision& decision);
  void signal_group(const Worker& worker, int signal);
  WorkerFailure failure_report(const WorkerExit& failure) const;

  // The end, step by step (see the header comment).
  void begin_ending();
  void kill_what_is_left();
  bool nothing_left();  // one look; kills what it finds
  void look_again_after(Clock::duration delay);
  void step_ending();
  void conclude(bool nothing_left);

  boost::asio::io_context& io_;
  const JobSpec& spec_;
  int attempt_;
  AttemptRanks ranks_;
  OrphanReaper& reaper_;
  Consoles& consoles_;
  JobCgroup* job_cgroup_;
  Hooks hooks_;
  std::unique_ptr<AttemptCgroup> cgroup_;  // null: none (no job cgroup, or it failed)
  AttemptPolicy policy_;
  std::vector<Worker> workers_;
  std::string stop_reason_;
  Phase phase_ = Phase::Running;
  boost::asio::steady_timer grace_timer_;
  // While ending: the next look, the deadline, and the subreaper sweep.
  boost::asio::steady_timer end_timer_;
  Clock::time_point end_deadline_;
  ProcFsTable process_table_;
  std::optional<DescendantSweep> sweep_;
  Lifetime lifetime_;  // last: ends first
};

}  // namespace accel::supervisor
