// Precedence (flag > config file > default), Accelerate's defaults and its
// "had defaults used instead" notice, and the launch path each input picks.
#include <yaml-cpp/yaml.h>
#include <catch2/catch.hpp>

#include "config/launch_spec.hpp"

using namespace accel::config;

namespace {

const std::string kFile = "/cfg/default_config.yaml";

HostFacts cpu_box() {
  return HostFacts{0, 0, 8, std::nullopt};
}
HostFacts gpu_box(int gpus) {
  return HostFacts{gpus, gpus, 32, std::nullopt};
}

LaunchResolution resolve(const LaunchFlags& flags, const HostFacts& host,
                         const ClusterConfig* config = nullptr) {
  LaunchResolution r = resolve_launch(flags, config, kFile, host);
  INFO("error: " << r.error);
  REQUIRE(r.error.empty());
  return r;
}

ClusterConfig multi_gpu_config() {
  ClusterConfig c;
  c.distributed_type = DistributedType::kMultiGpu;
  c.num_processes = 2;
  c.gpu_ids = "all";
  c.mixed_precision = MixedPrecision::kBf16;
  return c;
}

}  // namespace

TEST_CASE("the config file is --config_file, else the default file unless --cpu", "[launch_spec]") {
  LaunchFlags flags;
  CHECK(config_file_to_load(flags, kFile, true) == kFile);
  CHECK_FALSE(config_file_to_load(flags, kFile, false));
  flags.cpu = true;
  CHECK_FALSE(config_file_to_load(flags, kFile, true));
  flags.config_file = "/x.yaml";
  CHECK(config_file_to_load(flags, kFile, true) == "/x.yaml");
}

TEST_CASE("without a config file every defaulted value is noticed", "[launch_spec]") {
  const auto r = resolve(LaunchFlags{}, cpu_box());
  CHECK(r.spec.path == LaunchPath::kSimple);
  CHECK(r.spec.num_processes == 1);
  CHECK(r.spec.mixed_precision == "no");
  CHECK(r.spec.settings.at("dynamo_backend").text() == "no");
  CHECK(r.spec.num_cpu_threads_per_process == 1);
  CHECK(format_defaults_notice(r.defaulted) ==
        "The following values were not passed to `accel launch` and had defaults used instead:\n"
        "\t`--num_processes` was set to a value of `1`\n"
        "\t`--num_machines` was set to a value of `1`\n"
        "\t`--mixed_precision` was set to a value of `'no'`\n"
        "\t`--dynamo_backend` was set to a value of `'no'`\n"
        "To avoid this warning pass in values for each of the problematic parameters or run `accel "
        "config`.\n");
}

TEST_CASE("num_processes defaults to the visible GPUs and several GPUs mean MULTI_GPU",
          "[launch_spec]") {
  const auto r = resolve(LaunchFlags{}, gpu_box(4));
  CHECK(r.spec.num_processes == 4);
  CHECK(r.spec.path == LaunchPath::kMultiGpu);
  REQUIRE(r.defaulted.size() == 5);
  CHECK(r.defaulted[1].find("More than one GPU was found, enabling multi-GPU training.") !=
        std::string::npos);
}

TEST_CASE("flag --gpu_ids without a count starts one process per listed GPU", "[launch_spec]") {
  LaunchFlags flags;
  flags.gpu_ids = "1";
  CHECK(resolve(flags, gpu_box(4)).spec.num_processes == 1);
  flags.gpu_ids = "1,2";
  const auto r = resolve(flags, gpu_box(4));
  CHECK(r.spec.num_processes == 2);
  CHECK(r.spec.path == LaunchPath::kMultiGpu);
}

