// What one `accel launch` command line asks for, as parsed (cli/launch_flags
// binds every flag to these fields) and before anything is checked: planning
// (plan.hpp) checks and resolves it. Defaults are the flags' defaults.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/launch_spec.hpp"

namespace accel::launch {

// A flag `accelerate launch` or torchrun accepts that has no effect under
// accel (TPU pods, mpirun, SageMaker's AWS keys, ...). Accepted, so existing
// command lines run, and named in a one-line notice.
struct IgnoredFlag {
  std::string flag;    // "--tpu_use_sudo"
  std::string reason;  // "TPU pods are launched by accelerate launch"
};

struct LaunchRequest {
  config::LaunchFlags flags;  // what config resolution needs (config/launch_spec.hpp)
  // torchrun's --nproc_per_node auto|cpu|gpu, resolved against this machine
  // (a number goes to flags.nproc_per_node).
  std::optional<std::string> nproc_per_node_keyword;

  // Launcher behaviour, not part of Accelerate's resolution.
  bool quiet = false;             // -q: no notice about defaulted values
  int max_restarts = 0;           // restarts of the whole group after a failure
  double monitor_interval = 0.1;  // accepted for torchrun compatibility; accel is event-driven
  std::string role = "default";
  std::string tee = "0";  // torchrun's --tee: 0 none, 1 stdout, 2 stderr, 3 both
  std::optional<std::string> log_dir;
  std::optional<std::string> local_ranks_filter;  // "0,2": only these local ranks reach the console
  std::optional<std::string> run_id;              // --rdzv_id / --run_id
  // torchrun's --rdzv_endpoint HOST[:PORT]: machine 0's address (and port),
  // the same as --main_process_ip / --main_process_port.
  std::optional<std::string> rdzv_endpoint;
  std::string rdzv_backend = "static";
  std::string rdzv_conf;
  bool same_network = false;
  bool standalone = false;  // torchrun's --standalone: one machine, a free port
  double grace_period_seconds = 30;
  bool no_prefix = false;
  // torchrun's --log_line_prefix_template (else TORCHELASTIC_LOG_LINE_PREFIX_TEMPLATE):
  // ${rank}, ${local_rank}, ${role_name} and accel's ${host}.
  std::optional<std::string> log_line_prefix_template;
  std::optional<std::string> ranks_filter;  // "0,3": only these global ranks reach the console

  // Several machines (rendezvous/, served by machine 0's launcher).
  std::optional<std::string> rdzv_bind;   // address machine 0 serves on; default: all
  double join_timeout_seconds = 600;      // how long members wait for the whole job
  double heartbeat_interval_seconds = 1;  // how often members report to machine 0
  double heartbeat_timeout_seconds = 10;  // silence after which a member counts as lost
  std::optional<std::string> rdzv_token;  // --rdzv_token; else ACCEL_RDZV_TOKEN
  std::optional<std::string> python;      // --python; else ACCEL_PYTHON; else python3 on PATH
  std::vector<IgnoredFlag> ignored;

  // Whether worker output goes to a terminal (lines get a [rankN]: prefix then).
  bool console_is_terminal = false;

  // The script (or module, or executable) and its arguments, verbatim.
  std::vector<std::string> command;
};

}  // namespace accel::launch
