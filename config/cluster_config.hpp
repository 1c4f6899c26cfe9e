// The Accelerate-compatible config model: one ClusterConfig per
// `default_config.yaml`, with every key of Accelerate's ClusterConfig, its
// type and its default. Nested paradigm maps (fsdp_config, deepspeed_config,
// ...) are kept verbatim as YAML nodes, so keys accel does not use survive a
// load -> save round trip.
//
// Ownership note: YAML::Node has reference semantics; code that copies a
// ClusterConfig and then mutates a nested map must YAML::Clone it first.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace accel::config {

enum class ComputeEnvironment { kLocalMachine, kAmazonSagemaker };

// Spelled in files as Accelerate spells them (NO, MULTI_CPU, MULTI_GPU, ...).
// accel launches kNo, kMultiCpu, kMultiGpu, kDeepspeed and kFsdp; the others
// load fine and are refused by `launch` with a clear message.
enum class DistributedType {
  kNo,
  kMultiCpu,
  kMultiGpu,
  kMultiNpu,
  kMultiMlu,
  kMultiSdaa,
  kMultiMusa,
  kMultiXpu,
  kMultiHpu,
  kDeepspeed,
  kFsdp,
  kMegatronLm,
  kXla,
};

enum class MixedPrecision { kNo, kFp16, kBf16, kFp8 };

struct ClusterConfig {
  ComputeEnvironment compute_environment = ComputeEnvironment::kLocalMachine;
  DistributedType distributed_type = DistributedType::kNo;
  MixedPrecision mixed_precision = MixedPrecision::kNo;
  bool use_cpu = false;
  bool debug = false;

  int num_processes = -1;  // -1: "must be passed at launch" (Accelerate's SLURM convention)
  int machine_rank = 0;
  int num_machines = 1;
  std::optional<std::string> gpu_ids;  // "all" or a comma-separated list of ids
  std::optional<std::string> main_process_ip;
  std::optional<int> main_process_port;
  std::string rdzv_backend = "static";
  bool same_network = false;
  std::string main_training_function = "main";
  bool enable_cpu_affinity = false;

  // Nested maps, kept verbatim (null node = key absent).
  YAML::Node deepspeed_config;
  YAML::Node fsdp_config;
  YAML::Node megatron_lm_config;
  YAML::Node dynamo_config;
  YAML::Node fp8_config;
  YAML::Node parallelism_config;
  YAML::Node mpirun_config;
  YAML::Node ipex_config;
};

std::string_view to_string(ComputeEnvironment value);
std::string_view to_string(DistributedType value);
std::string_view to_string(MixedPrecision value);

}  // namespace accel::config
