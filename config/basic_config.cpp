#include "config/basic_config.hpp"

namespace accel::config {

ClusterConfig basic_config(int visible_gpus, MixedPrecision mixed_precision) {
  ClusterConfig config;  // every other field keeps ClusterConfig's default, as in Accelerate
  config.compute_environment = ComputeEnvironment::kLocalMachine;
  config.mixed_precision = mixed_precision;
  if (visible_gpus > 0) {
    config.use_cpu = false;
    config.num_processes = visible_gpus;
    config.distributed_type = visible_gpus > 1 ? DistributedType::kMultiGpu : DistributedType::kNo;
  } else {
    config.use_cpu = true;
    config.num_processes = 1;
    config.distributed_type = DistributedType::kNo;
  }
  config.debug = false;
  config.enable_cpu_affinity = false;
  return config;
}

}  // namespace accel::config
