#include "launch/plan.hpp"

#include "launch/accelerate_env.hpp"
#include "launch/inherited_environment.hpp"
#include "launch/job_shape.hpp"
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
                       JobSystem job_system, const base::Environment& launcher_env,
                       supervisor::OutputOptions& output, OutputPlan& plan) {
  if (request.log_line_prefix_template) {
    if (request.no_prefix) {
      return usage_error(
          "--no_prefix and --log_line_prefix_template were both given; drop one of them");
    }
    if (Problem problem = check_line_prefix_template(*request.log_line_prefix_template,
                                                     "--log_line_prefix_template"))
      return problem;
    plan.line_prefix_template = request.log_line_prefix_template;
  } else if (const auto from_env = variable(launcher_env, "TORCHELASTIC_LOG_LINE_PREFIX_TEMPLATE");
             from_env && !request.no_prefix) {
    if (Problem problem =
            check_line_prefix_template(*from_env, "TORCHELASTIC_LOG_LINE_PREFIX_TEMPLATE"))
      return problem;
    plan.line_prefix_template = from_env;
  }
  // Under SLURM every node's output lands in one file: a rank on each line
  // is the only way to tell them apart.
  plan.prefix_lines = !request.no_prefix &&
                      ((spec.nproc_per_node > 1 && request.console_is_terminal) ||
                       job_system == JobSystem::kSlurm || plan.line_prefix_template.has_value());
  output.prefix_lines = plan.prefix_lines;
  if (request.local_ranks_filter) {
    std::set<int> ranks;
    if (Problem problem =
            parse_local_ranks(*request.local_ranks_filter, spec.nproc_per_node, ranks))
      return problem;
    output.local_ranks_filter = std::move(ranks);
  }
  if (request.ranks_filter) {
    std::set<int> ranks;
    if (Problem problem = parse_ranks_filter(*request.ranks_filter, spec.num_processes, ranks))
      return problem;
    plan.ranks_filter = std::move(ranks);
  }
  if (request.log_dir) output.log_dir = *request.log_dir;
  output.tee_stdout = request.tee == "1" || request.tee == "3";
  output.tee_stderr = request.tee == "2" || request.tee == "3";
  return std::nullopt;
}

// --debug: where each value of the launch came from, one line each.
void add_value_origins(const LaunchPlan& plan, std::vector<std::string>& notices) {
  const config::LaunchSpec& spec = plan.spec;
  const auto line = [&notices](const std::string& name, const std::string& value,
                               const std::string& source) {
    notices.push_back("accel launch: " + name + "=" + value + " (" +
                      (source.empty() ? "default" : source) + ")\n");
  };
  line("num_processes", std::to_string(spec.num_processes), spec.sources.num_processes);
  line("num_machines", std::to_string(spec.num_machines), spec.sources.num_machines);
  line("machine_rank", std::to_string(spec.machine_rank), spec.sources.machine_rank);
  if (spec.main_process_ip)
    line("main_process_ip", *spec.main_process_ip, spec.sources.main_process_ip);
  line("main_process_port", std::to_string(spec.master_port), spec.sources.master_port);
  const RendezvousPlan& rdzv = plan.rendezvous;
  line("run_id", rdzv.job_id, rdzv.job_id_source);
  notices.push_back("accel launch: member " + std::to_string(rdzv.member_index) + " of " +
                    std::to_string(rdzv.member_count) + " (" +
                    (rdzv.serve ? "serves" : "joins " + rdzv.server_host) + " the rendezvous" +
                    (rdzv.member_count > 1 ? " on port " + std::to_string(rdzv.port) : "") + "), " +
                    std::to_string(rdzv.local_workers) + " worker(s) from rank " +
                    std::to_string(rdzv.layout.first_rank) +
                    ", job environment: " + describe(plan.job_system) + "\n");
}

