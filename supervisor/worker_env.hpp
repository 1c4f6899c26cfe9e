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

#include <optional>
#include <string>
#include <vector>

#include "supervisor/job.hpp"

namespace accel::supervisor {

// The environment of worker `worker` (0 <= worker < spec.nproc_per_node)
// of this launcher in attempt `attempt`, told `ranks`. Pure function of its
// arguments; "NAME=value" strings ready for execve.
std::vector<std::string> worker_environment(const JobSpec& spec, const AttemptRanks& ranks,
                                            int worker, int attempt);

// RANK and LOCAL_RANK of worker `worker` of this launcher.
inline int global_rank(const RankLayout& layout, int worker) {
  return layout.first_rank + worker;
}
inline int local_rank(const RankLayout& layout, int worker) {
  return layout.first_local_rank + worker;
}

// Why `ranks` cannot describe `nproc_per_node` workers of this launcher (a
// rank outside the world, a group rank outside the machines, no port), or
// nullopt when it can.
std::optional<std::string> rank_layout_problem(const AttemptRanks& ranks, int nproc_per_node);

}  // namespace accel::supervisor
