// The wizard's question flow, driven by scripted answers: the configs the
// common answer sets produce, and how bad answers and end of input behave.
#include <catch2/catch.hpp>

#include "config/scripted_prompter.hpp"
#include "config/wizard/questions.hpp"

using accel::config::ClusterConfig;
using accel::config::ComputeEnvironment;
using accel::config::DistributedType;
using accel::config::MixedPrecision;
using accel::config::wizard::ask_cluster_config;
using accel::config::wizard::MachineFacts;
using accel::config::wizard::WizardAborted;
using accel::config::wizard::testing::ScriptedPrompter;

namespace {

const MachineFacts kCpuMachine{0};
const MachineFacts kFourGpus{4};

ClusterConfig run_script(ScriptedPrompter& prompter, const MachineFacts& facts) {
  ClusterConfig config = ask_cluster_config(prompter, facts);
  CHECK(prompter.all_answers_used());
  return config;
}

}  // namespace

TEST_CASE("wizard: multi-GPU with bf16 on one machine", "[wizard]") {
  ScriptedPrompter prompter({"", "multi-GPU", "", "", "", "", "", "2", "0,1", "", "bf16"});
  const ClusterConfig config = run_script(prompter, kCpuMachine);
  CHECK(config.compute_environment == ComputeEnvironment::kLocalMachine);
  CHECK(config.distributed_type == DistributedType::kMultiGpu);
  CHECK(config.mixed_precision == MixedPrecision::kBf16);
  CHECK(config.num_processes == 2);
  CHECK(config.num_machines == 1);
  CHECK(config.machine_rank == 0);
  CHECK(config.gpu_ids == "0,1");
  CHECK_FALSE(config.use_cpu);
  CHECK_FALSE(config.debug);
  CHECK(config.same_network);
  CHECK_FALSE(config.main_process_ip.has_value());
  CHECK_FALSE(config.enable_cpu_affinity);
  CHECK(config.dynamo_config.IsNull());
  CHECK(config.fsdp_config.IsNull());
  CHECK(config.deepspeed_config.IsNull());
  CHECK(prompter.errors.empty());
}

TEST_CASE("wizard: defaults follow the GPUs this machine shows", "[wizard]") {
  // Enter everywhere: multi-GPU is pre-selected and all four GPUs are used.
  ScriptedPrompter prompter({"", "", "", "", "", "", "", "", "", "", ""});
  const ClusterConfig config = run_script(prompter, kFourGpus);
  CHECK(config.distributed_type == DistributedType::kMultiGpu);
  CHECK(config.num_processes == 4);
  CHECK(config.gpu_ids == "all");
  CHECK(config.mixed_precision == MixedPrecision::kNo);
}

TEST_CASE("wizard: no distribution on a CPU machine defaults to the CPU", "[wizard]") {
  // compute env, type, use_cpu, dynamo, deepspeed, precision
  ScriptedPrompter prompter({"", "", "", "", "", ""});
  const ClusterConfig config = run_script(prompter, kCpuMachine);
  CHECK(config.distributed_type == DistributedType::kNo);
  CHECK(config.use_cpu);
  CHECK(config.num_processes == 1);
  CHECK_FALSE(config.gpu_ids.has_value());
}

TEST_CASE("wizard: multi-CPU asks for processes, not GPUs", "[wizard]") {
  ScriptedPrompter prompter({"0", "1", "", "yes", "", "8", "fp16"});
  const ClusterConfig config = run_script(prompter, kFourGpus);
  CHECK(config.distributed_type == DistributedType::kMultiCpu);
  CHECK(config.use_cpu);
  CHECK(config.debug);
  CHECK(config.num_processes == 8);
  CHECK(config.mixed_precision == MixedPrecision::kFp16);
  CHECK_FALSE(config.gpu_ids.has_value());
  CHECK(prompter.questions.at(5) == "How many processes should be used for distributed training?");
  // DeepSpeed and FSDP are GPU features: never asked for multi-CPU.
  for (const std::string& question : prompter.questions) {
    CHECK(question.find("DeepSpeed") == std::string::npos);
    CHECK(question.find("FullyShardedDataParallel") == std::string::npos);
  }
}

