// The environment of one worker: JobSpec::env plus the per-worker variables
// torchrun's LocalElasticAgent._start_workers sets (same names, same values
// for a single-role job), plus accel's own ACCEL_NODE_RANK, ACCEL_JOB_ID and
// ACCEL_LOCAL_DEVICE. A per-worker variable replaces the same name in
// spec.env, except TORCH_NCCL_ASYNC_ERROR_HANDLING, which torchrun only
// defaults to 1 when the user has not set it.
//
// Deliberately absent: TORCHELASTIC_USE_AGENT_STORE. torchrun sets it because
// its agent hosts the TCPStore; accel does not host one (rank 0's worker
// does), so telling workers otherwise would make every torch job hang.
#pragma once

#include <string>
#include <vector>

#include "supervisor/job.hpp"

namespace accel::supervisor {

// Pure function of its arguments; "NAME=value" strings ready for execve.
std::vector<std::string> worker_environment(const JobSpec& spec, int local_rank, int attempt);

// Global rank of a local rank on this machine (node_rank * nproc_per_node + local_rank).
int global_rank(const JobSpec& spec, int local_rank);

}  // namespace accel::supervisor
