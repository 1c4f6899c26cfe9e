#include "supervisor/supervisor.hpp"

#include <sys/wait.h>

#include <boost/asio/post.hpp>
#include <csignal>
#include <stdexcept>
#include <utility>
#include <vector>

#include "base/system_error.hpp"
#include "supervisor/line_prefix.hpp"
#include "supervisor/log.hpp"
#include "supervisor/worker_env.hpp"

namespace accel::supervisor {

namespace {

constexpr int kHandledSignals[] = {SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2};

bool stops_the_job(int signal) {
  return signal == SIGINT || signal == SIGTERM || signal == SIGHUP;
}

void validate(const JobSpec& spec) {
  if (spec.argv.empty() || spec.argv.front().empty()) {
    throw std::invalid_argument("supervisor: JobSpec.argv is empty (nothing to run)");
  }
  if (spec.nproc_per_node < 1) {
    throw std::invalid_argument("supervisor: JobSpec.nproc_per_node must be at least 1, not " +
                                std::to_string(spec.nproc_per_node));
  }
  if (spec.output.line_prefix_template) {
    if (auto problem = line_prefix_problem(*spec.output.line_prefix_template)) {
      throw std::invalid_argument("supervisor: log line prefix template '" +
                                  *spec.output.line_prefix_template + "': " + *problem);
    }
  }
}

}  // namespace

Supervisor::Supervisor(boost::asio::io_context& io, JobSpec spec, SupervisorEvents events)
    : io_(io),
      spec_(std::move(spec)),
      events_(std::move(events)),
      signals_(io),
      consoles_{FdSink(spec_.output.console_stdout_fd, "stdout"),
                FdSink(spec_.output.console_stderr_fd, "stderr")} {
  validate(spec_);
  // On a throw below, the members made so far undo themselves (the reaper
  // ends, the cgroup goes, the settings are restored), and the signal set
  // gives the signals back.
  settings_.emplace();
  JobCgroup::Creation cgroup{nullptr, "not wanted (JobSpec.use_cgroup is false)"};
  if (spec_.use_cgroup) cgroup = JobCgroup::create_for_this_process();
  job_cgroup_ = std::move(cgroup.cgroup);
  if (job_cgroup_) {
    log()->debug("each attempt runs in a cgroup of its own under {}, ended with {}",
                 job_cgroup_->path().string(),
                 job_cgroup_->has_kill_file() ? "cgroup.kill" : "SIGKILL to each pid in it");
  } else {
    log()->debug(
        "no cgroup for the job: {}; what leaves the workers' process groups is stopped "
        "by the subreaper sweep",
        cgroup.why_not);
  }
  // Forked once the job cgroup exists, so that the reaper holds it and can
  // end it; the reaper stays outside it, so cgroup.kill never takes the
  // reaper along.
  reaper_.emplace(job_cgroup_.get());
  for (int signal : kHandledSignals) {
    signals_.add(signal);
    add_sa_restart(signal);
  }
  wait_for_signal();
}

Supervisor::~Supervisor() {
  close();
}

void Supervisor::close() {
  if (closed_) return;
  closed_ = true;
  // Queued handlers of ours do nothing from now on.
  lifetime_.end();
  try {
    if (current_) current_->end_now();
  } catch (const std::exception& error) {
    log()->error("stopping the workers while closing: {}", error.what());
  }
  current_.reset();
  retired_.reset();
  end_pending_ = false;
  boost::system::error_code ignored;
  signals_.cancel(ignored);
  signals_.clear(ignored);  // the default dispositions again
  if (job_cgroup_) job_cgroup_->remove();
  if (reaper_) reaper_->finish();
  job_cgroup_.reset();
  settings_.reset();
}

void Supervisor::start_attempt(int attempt, const AttemptRanks& ranks) {
  if (closed_) throw std::logic_error("Supervisor::start_attempt after close()");
  if (attempt_running()) {
    throw std::logic_error("Supervisor::start_attempt(" + std::to_string(attempt) +
                           "): an attempt is still running");
  }
  if (auto problem = rank_layout_problem(ranks, spec_.nproc_per_node)) {
    throw std::invalid_argument("Supervisor::start_attempt: " + *problem);
  }
  retired_.reset();
  interrupt_reported_ = false;
  Attempt::Hooks hooks;
  hooks.reap_children = [this] { reap_children(); };
  hooks.on_first_failure = [this](const WorkerFailure& failure) {
    if (events_.on_first_failure) {
      notify([callback = events_.on_first_failure, failure] { callback(failure); });
    }
  };
  hooks.on_ended = [this] { on_attempt_ended(); };
  current_ = std::make_unique<Attempt>(io_, spec_, attempt, ranks, *reaper_, consoles_,
                                       job_cgroup_.get(), std::move(hooks));
  try {
    current_->start();
  } catch (...) {
    current_->end_now();
    current_.reset();
    throw;
  }
}

void Supervisor::stop(std::string reason) {
  if (current_) current_->on_stop_requested(reason);
}

bool Supervisor::attempt_running() const {
  return current_ != nullptr || end_pending_;
}

void Supervisor::wait_for_signal() {
  signals_.async_wait(
      [this, watch = lifetime_.watch()](const boost::system::error_code& error, int signal) {
        if (error || watch.ended()) return;
        on_signal(signal);
        // on_interrupt may have closed or destroyed the supervisor.
        if (!watch.ended()) wait_for_signal();
      });
}

void Supervisor::on_signal(int signal) {
  if (signal == SIGCHLD) {
    reap_children();
    if (current_) current_->on_child_signal();
    return;
  }
  if (current_) current_->on_launcher_signal(signal);
  if (stops_the_job(signal) && !interrupt_reported_) {
    interrupt_reported_ = true;
    // Called here rather than posted: a restart decided in a posted
    // on_attempt_end must not miss a signal handled before it. Last: it may
    // destroy the supervisor.
    if (events_.on_interrupt) {
      const auto callback = events_.on_interrupt;
      callback(signal);
    }
  }
}

void Supervisor::reap_children() {
  std::vector<ReapedChild> reaped;
  for (;;) {
    int wait_status = 0;
    pid_t pid = base::retry_on_eintr([&] { return ::waitpid(-1, &wait_status, WNOHANG); });
    if (pid <= 0) break;  // 0: none ready; ECHILD: no children at all
    if (pid == reaper_->pid()) {
      reaper_->reaped(wait_status);
    } else {
      reaped.emplace_back(pid, wait_status);  // a worker, or an orphan we adopted
    }
  }
  if (current_ && !reaped.empty()) current_->on_reaped(reaped);
}

void Supervisor::on_attempt_ended() {
  const AttemptPolicy& policy = current_->policy();
  AttemptEnd end;
  end.attempt = current_->number();
  end.outcome = policy.outcome();
  end.exit_code = policy.exit_code();
  end.interrupted_by = policy.interrupted_by();
  end.stop_reason = current_->stop_reason();
  end.result = current_->result();
  // Called from inside the attempt's handler: keep it until ours runs.
  retired_ = std::move(current_);
  end_pending_ = true;
  notify([this, end = std::move(end)] {
    end_pending_ = false;
    retired_.reset();
    // A copy: the callback may destroy the supervisor, and events_ with it.
    const auto callback = events_.on_attempt_end;
    if (callback) callback(end);
  });
}

void Supervisor::notify(std::function<void()> event) {
  boost::asio::post(io_, [watch = lifetime_.watch(), event = std::move(event)] {
    if (!watch.ended()) event();
  });
}

}  // namespace accel::supervisor
