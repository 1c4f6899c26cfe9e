// Writing: files as Accelerate writes them, and load -> save -> load keeps
// every value, for a fixture of every distributed_type.
#include <catch2/catch.hpp>

#include "config/config_reader.hpp"
#include "config/config_writer.hpp"
#include "config_test_support.hpp"

using namespace accel::config;
using accel::config::testing::fixture;
using accel::config::testing::slurp;
using accel::config::testing::TempDir;

namespace {

ClusterConfig load_ok(const std::string& path) {
  LoadResult result = load_config(path);
  INFO(format(result.diagnostics));
  REQUIRE(result.ok());
  return result.config;
}

}  // namespace

TEST_CASE("writer: fixtures written by Accelerate come back byte for byte") {
  // Each file is yaml.safe_dump's (or json.dumps') own text, checked with PyYAML.
  for (const char* name : {"no.yaml", "multi_cpu.yaml", "multi_gpu.yaml", "fsdp.yaml",
                           "deepspeed.yaml", "megatron_lm.yaml", "xla.yaml", "sagemaker.yaml"}) {
    INFO(name);
    CHECK(to_yaml(load_ok(fixture(name))) == slurp(fixture(name)));
  }
  CHECK(to_json(load_ok(fixture("default_json.yaml"))) == slurp(fixture("default_json.yaml")));
}

TEST_CASE("writer: load -> save -> load keeps every value of every fixture") {
  TempDir dir;
  for (const char* name : {"no.yaml", "multi_cpu.yaml", "multi_gpu.yaml", "fsdp.yaml",
                           "deepspeed.yaml", "megatron_lm.yaml", "xla.yaml", "default_json.yaml",
                           "legacy.yaml", "legacy_no_mixed_precision.yaml", "sagemaker.yaml"}) {
    INFO(name);
    const ClusterConfig first = load_ok(fixture(name));
    const std::string saved = dir.file(name);
    REQUIRE(save_config(first, saved, FileFormat::kYaml, IfExists::kRefuse).ok);
    const ClusterConfig second = load_ok(saved);
    // The canonical text is a complete description of the values.
    CHECK(to_yaml(second) == to_yaml(first));
    CHECK(to_json(second) == to_json(first));
  }
}

TEST_CASE("writer: the nested maps of FSDP and DeepSpeed keep their types") {
  const ClusterConfig fsdp = load_ok(fixture("fsdp.yaml"));
  CHECK(fsdp.fsdp_config["fsdp_version"].Scalar() == "1");
  CHECK(fsdp.fsdp_config["fsdp_offload_params"].Scalar() == "false");
  const std::string json = to_json(load_ok(fixture("deepspeed.yaml")));
  CHECK(json.find("\"gradient_clipping\": 1.0,") != std::string::npos);
  CHECK(json.find("\"zero_stage\": 3\n") != std::string::npos);
  CHECK(json.find("\"zero3_init_flag\": true,") != std::string::npos);
  CHECK(json.find("\"offload_param_device\": \"none\",") != std::string::npos);
}

TEST_CASE("writer: legacy keys are written in their current form") {
  const std::string text = to_yaml(load_ok(fixture("legacy.yaml")));
  CHECK(text.find("\nfp16:") == std::string::npos);
  CHECK(text.find("\ndynamo_backend:") == std::string::npos);
  CHECK(text.find("mixed_precision: fp16\n") != std::string::npos);
  CHECK(text.find("dynamo_config:\n  dynamo_backend: INDUCTOR\n") != std::string::npos);
  CHECK(text.find("compute_environment: LOCAL_MACHINE\n") != std::string::npos);
}

TEST_CASE("writer: empty maps and unset optionals are left out, empty lists kept") {
  ClusterConfig config;
  config.fsdp_config = YAML::Node(YAML::NodeType::Map);
  config.tpu_env = std::vector<std::string>{};
  const std::string text = to_yaml(config);
  CHECK(text.find("fsdp_config") == std::string::npos);
  CHECK(text.find("gpu_ids") == std::string::npos);
  CHECK(text.find("main_process_port") == std::string::npos);
  CHECK(text.find("tpu_env: []\n") != std::string::npos);
  CHECK(text.find("commands") == std::string::npos);
}

TEST_CASE("writer: strings that look like other types are quoted") {
  ClusterConfig config;
  config.gpu_ids = "0";
  config.downcast_bf16 = std::string("no");
  config.main_process_ip = "10.0.0.1";
  const std::string text = to_yaml(config);
  CHECK(text.find("gpu_ids: '0'\n") != std::string::npos);
  CHECK(text.find("downcast_bf16: 'no'\n") != std::string::npos);
  CHECK(text.find("distributed_type: 'NO'\n") != std::string::npos);
  CHECK(text.find("main_process_ip: 10.0.0.1\n") != std::string::npos);
}

TEST_CASE("writer: format follows the file name as in Accelerate") {
  CHECK(format_for_path("/x/default_config.yaml") == FileFormat::kYaml);
  CHECK(format_for_path("/x/config.json") == FileFormat::kJson);
  CHECK(format_for_path("/x/config.yml") == FileFormat::kYaml);
}
