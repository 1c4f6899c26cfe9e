// Every input accel refuses to launch, with its exact one-line message.
#include <yaml-cpp/yaml.h>
#include <catch2/catch.hpp>

#include "config/launch_spec.hpp"

using namespace accel::config;

namespace {

const std::string kFile = "/cfg/c.yaml";

std::string error_of(const LaunchFlags& flags, int gpus = 2,
                     const ClusterConfig* config = nullptr) {
  return resolve_launch(flags, config, kFile, HostFacts{gpus, gpus, 8, std::nullopt}).error;
}

LaunchFlags multi_gpu(int processes) {
  LaunchFlags flags;
  flags.multi_gpu = true;
  flags.num_processes = processes;
  return flags;
}

}  // namespace

TEST_CASE("conflicting switches", "[launch_spec_errors]") {
  LaunchFlags flags = multi_gpu(2);
  flags.cpu = true;
  CHECK(error_of(flags) ==
        "only one of --cpu, --multi_gpu, --tpu, --use_deepspeed, --use_fsdp can be used at a time, "
        "but --cpu and --multi_gpu were both given");
  flags = LaunchFlags{};
  flags.module = flags.no_python = true;
  CHECK(error_of(flags) == "--module and --no_python cannot be used together");
}

TEST_CASE("process counts", "[launch_spec_errors]") {
  CHECK(error_of(multi_gpu(1)) ==
        "--multi_gpu needs at least 2 processes, but --num_processes is 1");
  LaunchFlags flags;
  flags.num_processes = 0;
  CHECK(error_of(flags) == "--num_processes must be at least 1, but it is 0");
  flags.nproc_per_node = 2;
  CHECK(error_of(flags).starts_with("--nproc_per_node and --num_processes were both given"));
}

TEST_CASE("several machines need machine 0's address and the same count each",
          "[launch_spec_errors]") {
  LaunchFlags flags;
  flags.num_machines = 2;
  flags.num_processes = 4;
  CHECK(error_of(flags) ==
        "when using multiple machines, you need to specify the main process IP: --num_machines "
        "is 2, but no --main_process_ip (or main_process_ip in the config file) names machine 0, "
        "which every machine connects to; pass --main_process_ip with its address");
  flags.main_process_ip = "10.0.0.1";
  CHECK(error_of(flags).empty());
  flags.num_processes = 10;
  flags.num_machines = 4;
  CHECK(error_of(flags) ==
        "--num_processes is 10, which does not divide evenly over the 4 machines of "
        "--num_machines: every machine runs the same number of processes; pass a multiple of 4, "
        "e.g. --num_processes 8 (2 per machine)");
  flags.num_processes = 3;
  CHECK(error_of(flags).ends_with("e.g. --num_processes 4 (1 per machine)"));
  flags.num_machines = 0;
  CHECK(error_of(flags) == "--num_machines is 0; give 1 for a single machine, or more");
}

TEST_CASE("values from the job environment are named by their variable", "[launch_spec_errors]") {
  LaunchFlags flags;
  flags.num_processes = 6;
  flags.num_machines = 4;
  flags.machine_rank = 1;
  flags.main_process_ip = "n1";
  flags.environment_sources.num_machines = "SLURM_NNODES";
  flags.environment_sources.machine_rank = "SLURM_NODEID";
  CHECK(error_of(flags) ==
        "--num_processes is 6, which does not divide evenly over the 4 machines of "
        "SLURM_NNODES: every machine runs the same number of processes; pass a multiple of 4, "
        "e.g. --num_processes 4 (1 per machine)");
  flags.num_processes = 8;
  flags.machine_rank = 4;
  CHECK(error_of(flags) ==
        "SLURM_NODEID is 4, but the job has 4 machines (SLURM_NNODES): machine ranks run from 0 "
        "to 3");
}

TEST_CASE("a config whose num_processes is -1 needs the flag", "[launch_spec_errors]") {
  ClusterConfig config;
  config.num_processes = -1;
  CHECK(error_of(LaunchFlags{}, 0, &config) ==
        "/cfg/c.yaml sets num_processes to -1, which means it must be given at launch: pass "
        "--num_processes N");
  LaunchFlags flags;
  flags.num_processes = 2;
  CHECK(error_of(flags, 0, &config).empty());
}

