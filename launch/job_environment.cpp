#include "launch/job_environment.hpp"

#include <charconv>
#include <initializer_list>

#include "launch/endpoint.hpp"
#include "launch/slurm_syntax.hpp"

namespace accel::launch {

namespace {

// Lookups in the launcher's environment that turn an unusable value into a
// problem naming the variable and the flag that would replace it.
class VariableReader {
 public:
  explicit VariableReader(const base::Environment& env) : env_(env) {}

  bool has(const char* name) const { return env_.contains(name); }

  // The first of `names` that is set, or nullptr.
  const char* first_set(std::initializer_list<const char*> names) const {
    for (const char* name : names) {
      if (has(name)) return name;
    }
    return nullptr;
  }

  std::optional<FromVariable<std::string>> text(const char* name) const {
    if (name == nullptr) return std::nullopt;
    const auto it = env_.find(name);
    if (it == env_.end()) return std::nullopt;
    return FromVariable<std::string>{it->second, name};
  }

  // A whole number >= `minimum` from `name` when it is set; `flag` is what
  // the user could pass instead.
  Problem number(const char* name, int minimum, const char* flag,
                 std::optional<FromVariable<int>>& out) const {
    if (name == nullptr) return std::nullopt;
    const auto it = env_.find(name);
    if (it == env_.end()) return std::nullopt;
    const std::string& value = it->second;
    int parsed = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
    if (value.empty() || error != std::errc{} || end != value.data() + value.size() ||
        parsed < minimum) {
      return usage_error(std::string(name) + "='" + value + "' in the environment is not " +
                         (minimum == 0 ? "a number of 0 or more" : "a number of 1 or more") +
                         ", but accel launch reads it for " + flag +
                         "; fix what sets it (a job script quoting an unset variable?), or pass " +
                         flag + " yourself");
    }
    out = FromVariable<int>{parsed, name};
    return std::nullopt;
  }

  // Like number(), for a variable that must be set.
  Problem required_number(const char* name, int minimum, const char* flag, const char* why,
                          FromVariable<int>& out) const {
    std::optional<FromVariable<int>> read;
    if (Problem problem = number(name, minimum, flag, read)) return problem;
    if (!read) {
      return usage_error(std::string(name) + " is not set, but " + why +
                         "; run accel launch through srun, or pass " + flag);
    }
    out = *read;
    return std::nullopt;
  }

