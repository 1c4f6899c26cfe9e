#include "supervisor/attempt.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/system_error.hpp"
#include "supervisor/exit_status.hpp"
#include "supervisor/line_prefix.hpp"
#include "supervisor/log.hpp"
#include "supervisor/log_files.hpp"
#include "supervisor/spawn.hpp"
#include "supervisor/summary.hpp"
#include "supervisor/worker_env.hpp"

namespace accel::supervisor {

namespace {

// Bigger pipes mean fewer wakeups for a chatty worker (and fewer stalls of
// its writes). 1 MiB is Linux's default cap for unprivileged processes; a
// refusal only costs speed.
constexpr int kPipeSize = 1024 * 1024;

// How long the end of an attempt waits for killed processes to disappear.
// SIGKILL is immediate unless a process is stuck in the kernel (D state).
constexpr auto kExitTimeout = std::chrono::seconds(5);
// How often the end looks again without a SIGCHLD: a grandchild that dies
// while its parent lives signals nobody, nor does a cgroup that empties.
constexpr auto kLookAgainAfter = std::chrono::milliseconds(20);

base::Pipe make_output_pipe() {
  base::Pipe pipe = base::make_pipe();
  ::fcntl(pipe.write_end.get(), F_SETPIPE_SZ, kPipeSize);
  return pipe;
}

bool group_exists(pid_t group) {
  return ::kill(-group, 0) == 0 || errno != ESRCH;
}

std::string describe(const ExitStatus& status) {
  return status.signal != 0 ? "was killed by " + signal_name(status.signal)
                            : "exited with code " + std::to_string(status.code);
}

}  // namespace

Attempt::Attempt(boost::asio::io_context& io, const JobSpec& spec, int attempt, AttemptRanks ranks,
                 OrphanReaper& reaper, Consoles& consoles, JobCgroup* job_cgroup, Hooks hooks)
    : io_(io),
      spec_(spec),
      attempt_(attempt),
      ranks_(std::move(ranks)),
      reaper_(reaper),
      consoles_(consoles),
      job_cgroup_(job_cgroup),
      hooks_(std::move(hooks)),
      policy_(spec.nproc_per_node),
      workers_(static_cast<std::size_t>(spec.nproc_per_node)),
      grace_timer_(io),
      end_timer_(io) {}

Attempt::~Attempt() {
  end_now();
}

void Attempt::start() {
  if (job_cgroup_ != nullptr) {
    try {
      cgroup_ = job_cgroup_->start_attempt(attempt_);
    } catch (const base::SystemError& error) {
      log()->warn(
          "attempt {} runs without a cgroup ({}); what leaves the workers' process groups is "
          "stopped by the subreaper sweep, not if the launcher is killed",
          attempt_, error.what());
    }
  }
  std::optional<std::filesystem::path> log_dir;
  if (spec_.output.log_dir) {
    log_dir = attempt_log_dir(*spec_.output.log_dir, spec_.run_id, attempt_);
    prepare_attempt_log_dir(*log_dir);
  }
  for (int index = 0; index < spec_.nproc_per_node; ++index) {
    Worker& worker = workers_[static_cast<std::size_t>(index)];
    worker.index = index;
    worker.local_rank = local_rank(ranks_.layout, index);
    worker.rank = global_rank(ranks_.layout, index);
    spawn(worker, log_dir ? &*log_dir : nullptr);
  }
}

void Attempt::spawn(Worker& worker, const std::filesystem::path* log_dir) {
  const OutputOptions& output = spec_.output;
  const bool rank_shown =
      (!output.local_ranks_filter || output.local_ranks_filter->contains(worker.local_rank)) &&
      (!output.ranks_filter || output.ranks_filter->contains(worker.rank));
  const bool stdout_shown = rank_shown && (!output.log_dir || output.tee_stdout);
  const bool stderr_shown = rank_shown && (!output.log_dir || output.tee_stderr);
  std::string prefix;
  if (output.line_prefix_template) {
    prefix = expand_line_prefix(
        *output.line_prefix_template,
        LinePrefixFields{worker.rank, worker.local_rank, spec_.role, spec_.hostname});
  } else if (output.prefix_lines) {
    prefix = "[rank" + std::to_string(worker.rank) + "]:";
  }

  StreamDestinations out{stdout_shown ? &consoles_.out : nullptr, prefix, base::UniqueFd(), false};
  StreamDestinations err{stderr_shown ? &consoles_.err : nullptr, prefix, base::UniqueFd(), true};
  if (log_dir != nullptr) {
    WorkerLogFiles files = open_worker_logs(*log_dir, worker.local_rank);
    out.log_file = std::move(files.stdout_log);
    err.log_file = std::move(files.stderr_log);
  }

  base::Pipe stdout_pipe = make_output_pipe();
  base::Pipe stderr_pipe = make_output_pipe();
  SpawnRequest request{spec_.argv,
                       worker_environment(spec_, ranks_, worker.index, attempt_),
                       stdout_pipe.write_end.get(),
                       stderr_pipe.write_end.get(),
                       reaper_.registration_fd(),
                       cgroup_ ? cgroup_->procs_fd() : -1};
  worker.pid = spawn_worker(request);
  worker.started = Clock::now();
  // The write ends close here: from now on only the worker (and whatever it
  // starts) holds them, so EOF means they are all gone.
  worker.out = std::make_unique<WorkerStream>(io_, std::move(stdout_pipe.read_end), std::move(out));
  worker.err = std::make_unique<WorkerStream>(io_, std::move(stderr_pipe.read_end), std::move(err));
  worker.out->start();
  worker.err->start();
  log()->debug("attempt {}: started rank {} (local rank {}) as pid {}", attempt_, worker.rank,
               worker.local_rank, worker.pid);
}

void Attempt::on_reaped(std::span<const ReapedChild> children) {
  // While ending, every worker has been judged; the rest is the sweep's.
  if (phase_ != Phase::Running) return;
  std::vector<WorkerExit> exits;
  for (const auto& [pid, wait_status] : children) {
    for (Worker& worker : workers_) {
      if (worker.pid != pid || !policy_.running(worker.index)) continue;
      worker.ended = Clock::now();
      // Everything the worker wrote is in its pipes now; read it before the
      // failure is judged, so the summary has its last words.
      worker.out->drain();
      worker.err->drain();
      ExitStatus status = ExitStatus::from_wait_status(wait_status);
      log()->debug("attempt {}: rank {} (pid {}) {}", attempt_, worker.rank, pid, describe(status));
      exits.push_back(WorkerExit{worker.index, status});
    }
  }
  if (exits.empty()) return;
  const std::size_t failures_before = policy_.failures().size();
  Decision decision = policy_.on_exits(exits);
  if (failures_before == 0 && !policy_.failures().empty()) {
    const WorkerExit& root = policy_.failures().front();
    if (decision.signal != 0) {
      log()->error("rank {} {}; stopping the other workers (SIGTERM, then SIGKILL after {})",
                   workers_[static_cast<std::size_t>(root.local_rank)].rank, describe(root.status),
                   format_duration(spec_.grace_period));
    }
    if (hooks_.on_first_failure) hooks_.on_first_failure(failure_report(root));
  }
  apply(decision);
  if (policy_.finished()) begin_ending();
}

void Attempt::on_child_signal() {
  if (phase_ == Phase::Ending) step_ending();
}

void Attempt::on_launcher_signal(int signal) {
  if (phase_ == Phase::Ended) return;
  Decision decision = policy_.on_launcher_signal(signal);
  if (decision.signal == SIGKILL) {
    log()->warn("{} again: killing the workers now", signal_name(signal));
  } else if (decision.arm_grace_timer) {
    log()->warn("{} received: forwarded to the workers; SIGKILL in {}", signal_name(signal),
                format_duration(spec_.grace_period));
  } else if (decision.signal != 0) {
    log()->info("{} received: forwarded to the workers", signal_name(signal));
  }
  apply(decision);
}

void Attempt::on_stop_requested(const std::string& reason) {
  if (phase_ != Phase::Running) return;
  Decision decision = policy_.on_stop_requested();
  if (decision.signal == 0) return;  // already stopping, or nobody left
  stop_reason_ = reason;
  log()->warn("stop requested by another machine ({}): SIGTERM to the workers, SIGKILL in {}",
              reason, format_duration(spec_.grace_period));
  apply(decision);
}

void Attempt::apply(const Decision& decision) {
  if (decision.signal != 0) {
    if (decision.signal == SIGKILL) grace_timer_.cancel();
    for (const Worker& worker : workers_) {
      if (worker.pid > 0 && policy_.running(worker.index)) {
        signal_group(worker, decision.signal);
      }
    }
  }
  if (decision.arm_grace_timer) {
    grace_timer_.expires_after(spec_.grace_period);
    grace_timer_.async_wait(
        [this, watch = lifetime_.watch()](const boost::system::error_code& error) {
          if (error || watch.ended()) return;  // cancelled, or `this` is gone
          Decision expired = policy_.on_grace_expired();
          if (expired.signal != 0) {
            log()->warn("grace period of {} over: killing the workers still running",
                        format_duration(spec_.grace_period));
          }
          apply(expired);
        });
  }
}

void Attempt::signal_group(const Worker& worker, int signal) {
  if (::kill(-worker.pid, signal) == 0) return;
  if (errno == ESRCH && policy_.running(worker.index)) {
    // No such group yet: the worker was forked an instant ago and has not
    // called setsid(), so a signal to the group would be lost and the worker
    // would run on until the grace period ends. It is our child and not
    // reaped (running), so its pid is still its own; before setsid it has
    // started nothing, so the worker alone is the whole group-to-be. Its
    // signals are blocked until it resets their dispositions, so the signal
    // then acts as the default action, as it would after exec.
    if (::kill(worker.pid, signal) == 0) return;
  }
  // ESRCH: the group is already gone, which is what we wanted.
  if (errno != ESRCH) {
    log()->warn("cannot send {} to rank {} (process group {}): {}", signal_name(signal),
                worker.rank, worker.pid, std::strerror(errno));
  }
}

void Attempt::begin_ending() {
  phase_ = Phase::Ending;
  grace_timer_.cancel();
  end_deadline_ = Clock::now() + kExitTimeout;
  sweep_.emplace(process_table_, ::getpid(), reaper_.pid());
  kill_what_is_left();
  // The first look from a handler of its own, not from inside the waitpid
  // pass that brought the last exit.
  look_again_after(Clock::duration::zero());
}

void Attempt::kill_what_is_left() {
  for (const Worker& worker : workers_) {
    if (worker.pid > 0) signal_group(worker, SIGKILL);
  }
  // All a worker ever started, wherever it went.
  if (cgroup_) cgroup_->kill();
}

bool Attempt::nothing_left() {
  hooks_.reap_children();
  bool cgroup_empty = true;
  if (cgroup_ && !cgroup_->empty()) {
    cgroup_empty = false;
    cgroup_->kill();  // without cgroup.kill: the next pass over its pids
  }
  // Then what is outside any cgroup of ours (everything, where there is
  // none): the groups are killed, but what left them (setsid) lives on.
  // When the sweep sees no live descendant, every zombie left is our child,
  // and one more pass of waitpid empties the groups.
  const bool family_gone = sweep_->kill_round();
  if (family_gone) hooks_.reap_children();
  return cgroup_empty && family_gone;
}

void Attempt::look_again_after(Clock::duration delay) {
  end_timer_.expires_after(delay);
  end_timer_.async_wait([this, watch = lifetime_.watch()](const boost::system::error_code& error) {
    if (error || watch.ended()) return;
    step_ending();
  });
}

void Attempt::step_ending() {
  if (phase_ != Phase::Ending) return;
  const bool done = nothing_left();
  if (!done && Clock::now() < end_deadline_) {
    look_again_after(kLookAgainAfter);
    return;
  }
  conclude(done);
  if (hooks_.on_ended) hooks_.on_ended();
}

void Attempt::end_now() {
  if (phase_ == Phase::Ended) return;
  if (phase_ == Phase::Running) {
    phase_ = Phase::Ending;
    grace_timer_.cancel();
    end_deadline_ = Clock::now() + kExitTimeout;
    sweep_.emplace(process_table_, ::getpid(), reaper_.pid());
    kill_what_is_left();
  }
  // Blocking on purpose: the supervisor is closing (or could not start the
  // attempt), and nothing may be left behind, whatever the loop does next.
  bool done = nothing_left();
  while (!done && Clock::now() < end_deadline_) {
    ::poll(nullptr, 0, static_cast<int>(kLookAgainAfter.count()));
    done = nothing_left();
  }
  conclude(done);
}

void Attempt::conclude(bool nothing_left) {
  phase_ = Phase::Ended;
  end_timer_.cancel();
  grace_timer_.cancel();
  if (!nothing_left) sweep_->give_up();
  const SweepReport& report = sweep_->report();
  log()->debug("attempt {}: subreaper sweep sent {} SIGKILL(s) in {} round(s)", attempt_,
               report.signalled, report.rounds);
  for (const ProcessRecord& survivor : report.survivors) {
    log()->warn(
        "process {} ({}), started by a worker, is still alive {} after SIGKILL", survivor.pid,
        survivor.name,
        format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(kExitTimeout)));
  }
  if (cgroup_) {
    cgroup_->remove();  // a cgroup still populated stays, with a warning
    cgroup_.reset();
  }
  for (Worker& worker : workers_) {
    if (worker.pid > 0 && !group_exists(worker.pid)) reaper_.forget(worker.pid);
    if (worker.out) worker.out->finish();
    if (worker.err) worker.err->finish();
  }
}

WorkerFailure Attempt::failure_report(const WorkerExit& failure) const {
  const Worker& worker = workers_[static_cast<std::size_t>(failure.local_rank)];
  WorkerFailure report;
  report.rank = worker.rank;
  report.local_rank = worker.local_rank;
  report.host = spec_.hostname;
  report.pid = worker.pid;
  report.exit_code = failure.status.code;
  report.signal = failure.status.signal;
  report.run_time =
      std::chrono::duration_cast<std::chrono::milliseconds>(worker.ended - worker.started);
  report.stderr_tail = worker.err->tail().last_lines(20);
  return report;
}

AttemptResult Attempt::result() const {
  AttemptResult result;
  result.attempt = attempt_;
  for (const WorkerExit& failure : policy_.failures()) {
    result.failures.push_back(failure_report(failure));
  }
  return result;
}

}  // namespace accel::supervisor
