// The checks on accel's own launcher flags and on what this machine allows,
// run before anything is started: a bound on every number (a grace period of
// 1e18 seconds or -1 restarts is a typo, not a wish), torchrun's symbolic
// --nproc_per_node, and the process and descriptor limits a large job would
// hit halfway through starting. Pure functions; each problem names the flag
// or the limit and says what to do.
#pragma once

#include <set>
#include <string>

#include "config/launch_spec.hpp"
#include "host/host_probe.hpp"
#include "launch/launch_error.hpp"
#include "launch/launch_request.hpp"

namespace accel::launch {

inline constexpr double kMaxGracePeriodSeconds = 24 * 60 * 60;  // one day

// --grace_period, --max_restarts, --monitor_interval,
// --num_cpu_threads_per_process, --standalone with several machines, the
// rendezvous timing (--join_timeout, --heartbeat_interval below
// --heartbeat_timeout), and --rdzv_token / --rdzv_bind given empty.
Problem check_launcher_flags(const LaunchRequest& request);

// torchrun's --rdzv_endpoint HOST[:PORT] as --main_process_ip and
// --main_process_port; a different value given both ways is an error.
Problem apply_rdzv_endpoint(const LaunchRequest& request, config::LaunchFlags& flags);

// A log line prefix template (torchrun's --log_line_prefix_template, Python
// string.Template syntax): only ${rank}, ${local_rank}, ${role_name} and
// accel's ${host}; $$ is a dollar sign. `origin` names the flag or variable.
Problem check_line_prefix_template(const std::string& text, const std::string& origin);

// --ranks_filter "0,3": global ranks of a world of `world_size`.
Problem parse_ranks_filter(const std::string& text, int world_size, std::set<int>& ranks);

// torchrun's --nproc_per_node auto (the visible GPUs, else the logical
// CPUs), cpu (the logical CPUs) or gpu (the visible GPUs; none is an error).
Problem resolve_nproc_keyword(const std::string& keyword, host::HostProbe& host, int& count);

// --local_ranks_filter "0,2" for a machine running `nproc_per_node` workers.
Problem parse_local_ranks(const std::string& text, int nproc_per_node, std::set<int>& ranks);

// Whether `workers` more processes, and the pipes (and with `log_files` the
// files) the launcher keeps for each, fit under RLIMIT_NPROC and
// RLIMIT_NOFILE. `processes_flag` names the flag that asked for them.
Problem check_process_limits(const host::ProcessLimits& limits, int workers, bool log_files,
                             const std::string& processes_flag);

}  // namespace accel::launch