TEST_CASE("wizard: several machines multiply the per-machine count", "[wizard]") {
  ScriptedPrompter prompter({"", "multi-GPU", "2", "1", "10.0.0.1", "", "no", "c10d", "", "", "",
                             "", "4", "", "", "bf16"});
  const ClusterConfig config = run_script(prompter, kCpuMachine);
  CHECK(config.num_machines == 2);
  CHECK(config.machine_rank == 1);
  CHECK(config.main_process_ip == "10.0.0.1");
  CHECK(config.main_process_port == 29500);
  CHECK_FALSE(config.same_network);
  CHECK(config.rdzv_backend == "c10d");
  CHECK(config.num_processes == 8);
  CHECK(config.gpu_ids == "all");
  CHECK(prompter.questions.at(12) == "How many GPU(s) should be used on each machine?");
}

TEST_CASE("wizard: FSDP2 writes Accelerate's fsdp_config keys", "[wizard]") {
  ScriptedPrompter prompter({"", "multi-GPU", "", "", "", "", "yes",
                             "",     // version 2
                             "",     // reshard after forward: yes
                             "no",   // offload
                             "1",    // SIZE_BASED_WRAP
                             "",     // min num params
                             "",     // SHARDED_STATE_DICT
                             "",     // cpu ram efficient loading: yes
                             "yes",  // activation checkpointing
                             "",     // parallelism config: no
                             "4", "bf16"});
  const ClusterConfig config = run_script(prompter, kCpuMachine);
  CHECK(config.distributed_type == DistributedType::kFsdp);
  CHECK(config.num_processes == 4);
  CHECK_FALSE(config.gpu_ids.has_value());  // Accelerate does not ask it for FSDP
  const YAML::Node& fsdp = config.fsdp_config;
  CHECK(fsdp["fsdp_version"].as<int>() == 2);
  CHECK(fsdp["fsdp_reshard_after_forward"].as<bool>());
  CHECK_FALSE(fsdp["fsdp_offload_params"].as<bool>());
  CHECK(fsdp["fsdp_auto_wrap_policy"].as<std::string>() == "SIZE_BASED_WRAP");
  CHECK(fsdp["fsdp_min_num_params"].as<int>() == 100000000);
  CHECK(fsdp["fsdp_state_dict_type"].as<std::string>() == "SHARDED_STATE_DICT");
  CHECK(fsdp["fsdp_cpu_ram_efficient_loading"].as<bool>());
  CHECK(fsdp["fsdp_activation_checkpointing"].as<bool>());
  CHECK_FALSE(fsdp["fsdp_backward_prefetch"]);  // FSDP1 only
  CHECK_FALSE(fsdp["fsdp_use_orig_params"]);
  CHECK(fsdp.size() == 8);
  CHECK(config.parallelism_config.IsNull());
}

TEST_CASE("wizard: FSDP1 asks the FSDP1-only options", "[wizard]") {
  ScriptedPrompter prompter({"",
                             "multi-GPU",
                             "",
                             "",
                             "",
                             "",
                             "yes",
                             "1",  // version 1
                             "SHARD_GRAD_OP",
                             "",
                             "",  // strategy, offload, TRANSFORMER_BASED_WRAP
                             "no",
                             "LlamaDecoderLayer",  // no _no_split_modules: class names
                             "BACKWARD_POST",
                             "",
                             "",
                             "",
                             "no",
                             "no",
                             "",
                             "2",
                             "fp16"});
  const ClusterConfig config = run_script(prompter, kCpuMachine);
  const YAML::Node& fsdp = config.fsdp_config;
  CHECK(fsdp["fsdp_version"].as<int>() == 1);
  CHECK(fsdp["fsdp_reshard_after_forward"].as<std::string>() == "SHARD_GRAD_OP");
  CHECK(fsdp["fsdp_auto_wrap_policy"].as<std::string>() == "TRANSFORMER_BASED_WRAP");
  CHECK(fsdp["fsdp_transformer_layer_cls_to_wrap"].as<std::string>() == "LlamaDecoderLayer");
  CHECK(fsdp["fsdp_backward_prefetch"].as<std::string>() == "BACKWARD_POST");
  CHECK(fsdp["fsdp_state_dict_type"].as<std::string>() == "FULL_STATE_DICT");
  CHECK_FALSE(fsdp["fsdp_forward_prefetch"].as<bool>());
  CHECK(fsdp["fsdp_use_orig_params"].as<bool>());
  CHECK_FALSE(fsdp["fsdp_cpu_ram_efficient_loading"].as<bool>());
  CHECK_FALSE(fsdp["fsdp_sync_module_states"].as<bool>());
  CHECK_FALSE(fsdp["fsdp_activation_checkpointing"].as<bool>());
}

