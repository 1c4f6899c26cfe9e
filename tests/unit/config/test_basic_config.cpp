// `accel config default`: Accelerate's write_basic_config for CUDA machines.
#include <catch2/catch.hpp>

#include "config/basic_config.hpp"
#include "config/config_writer.hpp"

using namespace accel::config;

TEST_CASE("basic config: several GPUs give MULTI_GPU with one process per GPU") {
  const ClusterConfig config = basic_config(4, MixedPrecision::kBf16);
  CHECK(config.distributed_type == DistributedType::kMultiGpu);
  CHECK(config.num_processes == 4);
  CHECK_FALSE(config.use_cpu);
  CHECK(config.mixed_precision == MixedPrecision::kBf16);
}

TEST_CASE("basic config: one GPU gives NO with one process on the GPU") {
  const ClusterConfig config = basic_config(1, MixedPrecision::kNo);
  CHECK(config.distributed_type == DistributedType::kNo);
  CHECK(config.num_processes == 1);
  CHECK_FALSE(config.use_cpu);
}

TEST_CASE("basic config: no GPU gives NO on the CPU") {
  const ClusterConfig config = basic_config(0, MixedPrecision::kNo);
  CHECK(config.distributed_type == DistributedType::kNo);
  CHECK(config.num_processes == 1);
  CHECK(config.use_cpu);
}

TEST_CASE("basic config: the JSON text is what `accelerate config default` writes") {
  CHECK(to_json(basic_config(2, MixedPrecision::kNo)) ==
        "{\n"
        "  \"compute_environment\": \"LOCAL_MACHINE\",\n"
        "  \"debug\": false,\n"
        "  \"distributed_type\": \"MULTI_GPU\",\n"
        "  \"downcast_bf16\": false,\n"
        "  \"enable_cpu_affinity\": false,\n"
        "  \"machine_rank\": 0,\n"
        "  \"main_training_function\": \"main\",\n"
        "  \"mixed_precision\": \"no\",\n"
        "  \"num_machines\": 1,\n"
        "  \"num_processes\": 2,\n"
        "  \"rdzv_backend\": \"static\",\n"
        "  \"same_network\": false,\n"
        "  \"tpu_use_cluster\": false,\n"
        "  \"tpu_use_sudo\": false,\n"
        "  \"use_cpu\": false\n"
        "}\n");
}