TEST_CASE("GPU ids", "[launch_spec_errors]") {
  LaunchFlags flags = multi_gpu(2);
  flags.gpu_ids = "0,1,2";
  CHECK(error_of(flags, 4) ==
        "--gpu_ids lists 3 GPU(s) (0,1,2) but 2 processes run on this machine: give one GPU id per "
        "process, "
        "or change --num_processes");
  flags.gpu_ids = "0,5";
  CHECK(error_of(flags, 2) ==
        "--gpu_ids: GPU 5 does not exist (this machine has 2 GPUs, ids 0-1); pass ids that exist, "
        "or --cpu");
  CHECK(error_of(flags, 0) ==
        "--gpu_ids: GPU 0 does not exist (this machine has no GPU); pass ids that exist, or --cpu");
  flags.gpu_ids = "0,x";
  CHECK(error_of(flags, 2) ==
        "--gpu_ids: '0,x': 'x' is not a GPU id (a whole number from 0); use all, or GPU ids "
        "separated by commas such as 0,1,3");
  ClusterConfig config;
  config.distributed_type = DistributedType::kMultiGpu;
  config.num_processes = 2;
  config.gpu_ids = "0";
  CHECK(error_of(LaunchFlags{}, 2, &config) ==
        "gpu_ids in /cfg/c.yaml is `0`, but a multi-GPU launch needs at least two GPU ids: list "
        "two or more, "
        "or use all");
}

TEST_CASE("GPU ids are not checked for CPU jobs", "[launch_spec_errors]") {
  LaunchFlags flags;
  flags.cpu = true;
  flags.gpu_ids = "7";
  CHECK(error_of(flags, 0).empty());
}

TEST_CASE("distributed types accel cannot launch", "[launch_spec_errors]") {
  ClusterConfig config;
  config.num_processes = 2;
  config.distributed_type = DistributedType::kMultiNpu;
  CHECK(error_of(LaunchFlags{}, 0, &config) ==
        "distributed_type MULTI_NPU in /cfg/c.yaml cannot be launched by accel, which launches NO, "
        "MULTI_CPU, "
        "MULTI_GPU, FSDP and DEEPSPEED jobs; use `accelerate launch` for this config");
  config.distributed_type = DistributedType::kMegatronLm;
  CHECK(error_of(LaunchFlags{}, 2, &config) ==
        "Megatron-LM jobs (--use_megatron_lm or distributed_type MEGATRON_LM) cannot be launched "
        "by accel; "
        "accel launches NO, MULTI_CPU, MULTI_GPU, FSDP and DEEPSPEED jobs, use `accelerate launch` "
        "for this one");
  config.distributed_type = DistributedType::kXla;
  CHECK(
      error_of(LaunchFlags{}, 0, &config).starts_with("TPU jobs (--tpu or distributed_type XLA)"));
  LaunchFlags flags;
  flags.use_megatron_lm = true;
  CHECK(error_of(flags).starts_with("Megatron-LM jobs"));
  config = ClusterConfig{};
  config.compute_environment = ComputeEnvironment::kAmazonSagemaker;
  CHECK(error_of(LaunchFlags{}, 0, &config) ==
        "compute_environment AMAZON_SAGEMAKER cannot be launched by accel; use `accelerate launch` "
        "to submit "
        "SageMaker jobs");
}

TEST_CASE("bad settings", "[launch_spec_errors]") {
  LaunchFlags flags;
  flags.main_process_port = 70000;
  CHECK(error_of(flags) ==
        "--main_process_port 70000 is not a TCP port; use 1-65535, or 0 to pick a free one");
  ClusterConfig config;
  config.num_processes = 1;
  config.dynamo_config = YAML::Load("{dynamo_backend: WARP}");
  CHECK(error_of(LaunchFlags{}, 0, &config).starts_with("unknown dynamo backend WARP"));
  config = ClusterConfig{};
  config.num_processes = 2;
  config.distributed_type = DistributedType::kFsdp;
  config.fsdp_config = YAML::Load("{fsdp_sync_module_states: false}");
  CHECK(error_of(LaunchFlags{}, 2, &config) ==
        "fsdp_cpu_ram_efficient_loading needs fsdp_sync_module_states: set "
        "--fsdp_sync_module_states true");
  config.fsdp_config = YAML::Load("{parallelism: 1}");
  config.parallelism_config = YAML::Load("{dp_shard_size: 2}");
  CHECK(error_of(LaunchFlags{}, 2, &config) ==
        "parallelism_config in /cfg/c.yaml is not supported by accel launch yet; use `accelerate "
        "launch` for "
        "this config");
}