 private:
  const base::Environment& env_;
};

// Entries of a comma-separated list: "0,1,3" -> 3, "" -> 0.
int list_length(const std::string& list) {
  if (list.empty()) return 0;
  int count = 1;
  for (const char c : list) count += c == ',' ? 1 : 0;
  return count;
}

Problem read_slurm_gpus(const VariableReader& reader, JobEnvironment& job) {
  for (const char* list : {"SLURM_STEP_GPUS", "CUDA_VISIBLE_DEVICES"}) {
    if (const auto value = reader.text(list)) {
      job.gpus_per_machine = FromVariable<int>{list_length(value->value), list};
      return std::nullopt;
    }
  }
  return reader.number("SLURM_GPUS_ON_NODE", 0, "--num_processes", job.gpus_per_machine);
}

// More tasks than nodes: srun started one launcher per task.
Problem read_slurm_task(const VariableReader& reader, int num_nodes, int node_id,
                        const FromVariable<int>& num_tasks, JobEnvironment& job) {
  SlurmTask task;
  task.num_tasks = num_tasks;
  const char* why = "srun started one accel launch per task, and each needs its task's place";
  if (Problem problem =
          reader.required_number("SLURM_PROCID", 0, "--machine_rank", why, task.proc_id))
    return problem;
  if (Problem problem =
          reader.required_number("SLURM_LOCALID", 0, "--machine_rank", why, task.local_id))
    return problem;
  const char* per_node_name =
      reader.first_set({"SLURM_STEP_TASKS_PER_NODE", "SLURM_TASKS_PER_NODE"});
  if (per_node_name != nullptr) {
    std::string error;
    const auto counts = expand_tasks_per_node(reader.text(per_node_name)->value, error);
    if (!counts || static_cast<int>(counts->size()) != num_nodes) {
      return usage_error(std::string(per_node_name) + "='" + reader.text(per_node_name)->value +
                         "' in the environment " +
                         (counts ? "does not list " + std::to_string(num_nodes) + " nodes"
                                 : "cannot be read: " + error) +
                         "; accel launch reads it for the tasks on each node");
    }
    task.tasks_per_node = *counts;
    task.tasks_on_node = {(*counts)[static_cast<std::size_t>(node_id)], per_node_name};
  } else {
    FromVariable<int> per_node;
    if (Problem problem = reader.required_number(
            "SLURM_NTASKS_PER_NODE", 1, "--num_processes",
            "accel launch needs the tasks on each node (no SLURM_STEP_TASKS_PER_NODE either)",
            per_node))
      return problem;
    task.tasks_per_node.assign(static_cast<std::size_t>(num_nodes), per_node.value);
    task.tasks_on_node = per_node;
  }
  if (task.proc_id.value >= num_tasks.value || task.local_id.value >= task.tasks_on_node.value) {
    return usage_error("SLURM_PROCID " + std::to_string(task.proc_id.value) + " / SLURM_LOCALID " +
                       std::to_string(task.local_id.value) + " do not fit " +
                       std::to_string(num_tasks.value) + " tasks (" + num_tasks.variable +
                       ") with " + std::to_string(task.tasks_on_node.value) +
                       " on this node; the SLURM environment is inconsistent");
  }
  job.task = std::move(task);
  return std::nullopt;
}

Problem read_slurm_step(const VariableReader& reader, JobEnvironment& job) {
  FromVariable<int> nodes;
  const char* why = "srun started accel launch and the job's shape comes from it";
  const char* nodes_name = reader.first_set({"SLURM_STEP_NUM_NODES", "SLURM_NNODES"});
  if (Problem problem = reader.required_number(nodes_name != nullptr ? nodes_name : "SLURM_NNODES",
                                               1, "--num_machines", why, nodes))
    return problem;
  FromVariable<int> node_id;
  if (Problem problem = reader.required_number("SLURM_NODEID", 0, "--machine_rank", why, node_id))
    return problem;
  if (node_id.value >= nodes.value) {
    return usage_error("SLURM_NODEID " + std::to_string(node_id.value) + " is not a node of the " +
                       std::to_string(nodes.value) + " in " + nodes.variable +
                       "; the SLURM environment is inconsistent");
  }
  job.num_machines = nodes;
  job.machine_rank = node_id;
  if (const char* list =
          reader.first_set({"SLURM_STEP_NODELIST", "SLURM_JOB_NODELIST", "SLURM_NODELIST"})) {
    std::string error;
    const auto hosts = expand_hostlist(reader.text(list)->value, error);
    if (!hosts) {
      return usage_error(std::string(list) + "='" + reader.text(list)->value +
                         "' in the environment cannot be read (" + error +
                         "); accel launch reads machine 0's address from it: pass "
                         "--main_process_ip");
    }
    job.main_process_ip = FromVariable<std::string>{hosts->front(), list};
  }
  std::optional<FromVariable<int>> tasks;
  if (Problem problem = reader.number(reader.first_set({"SLURM_STEP_NUM_TASKS", "SLURM_NTASKS"}), 1,
                                      "--num_processes", tasks))
    return problem;
  if (tasks && tasks->value > nodes.value) {
    return read_slurm_task(reader, nodes.value, node_id.value, *tasks, job);
  }
  // One launcher on one node meets nobody: MASTER_ADDR stays local.
  if (nodes.value == 1) job.main_process_ip.reset();
  return read_slurm_gpus(reader, job);
}

Problem read_slurm(const VariableReader& reader, JobEnvironment& job) {
  job.system = JobSystem::kSlurm;
  const auto job_id = reader.text(reader.first_set({"SLURM_JOB_ID", "SLURM_JOBID"}));
  const auto step_id = reader.text(reader.first_set({"SLURM_STEP_ID", "SLURM_STEPID"}));
  if (step_id) {
    // Every task of one step agrees on "<job>.<step>", as sacct names it,
    // and a later step of the same job gets its own log folder.
    if (job_id && !job_id->value.empty()) {
      job.job_id = {job_id->value + "." + step_id->value,
                    job_id->variable + "." + step_id->variable};
    }
    return read_slurm_step(reader, job);
  }
  // The batch script (sbatch) or an salloc shell: one process, on the first node.
  std::optional<FromVariable<int>> nodes;
  if (Problem problem = reader.number(reader.first_set({"SLURM_JOB_NUM_NODES", "SLURM_NNODES"}), 1,
                                      "--num_machines", nodes))
    return problem;
  if (nodes && nodes->value > 1) {
    // With --ntasks, srun inherits the job's task count and ignores a bare
    // --ntasks-per-node=1 that contradicts it.
    const std::string count = std::to_string(nodes->value);
    job.notices.push_back("accel launch: this SLURM job has " + count + " nodes (" +
                          nodes->variable +
                          "), but accel launch was not started by srun, so it runs on this node "
                          "alone; use `srun --ntasks=" +
                          count + " --ntasks-per-node=1 accel launch ...` to use every node\n");
  }
  return std::nullopt;
}

Problem read_open_mpi(const VariableReader& reader, JobEnvironment& job) {
  job.system = JobSystem::kOpenMpi;
  std::optional<FromVariable<int>> local_size;
  if (Problem problem =
          reader.number("OMPI_COMM_WORLD_LOCAL_SIZE", 1, "--num_machines", local_size))
    return problem;
  if (local_size && local_size->value > 1) {
    return usage_error("mpirun started " + std::to_string(local_size->value) +
                       " copies of accel launch on this machine (OMPI_COMM_WORLD_LOCAL_SIZE), "
                       "but accel launch starts a machine's workers itself: start one per "
                       "machine (mpirun --map-by ppr:1:node, or -N 1)");
  }
  if (Problem problem =
          reader.number("OMPI_COMM_WORLD_SIZE", 1, "--num_machines", job.num_machines))
    return problem;
  return reader.number("OMPI_COMM_WORLD_RANK", 0, "--machine_rank", job.machine_rank);
}

Problem read_pmi(const VariableReader& reader, JobEnvironment& job) {
  job.system = JobSystem::kPmi;
  if (Problem problem = reader.number("PMI_SIZE", 1, "--num_machines", job.num_machines))
    return problem;
  return reader.number("PMI_RANK", 0, "--machine_rank", job.machine_rank);
}

Problem read_torchrun(const VariableReader& reader, JobEnvironment& job) {
  job.system = JobSystem::kTorchrun;
  // torchrun's --nnodes MIN:MAX; accel runs fixed sizes, so MIN must equal MAX.
  if (const auto nnodes = reader.text("PET_NNODES")) {
    const std::string& text = nnodes->value;
    const std::size_t colon = text.find(':');
    base::Environment single{{"PET_NNODES", text.substr(0, colon)}};
    if (colon != std::string::npos && text.substr(colon + 1) != text.substr(0, colon)) {
      return usage_error("PET_NNODES='" + text +
                         "' in the environment asks for an elastic range of machines, which "
                         "accel does not support; set a fixed number (or pass --nnodes N)");
    }
    if (Problem problem =
            VariableReader(single).number("PET_NNODES", 1, "--nnodes", job.num_machines))
      return problem;
  }
  if (Problem problem = reader.number("PET_NODE_RANK", 0, "--node_rank", job.machine_rank))
    return problem;
  if (const auto nproc = reader.text("PET_NPROC_PER_NODE")) job.nproc_per_node = nproc;
  if (const auto endpoint = reader.text("PET_RDZV_ENDPOINT");
      endpoint && !endpoint->value.empty()) {
    std::string host;
    std::optional<int> port;
    if (!split_endpoint(endpoint->value, host, port)) {
      return usage_error("PET_RDZV_ENDPOINT='" + endpoint->value +
                         "' in the environment is not HOST or HOST:PORT; fix it, or pass "
                         "--rdzv_endpoint");
    }
    job.main_process_ip = FromVariable<std::string>{host, endpoint->variable};
    if (port) job.main_process_port = FromVariable<int>{*port, endpoint->variable};
  }
  if (const auto addr = reader.text("PET_MASTER_ADDR"); addr && !job.main_process_ip) {
    if (addr->value.empty()) {
      return usage_error(
          "PET_MASTER_ADDR is set but empty; accel launch reads it for --master_addr: fix what "
          "sets it, or pass --master_addr");
    }
    job.main_process_ip = addr;
  }
  if (!job.main_process_port) {
    if (Problem problem =
            reader.number("PET_MASTER_PORT", 0, "--master_port", job.main_process_port))
      return problem;
  }
  if (const auto id = reader.text("PET_RDZV_ID"); id && !id->value.empty() && id->value != "none")
    job.job_id = id;
  return std::nullopt;
}

}  // namespace

const char* describe(JobSystem system) {
  switch (system) {
    case JobSystem::kNone: return "no job system";
    case JobSystem::kSlurm: return "SLURM";
    case JobSystem::kOpenMpi: return "Open MPI (mpirun)";
    case JobSystem::kPmi: return "an MPI process manager (PMI)";
    case JobSystem::kTorchrun: return "torchrun variables (PET_*)";
  }
  return "?";
}

Problem read_job_environment(const base::Environment& env, JobEnvironment& job) {
  job = JobEnvironment{};
  const VariableReader reader(env);
  // mpirun inside a SLURM allocation starts its daemons through srun, so
  // its processes see SLURM's step variables too: mpirun's own win.
  if (reader.has("OMPI_COMM_WORLD_SIZE")) return read_open_mpi(reader, job);
  if (reader.first_set({"SLURM_JOB_ID", "SLURM_JOBID"}) != nullptr) return read_slurm(reader, job);
  if (reader.has("PMI_SIZE")) return read_pmi(reader, job);
  if (reader.first_set({"PET_NNODES", "PET_NODE_RANK", "PET_NPROC_PER_NODE", "PET_MASTER_ADDR",
                        "PET_MASTER_PORT", "PET_RDZV_ENDPOINT"}) != nullptr) {
    return read_torchrun(reader, job);
  }
  return std::nullopt;
}

}  // namespace accel::launch
