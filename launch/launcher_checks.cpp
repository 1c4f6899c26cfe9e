#include "launch/launcher_checks.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "launch/endpoint.hpp"
#include "supervisor/line_prefix.hpp"

namespace accel::launch {

namespace {

// A double as the user would have typed it: "30", "0.5", "1e+18", "nan".
std::string number_text(double value) {
  char text[32];
  const int length = std::snprintf(text, sizeof text, "%g", value);  // %g fits: at most ~13 chars
  return length > 0 ? std::string(text, static_cast<std::size_t>(length)) : std::string("?");
}

// Descriptors the launcher holds per worker: the read ends of its stdout and
// stderr pipes for the whole attempt, plus both log files with --log_dir.
constexpr long long kFilesPerWorker = 2;
constexpr long long kLogFilesPerWorker = 2;
// The event loop, signal pipe, reaper pipe, cgroup files and the write ends
// of the pipe being set up: a generous constant rather than a census.
constexpr long long kLauncherFiles = 32;

// `value` seconds of `flag` above 0 and at most a day.
Problem check_seconds(const char* flag, double value, const char* what) {
  if (std::isfinite(value) && value > 0 && value <= kMaxGracePeriodSeconds) return std::nullopt;
  return usage_error(std::string(flag) + " " + number_text(value) + " is out of range; give " +
                     what + ", above 0 and at most 86400 (one day)");
}

Problem check_rendezvous_flags(const LaunchRequest& request) {
  if (Problem problem = check_seconds("--join_timeout", request.join_timeout_seconds,
                                      "the seconds to wait for every machine to join"))
    return problem;
  if (Problem problem = check_seconds("--heartbeat_interval", request.heartbeat_interval_seconds,
                                      "the seconds between two heartbeats"))
    return problem;
  if (Problem problem =
          check_seconds("--heartbeat_timeout", request.heartbeat_timeout_seconds,
                        "the seconds of silence after which a machine counts as lost"))
    return problem;
  if (request.heartbeat_timeout_seconds <= request.heartbeat_interval_seconds) {
    return usage_error("--heartbeat_timeout " + number_text(request.heartbeat_timeout_seconds) +
                       " must exceed --heartbeat_interval " +
                       number_text(request.heartbeat_interval_seconds) +
                       ", or every machine would count as lost between two heartbeats; e.g. "
                       "--heartbeat_timeout 10 with --heartbeat_interval 1");
  }
  if (request.rdzv_token && request.rdzv_token->empty()) {
    return usage_error(
        "--rdzv_token is empty; give the job's secret, the same on every machine (a job script "
        "quoting an unset variable?), or leave the flag out");
  }
  if (request.rdzv_bind && request.rdzv_bind->empty()) {
    return usage_error(
        "--rdzv_bind is empty; give the address of the interface machine 0 serves on, or leave "
        "the flag out to serve on every interface");
  }
  return std::nullopt;
}

// "0,3" -> {0, 3}: comma-separated numbers, each in [0, count); the first
// entry that is not gets `refuse(entry)`.
template <typename Refuse>
Problem parse_rank_list(const std::string& text, int count, std::set<int>& ranks,
                        const Refuse& refuse) {
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string entry = text.substr(start, comma - start);
    char* end = nullptr;
    const long rank = std::strtol(entry.c_str(), &end, 10);
    if (entry.empty() || *end != '\0' || rank < 0 || rank >= count) return refuse(entry);
    ranks.insert(static_cast<int>(rank));
    start = comma + 1;
  }
  return std::nullopt;
}

}  // namespace

Problem check_launcher_flags(const LaunchRequest& request) {
  const double grace = request.grace_period_seconds;
  if (!std::isfinite(grace) || grace < 0 || grace > kMaxGracePeriodSeconds) {
    return usage_error("--grace_period " + number_text(grace) +
                       " is out of range; give the seconds workers get to exit after SIGTERM, "
                       "from 0 to 86400 (one day)");
  }
  if (request.max_restarts < 0) {
    return usage_error("--max_restarts " + std::to_string(request.max_restarts) +
                       " is out of range; give 0 (no restarts, the default) or more");
  }
  const double interval = request.monitor_interval;
  if (!std::isfinite(interval) || interval <= 0 || interval > kMaxGracePeriodSeconds) {
    return usage_error("--monitor_interval " + number_text(interval) +
                       " is out of range; give seconds above 0 (accel ignores the value: it "
                       "notices worker exits at once)");
  }
  if (const auto& threads = request.flags.num_cpu_threads_per_process; threads && *threads < 1) {
    return usage_error("--num_cpu_threads_per_process " + std::to_string(*threads) +
                       " is out of range; give 1 or more threads per worker (OMP_NUM_THREADS)");
  }
  if (request.standalone && request.flags.num_machines.value_or(1) != 1) {
    return usage_error("--standalone runs a job on this machine alone, but --num_machines is " +
                       std::to_string(*request.flags.num_machines) +
                       "; drop --standalone, or --num_machines");
  }
  return check_rendezvous_flags(request);
}