TEST_CASE("wizard: FSDP2 parallelism config keys carry Accelerate's prefix", "[wizard]") {
  ScriptedPrompter prompter({"",  "multi-GPU", "",  "",         "",  "", "yes", "",
                             "",  "",          "2", "",         "",  "", "yes", "1",
                             "2", "2",         "2", "alltoall", "8", ""});
  const ClusterConfig config = run_script(prompter, kCpuMachine);
  const YAML::Node& parallelism = config.parallelism_config;
  CHECK(parallelism["parallelism_config_dp_replicate_size"].as<int>() == 1);
  CHECK(parallelism["parallelism_config_dp_shard_size"].as<int>() == 2);
  CHECK(parallelism["parallelism_config_tp_size"].as<int>() == 2);
  CHECK(parallelism["parallelism_config_cp_size"].as<int>() == 2);
  CHECK(parallelism["parallelism_config_cp_comm_strategy"].as<std::string>() == "alltoall");
}

TEST_CASE("wizard: DeepSpeed ZeRO-3 with offload", "[wizard]") {
  ScriptedPrompter prompter({"", "multi-GPU", "", "", "", "yes",
                             "",   // no json file
                             "3",  // ZeRO stage
                             "cpu", "nvme", "/local/nvme",
                             "4",  // gradient accumulation
                             "yes", "0.5",
                             "yes",  // save 16-bit model
                             "yes",  // zero3 init
                             "",     // MoE: no
                             "8", "bf16"});
  const ClusterConfig config = run_script(prompter, kCpuMachine);
  CHECK(config.distributed_type == DistributedType::kDeepspeed);
  CHECK(config.num_processes == 8);
  const YAML::Node& deepspeed = config.deepspeed_config;
  CHECK(deepspeed["zero_stage"].as<int>() == 3);
  CHECK(deepspeed["offload_optimizer_device"].as<std::string>() == "cpu");
  CHECK(deepspeed["offload_param_device"].as<std::string>() == "nvme");
  CHECK(deepspeed["offload_param_nvme_path"].as<std::string>() == "/local/nvme");
  CHECK_FALSE(deepspeed["offload_optimizer_nvme_path"]);
  CHECK(deepspeed["gradient_accumulation_steps"].as<int>() == 4);
  CHECK(deepspeed["gradient_clipping"].as<double>() == 0.5);
  CHECK(deepspeed["zero3_save_16bit_model"].as<bool>());
  CHECK(deepspeed["zero3_init_flag"].as<bool>());
  CHECK_FALSE(deepspeed["deepspeed_multinode_launcher"]);
  CHECK(config.mixed_precision == MixedPrecision::kBf16);
}

TEST_CASE("wizard: a DeepSpeed JSON file owns mixed precision", "[wizard]") {
  ScriptedPrompter prompter({"", "multi-GPU", "2", "0", "node0", "6000", "", "", "", "yes", "yes",
                             "/etc/ds.json", "", "", "standard", "8"});
  const ClusterConfig config = run_script(prompter, kCpuMachine);
  const YAML::Node& deepspeed = config.deepspeed_config;
  CHECK(deepspeed["deepspeed_config_file"].as<std::string>() == "/etc/ds.json");
  CHECK_FALSE(deepspeed["zero_stage"]);
  CHECK(deepspeed["deepspeed_multinode_launcher"].as<std::string>() == "standard");
  CHECK_FALSE(deepspeed["deepspeed_hostfile"]);
  CHECK(config.main_process_port == 6000);
  CHECK(config.num_processes == 16);
  CHECK(config.mixed_precision == MixedPrecision::kNo);
  CHECK(prompter.questions.back() == "How many GPU(s) should be used on each machine?");
}

