// How the job environment (job_environment.hpp) and the command line combine
// into the values config resolution sees. Precedence: a flag always wins;
// then the job environment; then the config file; then the defaults. The job
// environment ranks above the config file because one config file is shared
// by every node of a SLURM job while machine_rank must differ per node.
//
// The launch shape decides how workers map onto launchers:
//   kMachine       one launcher per machine starts that machine's workers
//                  (srun --ntasks=NODES --ntasks-per-node=1, mpirun -N 1, a
//                  PyTorchJob pod, or by hand);
//   kSlurmPerTask  srun started one launcher per task (--ntasks-per-node=4):
//                  each supervises exactly one worker, never N×N. Flags that
//                  describe another shape (--num_processes 16 for 8 tasks)
//                  are refused with both shapes explained.
// Pure.
#pragma once

#include <optional>
#include <string>

#include "config/launch_spec.hpp"
#include "launch/job_environment.hpp"
#include "launch/launch_error.hpp"

namespace accel::launch {

enum class LaunchShape { kMachine, kSlurmPerTask };

// Fills what `flags` (and the --nproc_per_node keyword) left open from `job`,
// recording each variable in flags.environment_sources. With --standalone
// (one machine, by request) the job's geometry is not used.
Problem apply_job_environment(const JobEnvironment& job, bool standalone,
                              config::LaunchFlags& flags,
                              std::optional<std::string>& nproc_per_node_keyword);

LaunchShape launch_shape(const JobEnvironment& job, bool standalone);

}  // namespace accel::launch
