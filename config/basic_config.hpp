// The config `accel config default` writes: Accelerate's write_basic_config
// (accelerate/commands/config/default.py) for CUDA machines. With more than
// one visible GPU, MULTI_GPU with one process per GPU; with one, NO and one
// process; with none, NO on the CPU (use_cpu: true, one process).
#pragma once

#include "config/cluster_config.hpp"

namespace accel::config {

ClusterConfig basic_config(int visible_gpus, MixedPrecision mixed_precision);

}  // namespace accel::config