supervisor::JobSpec job_spec(const LaunchRequest& request, const config::LaunchSpec& spec,
                             const config::HostFacts& facts, host::HostProbe& host) {
  // run_id: the rendezvous plan's job id, the same on every machine.
  supervisor::JobSpec job;
  job.nproc_per_node = spec.nproc_per_node;
  // The rank layout and MASTER_ADDR/PORT: the rendezvous plan's layout
  // replaces this one in plan_launch; several machines get MASTER_PORT from
  // machine 0's server at run time.
  job.ranks.layout = supervisor::RankLayout::for_machine(spec.machine_rank, spec.num_machines,
                                                         spec.nproc_per_node);
  job.ranks.master_addr = spec.master_addr;
  job.ranks.master_port = spec.master_port;
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
  JobEnvironment job_environment;
  if (Problem problem = read_job_environment(launcher_env, job_environment)) return fail(*problem);
  config::LaunchFlags flags = request.flags;
  std::optional<std::string> nproc_keyword = request.nproc_per_node_keyword;
  if (Problem problem = apply_rdzv_endpoint(request, flags)) return fail(*problem);
  if (Problem problem =
          apply_job_environment(job_environment, request.standalone, flags, nproc_keyword))
    return fail(*problem);
  if (nproc_keyword) {
    int count = 0;
    if (Problem problem = resolve_nproc_keyword(*nproc_keyword, host, count)) return fail(*problem);
    flags.nproc_per_node = count;
  }

  const config::HostFacts facts = host_facts(flags, launcher_env, host);
  const config::LaunchResolution resolution =
      config::resolve_launch(flags, config, config_path, facts);
  if (!resolution.error.empty()) return fail(LaunchError{resolution.error, 2});
  LaunchPlan plan;
  plan.spec = resolution.spec;
  plan.job_system = job_environment.system;
  config::LaunchSpec& spec = plan.spec;
  if (Problem problem =
          plan_rendezvous(request, spec, job_environment, launcher_env, host, plan.rendezvous))
    return fail(*problem);
  const int local_workers = plan.rendezvous.local_workers;

  const std::string processes_flag =
      spec.sources.num_processes.empty() ? "--num_processes" : spec.sources.num_processes;
  if (Problem problem = check_process_limits(host.process_limits(), local_workers,
                                             request.log_dir.has_value(), processes_flag)) {
    return fail(*problem);
  }
  supervisor::OutputOptions output;
  if (Problem problem =
          output_options(request, spec, job_environment.system, launcher_env, output, plan.output))
    return fail(*problem);

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
  for (const std::string& notice : job_environment.notices) plan.notices.push_back(notice);
  if (!plan.rendezvous.shape_notice.empty()) plan.notices.push_back(plan.rendezvous.shape_notice);
  if (!request.quiet) {
    if (std::string notice = config::format_defaults_notice(resolution.defaulted); !notice.empty())
      plan.notices.push_back(std::move(notice));
  }
  // Several machines: machine 0's server hands out MASTER_PORT at run time;
  // the spec keeps main_process_port until then.
  if (plan.rendezvous.member_count == 1) {
    int port = 0;
    if (Problem problem = choose_master_port(spec, request.standalone, host, port, plan.notices))
      return fail(*problem);
    spec.master_port = port;
  }
  if (spec.debug) add_value_origins(plan, plan.notices);

  plan.job = job_spec(request, spec, facts, host);
  plan.job.run_id = plan.rendezvous.job_id;
  if (plan.rendezvous.shape == LaunchShape::kSlurmPerTask) {
    // One worker; its GPU is the task's own when SLURM left the task several
    // (all of the node's), else the one it sees.
    plan.job.nproc_per_node = 1;
    if (!plan.job.local_devices.empty()) {
      const int local_id = plan.rendezvous.layout.first_local_rank;
      plan.job.local_devices = {facts.visible_gpus > local_id ? local_id : 0};
    }
  }
  const WorkerLayout& layout = plan.rendezvous.layout;
  plan.job.ranks.layout =
      supervisor::RankLayout{layout.first_rank,       layout.world_size, layout.first_local_rank,
                             layout.local_world_size, layout.group_rank, layout.group_world_size};
  output.line_prefix_template = plan.output.line_prefix_template;
  output.ranks_filter = plan.output.ranks_filter;
  plan.job.output = std::move(output);
  plan.job.argv = std::move(argv);
  plan.job.env =
      merge_environment(inherited_environment(launcher_env),
                        accelerate_variables(spec, launcher_env, host.current_directory()));
  result.plan = std::move(plan);
  return result;
}

}  // namespace accel::launch
