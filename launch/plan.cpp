#include "launch/plan.hpp"

#include "launch/accelerate_env.hpp"
#include "launch/launcher_checks.hpp"
#include "launch/master_port.hpp"
#include "launch/worker_command.hpp"
#include "rendezvous/env_names.hpp"

namespace accel::launch {

namespace {

std::optional<std::string> variable(const base::Environment& env, const char* name) {
  const auto it = env.find(name);
  if (it == env.end()) return std::nullopt;
  return it->second;
}

// What resolution needs to know about this machine. --cpu jobs never look at
// GPUs, so they do not pay for loading NVML.
config::HostFacts host_facts(const config::LaunchFlags& flags,
                             const base::Environment& launcher_env, host::HostProbe& host) {
  config::HostFacts facts;
  if (!flags.cpu) {
    const host::GpuFacts gpus = host.gpus();
    facts.visible_gpus = gpus.visible_count;
    facts.physical_gpus = gpus.physical_count;
  }
  facts.physical_cpu_cores = host.physical_cpu_cores();
  facts.omp_num_threads = variable(launcher_env, env::kOmpNumThreads);
  return facts;
}

Problem output_options(const LaunchRequest& request, const config::LaunchSpec& spec,
                       supervisor::OutputOptions& output) {
  output.prefix_lines =
      spec.nproc_per_node > 1 && request.console_is_terminal && !request.no_prefix;
  if (request.local_ranks_filter) {
    std::set<int> ranks;
    if (Problem problem =
            parse_local_ranks(*request.local_ranks_filter, spec.nproc_per_node, ranks))
      return problem;
    output.local_ranks_filter = std::move(ranks);
  }
  if (request.log_dir) output.log_dir = *request.log_dir;
  output.tee_stdout = request.tee == "1" || request.tee == "3";
  output.tee_stderr = request.tee == "2" || request.tee == "3";
  return std::nullopt;
}

supervisor::JobSpec job_spec(const LaunchRequest& request, const config::LaunchSpec& spec,
                             const config::HostFacts& facts, host::HostProbe& host) {
  supervisor::JobSpec job;
  job.nproc_per_node = spec.nproc_per_node;
  job.ranks.layout = supervisor::RankLayout::for_machine(spec.machine_rank, spec.num_machines,
                                                         spec.nproc_per_node);
  job.ranks.master_addr = spec.master_addr;
  job.ranks.master_port = spec.master_port;
  job.run_id = request.run_id ? *request.run_id : host.random_run_id();
  job.role = request.role;
  job.hostname = host.hostname();
  // One GPU per local rank (ACCEL_LOCAL_DEVICE), counted within the devices
  // CUDA_VISIBLE_DEVICES leaves the workers.
  if (spec.path != config::LaunchPath::kSimple || (!spec.use_cpu && facts.visible_gpus > 0)) {
    for (int local_rank = 0; local_rank < spec.nproc_per_node; ++local_rank) {
      job.local_devices.push_back(local_rank);
    }
  }
  job.max_restarts = request.max_restarts;
  job.grace_period = std::chrono::milliseconds(
      static_cast<long long>(request.grace_period_seconds * 1000));  // bounded: one day at most
  return job;
}

std::string ignored_notice(const IgnoredFlag& ignored) {
  return "accel launch: " + ignored.flag + " ignored: " + ignored.reason + "\n";
}

}  // namespace

PlanResult plan_launch(const LaunchRequest& request, const config::ClusterConfig* config,
                       const std::string& config_path, const base::Environment& launcher_env,
                       host::HostProbe& host) {
  PlanResult result;
  const auto fail = [&result](LaunchError error) {
    result.error = std::move(error);
    return result;
  };
  if (Problem problem = check_launcher_flags(request)) return fail(*problem);
  config::LaunchFlags flags = request.flags;
  if (request.nproc_per_node_keyword) {
    int count = 0;
    if (Problem problem = resolve_nproc_keyword(*request.nproc_per_node_keyword, host, count))
      return fail(*problem);
    flags.nproc_per_node = count;
  }

  const config::HostFacts facts = host_facts(flags, launcher_env, host);
  const config::LaunchResolution resolution =
      config::resolve_launch(flags, config, config_path, facts);
  if (!resolution.error.empty()) return fail(LaunchError{resolution.error, 2});
  LaunchPlan plan;
  plan.spec = resolution.spec;
  config::LaunchSpec& spec = plan.spec;

  const std::string processes_flag =
      spec.sources.num_processes.empty() ? "--num_processes" : spec.sources.num_processes;
  if (Problem problem = check_process_limits(host.process_limits(), spec.nproc_per_node,
                                             request.log_dir.has_value(), processes_flag)) {
    return fail(*problem);
  }
  supervisor::OutputOptions output;
  if (Problem problem = output_options(request, spec, output)) return fail(*problem);

  WorkerCommandRequest command{request.command,
                               spec.module,
                               spec.no_python,
                               request.python,
                               variable(launcher_env, env::kAccelPython),
                               variable(launcher_env, "PATH").value_or("")};
  std::vector<std::string> argv;
  if (std::string error = resolve_worker_argv(command, host, argv); !error.empty()) {
    return fail(LaunchError{error, 2});
  }

  for (const IgnoredFlag& ignored : request.ignored)
    plan.notices.push_back(ignored_notice(ignored));
  if (!request.quiet) {
    if (std::string notice = config::format_defaults_notice(resolution.defaulted); !notice.empty())
      plan.notices.push_back(std::move(notice));
  }
  int port = 0;
  if (Problem problem = choose_master_port(spec, request.standalone, host, port, plan.notices))
    return fail(*problem);
  spec.master_port = port;

  plan.job = job_spec(request, spec, facts, host);
  plan.job.output = std::move(output);
  plan.job.argv = std::move(argv);
  plan.job.env = merge_environment(
      launcher_env, accelerate_variables(spec, launcher_env, host.current_directory()));
  result.plan = std::move(plan);
  return result;
}

}  // namespace accel::launch
