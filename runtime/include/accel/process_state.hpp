// Where this process sits in the job, read once from the environment the
// launcher (accel launch, torchrun or accelerate launch) gave it. A process
// started by hand, with none of those variables, is a world of one.
#pragma once

#include <optional>
#include <string>

#include "accel/environment_lookup.hpp"

namespace accel {

struct ProcessState {
  int rank = 0;                     // RANK: index among all processes
  int world_size = 1;               // WORLD_SIZE
  int local_rank = 0;               // LOCAL_RANK: index on this machine
  int local_world_size = 1;         // LOCAL_WORLD_SIZE
  int node_rank = 0;                // GROUP_RANK (or ACCEL_NODE_RANK)
  int restart_count = 0;            // TORCHELASTIC_RESTART_COUNT
  std::optional<int> local_device;  // ACCEL_LOCAL_DEVICE: CUDA device of this process

  bool is_main_process() const { return rank == 0; }
  bool is_local_main_process() const { return local_rank == 0; }
};

// Reads the state. Throws std::invalid_argument naming the variable when a
// value is not an integer or is out of range (e.g. RANK >= WORLD_SIZE).
ProcessState process_state_from_env(const EnvLookup& lookup);
ProcessState process_state_from_env();  // the real environment

}  // namespace accel
