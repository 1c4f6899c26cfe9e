// What the job environment says about the shape of the job, read from the
// launcher's environment: the batch system or launcher that started `accel
// launch` exports where this machine sits in the job, so a job script need
// not spell --num_machines / --machine_rank / --main_process_ip for every
// node (and cannot get them wrong).
//
//   SLURM (srun)       SLURM_NNODES, SLURM_NODEID, the first host of
//                      SLURM_STEP_NODELIST / SLURM_JOB_NODELIST, SLURM_JOB_ID,
//                      the node's GPUs (SLURM_STEP_GPUS, CUDA_VISIBLE_DEVICES,
//                      SLURM_GPUS_ON_NODE); with more tasks than nodes (srun
//                      --ntasks-per-node=4) every task's launcher runs one
//                      worker: SLURM_PROCID, SLURM_LOCALID, SLURM_NTASKS and
//                      the tasks on this node.
//   Open MPI (mpirun)  OMPI_COMM_WORLD_SIZE / _RANK, one launcher per machine
//                      (OMPI_COMM_WORLD_LOCAL_SIZE 1).
//   MPICH / Intel MPI  PMI_SIZE / PMI_RANK.
//   torchrun (PET_*)   PET_NNODES, PET_NODE_RANK, PET_NPROC_PER_NODE,
//                      PET_MASTER_ADDR, PET_MASTER_PORT, PET_RDZV_ENDPOINT,
//                      PET_RDZV_ID, as Kubeflow's PyTorchJob sets them
//                      (torchrun reads PET_<FLAG> for every flag).
//
// Only a SLURM job *step* (srun) describes several launchers: the batch
// script itself (sbatch, salloc) is one process on the first node, so there
// the job's node count is not this launch's, and a notice says how to use
// every node. A variable that is set but not what the system would put there
// (empty, not a number, out of range) is an error naming it: a value quoted
// wrong must never become machine 0 in silence.
//
// Pure: the environment is a parameter (plan_launch's launcher_env).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/environment.hpp"
#include "launch/launch_error.hpp"

namespace accel::launch {

enum class JobSystem {
  kNone,
  kSlurm,
  kOpenMpi,
  kPmi,       // MPICH's and Intel MPI's process manager (mpiexec.hydra)
  kTorchrun,  // PET_* variables (Kubeflow's PyTorchJob, torchrun-style wrappers)
};

// "SLURM", "Open MPI (mpirun)", ...
const char* describe(JobSystem system);

// A value and the variable it came from, for messages and --debug.
template <class T>
struct FromVariable {
  T value{};
  std::string variable;  // "SLURM_NODEID"
};

// SLURM started one launcher per task: the geometry of that task.
struct SlurmTask {
  FromVariable<int> proc_id;        // SLURM_PROCID: the worker's RANK, the member index
  FromVariable<int> local_id;       // SLURM_LOCALID: its LOCAL_RANK
  FromVariable<int> num_tasks;      // SLURM_STEP_NUM_TASKS / SLURM_NTASKS: WORLD_SIZE
  FromVariable<int> tasks_on_node;  // from SLURM_STEP_TASKS_PER_NODE: LOCAL_WORLD_SIZE
  std::vector<int> tasks_per_node;  // every node's count, in node order
};

struct JobEnvironment {
  JobSystem system = JobSystem::kNone;
  // Values standing in for flags the command line did not give.
  std::optional<FromVariable<int>> num_machines;
  std::optional<FromVariable<int>> machine_rank;
  std::optional<FromVariable<std::string>> main_process_ip;
  std::optional<FromVariable<int>> main_process_port;
  // PET_NPROC_PER_NODE: a number or torchrun's auto / cpu / gpu.
  std::optional<FromVariable<std::string>> nproc_per_node;
  // SLURM: the GPUs this node was given, the default processes per machine.
  std::optional<FromVariable<int>> gpus_per_machine;
  // The same on every machine of the job: the run id default.
  std::optional<FromVariable<std::string>> job_id;
  // Set when SLURM started more tasks than nodes in this step.
  std::optional<SlurmTask> task;
  // Lines for stderr (ending in '\n'): a SLURM batch script of several nodes
  // that did not use srun, ...
  std::vector<std::string> notices;
};

// Reads `env`; fails on a variable that is set but unusable, naming it.
Problem read_job_environment(const base::Environment& env, JobEnvironment& job);

}  // namespace accel::launch