TEST_CASE("flag --cpu defaults to one process and shares the physical cores out", "[launch_spec]") {
  LaunchFlags flags;
  flags.cpu = true;
  auto r = resolve(flags, gpu_box(4));
  CHECK(r.spec.num_processes == 1);
  CHECK(r.spec.path == LaunchPath::kSimple);
  CHECK(r.spec.use_cpu);
  CHECK(r.spec.num_cpu_threads_per_process == 32);
  flags.num_processes = 4;
  r = resolve(flags, cpu_box());
  CHECK(r.spec.nproc_per_node == 4);
  CHECK(r.spec.num_cpu_threads_per_process == 2);
  CHECK(r.defaulted.back() ==
        "\t`--num_cpu_threads_per_process` was set to `2` to improve out-of-box performance when "
        "training on CPUs");
  flags.num_processes = 8;  // one core each: 1, and no notice
  r = resolve(flags, cpu_box());
  CHECK(r.spec.num_cpu_threads_per_process == 1);
  CHECK(r.defaulted.back().find("num_cpu_threads") == std::string::npos);
}

TEST_CASE("OMP_NUM_THREADS of the launcher and the flag win over the core count", "[launch_spec]") {
  LaunchFlags flags;
  flags.cpu = true;
  HostFacts host = cpu_box();
  host.omp_num_threads = "3";
  CHECK(resolve(flags, host).spec.num_cpu_threads_per_process == 3);
  host.omp_num_threads = "4,2";  // OpenMP's nested form: left alone
  CHECK_FALSE(resolve(flags, host).spec.num_cpu_threads_per_process);
  flags.num_cpu_threads_per_process = 5;
  CHECK(resolve(flags, host).spec.num_cpu_threads_per_process == 5);
}

TEST_CASE("a config file supplies what the flags do not, with no notice", "[launch_spec]") {
  const ClusterConfig config = multi_gpu_config();
  LaunchFlags flags;
  auto r = resolve(flags, gpu_box(2), &config);
  CHECK(r.defaulted.empty());
  CHECK(r.spec.path == LaunchPath::kMultiGpu);
  CHECK(r.spec.num_processes == 2);
  CHECK(r.spec.mixed_precision == "bf16");
  CHECK(r.spec.mixed_precision_from_config);
  flags.mixed_precision = "fp16";
  flags.num_processes = 1;
  flags.cpu = true;  // --cpu overrides the config's MULTI_GPU
  r = resolve(flags, gpu_box(2), &config);
  CHECK(r.spec.mixed_precision == "fp16");
  CHECK_FALSE(r.spec.mixed_precision_from_config);
  CHECK(r.spec.num_processes == 1);
  CHECK(r.spec.path == LaunchPath::kSimple);
  CHECK(r.spec.use_cpu);
}

TEST_CASE("paradigm maps of the config file fill settings unless given as flags", "[launch_spec]") {
  ClusterConfig config = multi_gpu_config();
  config.distributed_type = DistributedType::kFsdp;
  config.fsdp_config =
      YAML::Load("{fsdp_version: 2, offload_params: true, fsdp_sharding_strategy: SHARD_GRAD_OP}");
  config.dynamo_config = YAML::Load("{backend: INDUCTOR, dynamo_mode: max-autotune}");
  LaunchFlags flags;
  flags.settings.emplace("fsdp_sharding_strategy", PyValue::str("NO_SHARD"));
  const auto r = resolve(flags, gpu_box(2), &config);
  CHECK(r.spec.path == LaunchPath::kFsdp);
  CHECK(r.spec.settings.at("fsdp_version").text() == "2");
  CHECK(r.spec.settings.at("fsdp_offload_params").text() == "True");
  CHECK(r.spec.settings.at("fsdp_sharding_strategy").text() == "NO_SHARD");
  CHECK(r.spec.settings.at("dynamo_backend").text() == "INDUCTOR");
  CHECK(r.spec.settings.at("dynamo_mode").text() == "max-autotune");
  CHECK(r.spec.settings.at("fsdp_min_num_params").text() == "100000000");
}

TEST_CASE("DeepSpeed records which fields came from the config file", "[launch_spec]") {
  ClusterConfig config = multi_gpu_config();
  config.distributed_type = DistributedType::kDeepspeed;
  config.deepspeed_config =
      YAML::Load("{zero_stage: 2, gradient_accumulation_steps: 4, offload_param_device: none}");
  const auto r = resolve(LaunchFlags{}, gpu_box(2), &config);
  CHECK(r.spec.path == LaunchPath::kDeepspeed);
  CHECK(r.spec.settings.at("zero_stage").text() == "2");
  CHECK(r.spec.deepspeed_fields_from_config ==
        std::vector<std::string>{"zero_stage", "gradient_accumulation_steps",
                                 "offload_param_device", "mixed_precision"});
}

