// Planning one machine's share of an `accel launch`: the command line, the
// loaded config file and the answers of a HostProbe go in; the supervisor's
// JobSpec (worker command, the environment every worker shares, ranks,
// output and failure settings) and the notices to print come out. Nothing
// is started and nothing is read from the process or the machine except
// through the probe, so every rule is unit-tested (tests/unit/launch/).
//
// Order of the checks, as a user meets them: launcher flags, then the job
// environment (SLURM, mpirun, PET_*; job_environment.hpp), then config
// resolution (flag > job environment > config file > default;
// job_shape.hpp, config/launch_spec.hpp), then the machine's limits, the
// worker command, the rendezvous (rendezvous_plan.hpp) and last the port,
// the only step that may pick something for the user.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/environment.hpp"
#include "config/cluster_config.hpp"
#include "config/launch_spec.hpp"
#include "host/host_probe.hpp"
#include "launch/job_environment.hpp"
#include "launch/launch_error.hpp"
#include "launch/launch_request.hpp"
#include "launch/rendezvous_plan.hpp"
#include "supervisor/job.hpp"

namespace accel::launch {

// Output decisions beyond what supervisor::OutputOptions holds today; the
// caller copies them into OutputOptions (line_prefix_template, ranks_filter).
struct OutputPlan {
  // Prefix every line with its rank: several workers on a terminal, or
  // under SLURM, where every node's output lands in one file; never with
  // --no_prefix. Also set in job.output.prefix_lines.
  bool prefix_lines = false;
  // --log_line_prefix_template, else TORCHELASTIC_LOG_LINE_PREFIX_TEMPLATE; checked.
  std::optional<std::string> line_prefix_template;
  // --ranks_filter: global ranks whose output reaches the console.
  std::optional<std::set<int>> ranks_filter;
};

struct LaunchPlan {
  // nproc_per_node is the workers this launcher starts (1 per SLURM task);
  // rendezvous.layout holds their ranks, for the JobSpec's rank layout.
  supervisor::JobSpec job;
  config::LaunchSpec spec;  // the resolved values, for --debug logs
  RendezvousPlan rendezvous;
  OutputPlan output;
  JobSystem job_system = JobSystem::kNone;  // what started this launcher, as far as told
  // Lines for stderr before the job starts, each ending in '\n': ignored
  // flags, the job environment's notices, the per-task shape line,
  // Accelerate's notice about defaulted values (unless -q), a port that was
  // replaced, and with --debug where each value came from
  // ("accel launch: machine_rank=1 (SLURM_NODEID)").
  std::vector<std::string> notices;
};

struct PlanResult {
  std::optional<LaunchPlan> plan;
  std::optional<LaunchError> error;  // set exactly when plan is not
};

// `config` is the loaded config file (nullptr when none is used) and
// `config_path` its path, for messages. `launcher_env` is the launcher's
// environment, which every worker inherits.
PlanResult plan_launch(const LaunchRequest& request, const config::ClusterConfig* config,
                       const std::string& config_path, const base::Environment& launcher_env,
                       host::HostProbe& host);

}  // namespace accel::launch
