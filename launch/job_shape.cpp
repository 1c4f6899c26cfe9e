#include "launch/job_shape.hpp"

#include <algorithm>
#include <charconv>

namespace accel::launch {

namespace {

template <class T>
void fill(std::optional<T>& flag, const std::optional<FromVariable<T>>& value,
          std::string& source) {
  if (flag || !value) return;
  flag = value->value;
  source = value->variable;
}

std::string plural(int count, const char* noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

// "8 tasks on 2 nodes (4 per node)" / "(4,3 per node)".
std::string task_shape(const JobEnvironment& job) {
  const SlurmTask& task = *job.task;
  std::string per_node;
  const auto& counts = task.tasks_per_node;
  if (std::all_of(counts.begin(), counts.end(), [&](int n) { return n == counts.front(); })) {
    per_node = std::to_string(counts.front());
  } else {
    for (const int count : counts)
      per_node += (per_node.empty() ? "" : ",") + std::to_string(count);
  }
  return plural(task.num_tasks.value, "task") + " on " + plural(job.num_machines->value, "node") +
         " (" + per_node + " per node; " + task.num_tasks.variable + ")";
}

// The flags of a per-task launch must describe what SLURM started.
Problem check_per_task_flags(const JobEnvironment& job, const config::LaunchFlags& flags,
                             const std::optional<std::string>& keyword) {
  const SlurmTask& task = *job.task;
  const int tasks = task.num_tasks.value;
  const int nodes = job.num_machines->value;
  // srun inherits the job's task count (SLURM_NTASKS) and ignores a bare
  // --ntasks-per-node=1 that contradicts it (SLURM 22.05 warns "can't
  // honor --ntasks-per-node"), so the way out names the count too.
  const std::string per_node_srun =
      "srun --ntasks=" + std::to_string(nodes) + " --ntasks-per-node=1";
  const std::string started = "srun started " + task_shape(job) +
                              ", so every task runs its own accel launch, which supervises one "
                              "worker (RANK = SLURM_PROCID)";
  std::optional<std::string> contradiction;
  std::string processes_fix = "--num_processes " + std::to_string(tasks);
  if (flags.num_processes && *flags.num_processes != tasks) {
    contradiction = "--num_processes is " + std::to_string(*flags.num_processes) + ", a job of " +
                    plural(*flags.num_processes, "worker");
    processes_fix = "keep --num_processes " + std::to_string(*flags.num_processes);
  } else if (flags.nproc_per_node && *flags.nproc_per_node != task.tasks_on_node.value) {
    contradiction = "--nproc_per_node is " + std::to_string(*flags.nproc_per_node) +
                    ", which asks each node for " + plural(*flags.nproc_per_node, "worker");
    processes_fix = "keep --nproc_per_node " + std::to_string(*flags.nproc_per_node);
  } else if (keyword) {
    contradiction = "--nproc_per_node is " + *keyword + ", which asks each node for its devices";
    processes_fix = "keep --nproc_per_node " + *keyword;
  } else if (flags.num_machines && *flags.num_machines != nodes) {
    return usage_error(started + "; but --num_machines is " + std::to_string(*flags.num_machines) +
                       " while the step has " + plural(nodes, "node") +
                       ": drop --num_machines, or pass " + std::to_string(nodes));
  } else if (flags.machine_rank && *flags.machine_rank != job.machine_rank->value) {
    return usage_error(started + "; but --machine_rank is " + std::to_string(*flags.machine_rank) +
                       " on node " + std::to_string(job.machine_rank->value) +
                       " (SLURM_NODEID): drop --machine_rank, accel reads it from SLURM");
  }
  if (contradiction) {
    return usage_error(started + "; but " + *contradiction +
                       ". Either start one accel launch per node (" + per_node_srun + ") and " +
                       processes_fix + ", or pass --num_processes " + std::to_string(tasks) +
                       " (or leave it out) for one worker per task");
  }
  const auto& counts = task.tasks_per_node;
  if (!std::all_of(counts.begin(), counts.end(), [&](int n) { return n == counts.front(); })) {
    return usage_error(started + "; but the nodes got different numbers of tasks (" +
                       task.tasks_on_node.variable +
                       "), and every machine must run the same number of processes: ask srun "
                       "for the same count on every node (--ntasks-per-node=N)");
  }
  return std::nullopt;
}

}  // namespace

LaunchShape launch_shape(const JobEnvironment& job, bool standalone) {
  return job.task && !standalone ? LaunchShape::kSlurmPerTask : LaunchShape::kMachine;
}

Problem apply_job_environment(const JobEnvironment& job, bool standalone,
                              config::LaunchFlags& flags,
                              std::optional<std::string>& nproc_per_node_keyword) {
  if (standalone) return std::nullopt;
  config::LaunchFlags::EnvironmentSources& sources = flags.environment_sources;
  if (job.task) {
    if (Problem problem = check_per_task_flags(job, flags, nproc_per_node_keyword)) return problem;
    if (!flags.num_processes && !flags.nproc_per_node) {
      flags.num_processes = job.task->num_tasks.value;
      sources.num_processes = job.task->num_tasks.variable;
    }
  }
  fill(flags.num_machines, job.num_machines, sources.num_machines);
  fill(flags.machine_rank, job.machine_rank, sources.machine_rank);
  fill(flags.main_process_ip, job.main_process_ip, sources.main_process_ip);
  fill(flags.main_process_port, job.main_process_port, sources.main_process_port);
  if (job.nproc_per_node && !flags.num_processes && !flags.nproc_per_node &&
      !nproc_per_node_keyword) {
    const std::string& text = job.nproc_per_node->value;
    int count = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), count);
    if (!text.empty() && error == std::errc{} && end == text.data() + text.size()) {
      flags.nproc_per_node = count;  // resolution checks the range, naming the variable
      sources.num_processes = job.nproc_per_node->variable;
    } else if (text == "auto" || text == "cpu" || text == "gpu") {
      nproc_per_node_keyword = text;
    } else {
      return usage_error(job.nproc_per_node->variable + "='" + text +
                         "' in the environment is not a number of processes, or auto, cpu or "
                         "gpu; fix what sets it, or pass --nproc_per_node");
    }
  }
  if (job.gpus_per_machine && job.gpus_per_machine->value > 0) {
    flags.suggested_nproc_per_node = job.gpus_per_machine->value;
    flags.suggested_nproc_per_node_source = job.gpus_per_machine->variable;
  }
  return std::nullopt;
}

}  // namespace accel::launch