TEST_CASE("MULTI_CPU configs launch through the simple path on the CPU", "[launch_spec]") {
  ClusterConfig config;
  config.distributed_type = DistributedType::kMultiCpu;
  config.use_cpu = true;
  config.num_processes = 4;
  config.main_process_ip = "10.0.0.1";
  config.main_process_port = 1234;
  const auto r = resolve(LaunchFlags{}, cpu_box(), &config);
  CHECK(r.spec.path == LaunchPath::kSimple);
  CHECK(r.spec.use_cpu);
  CHECK(r.spec.nproc_per_node == 4);
  CHECK(r.spec.master_addr == "10.0.0.1");
  CHECK(r.spec.master_port == 1234);
  CHECK(r.spec.sources.master_port == "main_process_port in " + kFile);
  CHECK(r.spec.num_cpu_threads_per_process == 2);
}

TEST_CASE("torchrun paths keep 127.0.0.1 on one machine; the port defaults to 29500",
          "[launch_spec]") {
  LaunchFlags flags;
  flags.multi_gpu = true;
  flags.num_processes = 2;
  flags.main_process_ip = "10.0.0.1";
  const auto r = resolve(flags, gpu_box(2));
  CHECK(r.spec.master_addr == "127.0.0.1");
  CHECK(r.spec.master_port == 29500);
  CHECK(r.spec.sources.master_port.empty());  // the default
}

TEST_CASE("flag --nproc_per_node is torchrun's spelling of the per-machine count",
          "[launch_spec]") {
  LaunchFlags flags;
  flags.cpu = true;
  flags.nproc_per_node = 3;
  CHECK(resolve(flags, cpu_box()).spec.nproc_per_node == 3);
}

TEST_CASE("job environment values rank like flags, above the config file, and say where from",
          "[launch_spec]") {
  ClusterConfig config = multi_gpu_config();
  config.num_machines = 2;
  config.num_processes = 8;
  config.machine_rank = 0;
  config.main_process_ip = "head";
  LaunchFlags flags;
  flags.machine_rank = 1;  // what SLURM_NODEID said, filled in for the flag
  flags.environment_sources.machine_rank = "SLURM_NODEID";
  LaunchResolution r = resolve(flags, gpu_box(4), &config);
  CHECK(r.spec.machine_rank == 1);
  CHECK(r.spec.sources.machine_rank == "SLURM_NODEID");
  CHECK(r.spec.sources.num_machines == "num_machines in " + kFile);
  CHECK(r.spec.main_process_ip == "head");
  CHECK(r.spec.sources.main_process_ip == "main_process_ip in " + kFile);
  // Several machines meet at main_process_ip, on the torchrun path too.
  CHECK(r.spec.master_addr == "head");
  CHECK(r.spec.nproc_per_node == 4);
}

TEST_CASE("SLURM's GPUs per node are the default processes per machine, below the config file",
          "[launch_spec]") {
  LaunchFlags flags;
  flags.num_machines = 2;
  flags.main_process_ip = "n1";
  flags.environment_sources.num_machines = "SLURM_NNODES";
  flags.suggested_nproc_per_node = 4;
  flags.suggested_nproc_per_node_source = "SLURM_STEP_GPUS";
  LaunchResolution r = resolve(flags, gpu_box(4));
  CHECK(r.spec.num_processes == 8);
  CHECK(r.spec.nproc_per_node == 4);
  CHECK(r.spec.sources.num_processes == "SLURM_STEP_GPUS");
  for (const std::string& line : r.defaulted)
    CHECK(line.find("`--num_processes` was set") == std::string::npos);
  ClusterConfig config = multi_gpu_config();
  config.num_processes = 6;
  config.num_machines = 2;
  CHECK(resolve(flags, gpu_box(4), &config).spec.num_processes == 6);
  config.num_processes = -1;  // "given at launch": SLURM gives it
  CHECK(resolve(flags, gpu_box(4), &config).spec.num_processes == 8);
  flags.num_processes = 2;
  CHECK(resolve(flags, gpu_box(4), &config).spec.num_processes == 2);
}