Problem apply_rdzv_endpoint(const LaunchRequest& request, config::LaunchFlags& flags) {
  if (!request.rdzv_endpoint) return std::nullopt;
  std::string host;
  std::optional<int> port;
  if (!split_endpoint(*request.rdzv_endpoint, host, port)) {
    return usage_error("--rdzv_endpoint '" + *request.rdzv_endpoint +
                       "' is not HOST or HOST:PORT (machine 0's address, e.g. node1:29500 or "
                       "[fd00::1]:29500)");
  }
  if (flags.main_process_ip && *flags.main_process_ip != host) {
    return usage_error("--rdzv_endpoint names machine 0 " + host + ", but --main_process_ip is " +
                       *flags.main_process_ip + "; give one of them");
  }
  if (port && flags.main_process_port && *flags.main_process_port != *port) {
    return usage_error("--rdzv_endpoint names port " + std::to_string(*port) +
                       ", but --main_process_port is " + std::to_string(*flags.main_process_port) +
                       "; give one of them");
  }
  flags.main_process_ip = host;
  if (port) flags.main_process_port = port;
  return std::nullopt;
}

Problem check_line_prefix_template(const std::string& text, const std::string& origin) {
  // One grammar for the check and the expansion: the supervisor's.
  if (std::optional<std::string> problem = supervisor::line_prefix_problem(text)) {
    return usage_error(origin + " '" + text + "': " + *problem);
  }
  return std::nullopt;
}

Problem parse_ranks_filter(const std::string& text, int world_size, std::set<int>& ranks) {
  return parse_rank_list(text, world_size, ranks, [&](const std::string& entry) {
    return usage_error("--ranks_filter: '" + entry + "' is not a rank of this job (0-" +
                       std::to_string(world_size - 1) + "); use e.g. 0 or 0,3");
  });
}

Problem resolve_nproc_keyword(const std::string& keyword, host::HostProbe& host, int& count) {
  if (keyword == "cpu") {
    count = host.logical_cpus();
  } else if (keyword == "gpu" || keyword == "auto") {
    const host::GpuFacts gpus = host.gpus();
    if (gpus.visible_count > 0) {
      count = gpus.visible_count;
    } else if (keyword == "auto") {
      count = host.logical_cpus();
    } else {
      return usage_error("--nproc_per_node gpu: this machine shows no GPU" +
                         (gpus.note.empty() ? std::string() : " (" + gpus.note + ")") +
                         "; give a number of processes, or cpu");
    }
  } else {
    return usage_error("--nproc_per_node " + keyword +
                       " is not supported; give a number, or auto, cpu or gpu");
  }
  return std::nullopt;
}

Problem parse_local_ranks(const std::string& text, int nproc_per_node, std::set<int>& ranks) {
  return parse_rank_list(text, nproc_per_node, ranks, [&](const std::string& entry) {
    return usage_error("--local_ranks_filter: '" + entry +
                       "' is not a local rank of this machine (0-" +
                       std::to_string(nproc_per_node - 1) + "); use e.g. 0 or 0,2");
  });
}

Problem check_process_limits(const host::ProcessLimits& limits, int workers, bool log_files,
                             const std::string& processes_flag) {
  const std::string asked = processes_flag + " asks for " + std::to_string(workers) +
                            (workers == 1 ? " worker" : " workers") + " on this machine";
  // The workers and the orphan reaper are new processes of this user.
  const long long tasks_needed = workers + 1LL;
  if (limits.max_user_tasks && limits.user_tasks + tasks_needed > *limits.max_user_tasks) {
    return usage_error(asked + ", but this user may run " + std::to_string(*limits.max_user_tasks) +
                       " processes and threads (ulimit -u) and already runs " +
                       std::to_string(limits.user_tasks) +
                       "; start fewer workers, or raise the limit (ulimit -u)");
  }
  const long long files_needed = limits.open_files + kLauncherFiles +
                                 workers * (kFilesPerWorker + (log_files ? kLogFilesPerWorker : 0));
  if (limits.max_open_files && files_needed > *limits.max_open_files) {
    std::string remedy;
    if (!limits.max_open_files_hard || files_needed <= *limits.max_open_files_hard) {
      remedy = "raise the limit first (ulimit -n " + std::to_string(files_needed) +
               "), or start fewer workers";
    } else {
      remedy = "the hard limit is " + std::to_string(*limits.max_open_files_hard) +
               ", so start fewer workers on this machine";
    }
    return usage_error(asked + ", which needs about " + std::to_string(files_needed) +
                       " open files in the launcher (a pipe per output stream of each worker" +
                       (log_files ? ", and its log files" : "") + "), but the limit is " +
                       std::to_string(*limits.max_open_files) + " (ulimit -n); " + remedy);
  }
  return std::nullopt;
}

}  // namespace accel::launch