TEST_CASE("wizard: dynamo backend and options", "[wizard]") {
  ScriptedPrompter prompter({"", "multi-GPU", "", "", "yes", "", "yes", "max-autotune", "yes", "no",
                             "", "", "", "2", "", "", "no"});
  const ClusterConfig config = run_script(prompter, kCpuMachine);
  const YAML::Node& dynamo = config.dynamo_config;
  CHECK(dynamo["dynamo_backend"].as<std::string>() == "INDUCTOR");
  CHECK(dynamo["dynamo_mode"].as<std::string>() == "max-autotune");
  CHECK(dynamo["dynamo_use_fullgraph"].as<bool>());
  CHECK_FALSE(dynamo["dynamo_use_dynamic"].as<bool>());
  CHECK_FALSE(dynamo["dynamo_use_regional_compilation"].as<bool>());
  // Accelerate's TF32 note for dynamo without mixed precision.
  REQUIRE(prompter.notes.size() == 1);
  CHECK(prompter.notes[0].find("TF32") != std::string::npos);
}

TEST_CASE("wizard: dynamo backend chosen by name, without custom options", "[wizard]") {
  ScriptedPrompter prompter({"", "", "no", "yes", "aot_eager", "", "", "", "", "fp16"});
  const ClusterConfig config = run_script(prompter, kCpuMachine);
  CHECK(config.dynamo_config["dynamo_backend"].as<std::string>() == "AOT_EAGER");
  CHECK(config.dynamo_config.size() == 1);
  CHECK(config.gpu_ids == "all");
}

TEST_CASE("wizard: invalid answers are asked again with the reason", "[wizard]") {
  ScriptedPrompter prompter({"", "multi-GPU", "two", "0",
                             "",                        // machines: not a number, below 1, default
                             "maybe", "",               // debug
                             "", "", "", "1", "2",      // one GPU is not multi-GPU
                             "0,0", "0;1", "0", "0,1",  // duplicate, malformed, too few ids
                             "", "fp64", "bf16"});
  const ClusterConfig config = run_script(prompter, kCpuMachine);
  CHECK(config.num_processes == 2);
  CHECK(config.gpu_ids == "0,1");
  CHECK(config.mixed_precision == MixedPrecision::kBf16);
  REQUIRE(prompter.errors.size() == 8);
  CHECK(prompter.errors[0] == "'two' is not a whole number.");
  CHECK(prompter.errors[1] == "Please enter 1 or more.");
  CHECK(prompter.errors[2] == "Please enter yes or no.");
  CHECK(prompter.errors[3].find("at least 2 GPUs") != std::string::npos);
  CHECK(prompter.errors[4] == "GPU id 0 is listed twice.");
  CHECK(prompter.errors[5].find("is not 'all' or a comma-separated list") != std::string::npos);
  CHECK(prompter.errors[6].find("1 GPU id(s) for 2 processes") != std::string::npos);
  CHECK(prompter.errors[7].find("Please enter a number from 0 to 3") != std::string::npos);
}

TEST_CASE("wizard: end of input aborts the flow", "[wizard]") {
  ScriptedPrompter prompter({"", "multi-GPU", ""});
  try {
    ask_cluster_config(prompter, kCpuMachine);
    FAIL("the flow returned a config without all its answers");
  } catch (const WizardAborted& aborted) {
    CHECK(aborted.reason() == WizardAborted::Reason::kEndOfInput);
  }
}

TEST_CASE("wizard: SageMaker is explained and can be declined", "[wizard]") {
  ScriptedPrompter prompter({"AWS (Amazon SageMaker)", "no"});
  try {
    ask_cluster_config(prompter, kCpuMachine);
    FAIL("declining did not stop the flow");
  } catch (const WizardAborted& aborted) {
    CHECK(aborted.reason() == WizardAborted::Reason::kDeclined);
  }
  REQUIRE(prompter.notes.size() == 1);
  CHECK(prompter.notes[0].find("not on Amazon SageMaker") != std::string::npos);
}

TEST_CASE("wizard: SageMaker answer can carry on with this machine", "[wizard]") {
  ScriptedPrompter prompter({"1", "", "", "", "", "", ""});
  const ClusterConfig config = run_script(prompter, kCpuMachine);
  CHECK(config.compute_environment == ComputeEnvironment::kLocalMachine);
  CHECK(config.distributed_type == DistributedType::kNo);
}
