#include "launch/rendezvous_plan.hpp"

#include <cstdint>

namespace accel::launch {

namespace {

std::chrono::milliseconds milliseconds(double seconds) {
  // Bounded by check_launcher_flags (one day at most).
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

Problem choose_token(const LaunchRequest& request, const base::Environment& launcher_env,
                     host::HostProbe& host, RendezvousPlan& plan) {
  if (request.rdzv_token) {
    plan.token = *request.rdzv_token;  // not empty: check_launcher_flags
    plan.token_given = true;
  } else if (const auto it = launcher_env.find(kRdzvTokenVariable); it != launcher_env.end()) {
    if (it->second.empty()) {
      return usage_error(
          "ACCEL_RDZV_TOKEN is set but empty; set it to the job's secret on every machine (a job "
          "script quoting an unset variable?), or unset it");
    }
    plan.token = it->second;
    plan.token_given = true;
  } else if (plan.member_count == 1) {
    // Only this launcher's own workers see it: 96 random bits.
    plan.token = host.random_run_id() + host.random_run_id();
  }
  return std::nullopt;
}

void choose_job_id(const LaunchRequest& request, const config::LaunchSpec& spec,
                   const JobEnvironment& job, host::HostProbe& host, RendezvousPlan& plan) {
  if (request.run_id) {
    plan.job_id = *request.run_id;
    plan.job_id_source = "--rdzv_id";
  } else if (job.job_id && !request.standalone) {
    plan.job_id = job.job_id->value;
    plan.job_id_source = job.job_id->variable;
  } else if (plan.member_count > 1) {
    plan.job_id = job_id_from_port(spec.master_port);
    plan.job_id_source = "main_process_port";
  } else {
    plan.job_id = host.random_run_id();
    plan.job_id_source = "random";
  }
}

Problem choose_endpoint(const LaunchRequest& request, const config::LaunchSpec& spec,
                        host::HostProbe& host, RendezvousPlan& plan) {
  if (plan.member_count == 1) {
    plan.bind_address = "127.0.0.1";
    plan.server_host = "127.0.0.1";
    plan.port = 0;
    return std::nullopt;
  }
  const std::string port_flag =
      spec.sources.master_port.empty() ? "--main_process_port" : spec.sources.master_port;
  if (spec.master_port == 0) {
    return usage_error(port_flag +
                       " 0 asks for any free port, but the other machines must know machine 0's "
                       "port in advance; give the same fixed port to every machine, e.g. "
                       "--main_process_port 29500");
  }
  plan.port = spec.master_port;
  // Several machines require main_process_ip (config checks); the tasks of
  // a single node meet on it.
  plan.server_host = spec.main_process_ip.value_or("127.0.0.1");
  plan.bind_address = request.rdzv_bind.value_or("");
  if (plan.serve && host.probe_port(plan.port).state == host::PortState::kInUse) {
    const std::string holder = host.describe_port_holder(plan.port);
    return usage_error(port_flag + " " + std::to_string(plan.port) +
                       ": machine 0 serves the rendezvous there, but the port is already in use" +
                       (holder.empty() ? "" : " (by " + holder + ")") +
                       "; stop what holds it, or give every machine another port");
  }
  return std::nullopt;
}

}  // namespace

std::string job_id_from_port(int port) {
  // FNV-1a: stable across machines, builds and runs (std::hash is not).
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : "port:" + std::to_string(port)) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  std::string id = "accel-";
  constexpr int kDigits = 12;
  for (int digit = kDigits - 1; digit >= 0; --digit) {
    id += "0123456789abcdef"[(hash >> (4 * digit)) & 0xfU];
  }
  return id;
}

Problem plan_rendezvous(const LaunchRequest& request, const config::LaunchSpec& spec,
                        const JobEnvironment& job, const base::Environment& launcher_env,
                        host::HostProbe& host, RendezvousPlan& plan) {
  plan = RendezvousPlan{};
  plan.shape = launch_shape(job, request.standalone);
  plan.num_processes = spec.num_processes;
  plan.max_restarts = request.max_restarts;
  // As the user wrote it: every machine is given the same command line, while
  // the python that runs it may live elsewhere on each.
  plan.script = request.command.empty() ? std::string() : request.command.front();
  plan.join_timeout = milliseconds(request.join_timeout_seconds);
  plan.heartbeat_interval = milliseconds(request.heartbeat_interval_seconds);
  plan.heartbeat_timeout = milliseconds(request.heartbeat_timeout_seconds);
  if (plan.shape == LaunchShape::kSlurmPerTask) {
    const SlurmTask& task = *job.task;
    plan.member_index = task.proc_id.value;
    plan.member_count = task.num_tasks.value;
    plan.local_workers = 1;
    plan.layout = {task.proc_id.value,       task.num_tasks.value, task.local_id.value,
                   task.tasks_on_node.value, spec.machine_rank,    spec.num_machines};
    if (task.proc_id.value == 0) {
      plan.shape_notice = "accel launch: SLURM started one accel launch per task (" +
                          std::to_string(task.num_tasks.value) + " tasks on " +
                          std::to_string(spec.num_machines) +
                          " nodes): each supervises one worker, RANK = SLURM_PROCID, LOCAL_RANK "
                          "= SLURM_LOCALID\n";
    }
  } else {
    plan.member_index = spec.machine_rank;
    plan.member_count = spec.num_machines;
    plan.local_workers = spec.nproc_per_node;
    plan.layout = {spec.machine_rank * spec.nproc_per_node,
                   spec.num_processes,
                   0,
                   spec.nproc_per_node,
                   spec.machine_rank,
                   spec.num_machines};
  }
  plan.serve = plan.member_index == 0;
  if (Problem problem = choose_endpoint(request, spec, host, plan)) return problem;
  if (Problem problem = choose_token(request, launcher_env, host, plan)) return problem;
  choose_job_id(request, spec, job, host, plan);
  return std::nullopt;
}

}  // namespace accel::launch
