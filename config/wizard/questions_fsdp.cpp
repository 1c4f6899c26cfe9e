#include <string>
#include <vector>

#include "config/wizard/questions_parts.hpp"

namespace accel::config::wizard {

namespace {

// Accelerate's constants (utils/constants.py), in its order.
const std::vector<std::string> kShardingStrategies = {"FULL_SHARD", "SHARD_GRAD_OP", "NO_SHARD",
                                                      "HYBRID_SHARD", "HYBRID_SHARD_ZERO2"};
const std::vector<std::string> kAutoWrapPolicies = {"TRANSFORMER_BASED_WRAP", "SIZE_BASED_WRAP",
                                                    "NO_WRAP"};
const std::vector<std::string> kBackwardPrefetch = {"BACKWARD_PRE", "BACKWARD_POST", "NO_PREFETCH"};
const std::vector<std::string> kFsdp1StateDictTypes = {"FULL_STATE_DICT", "LOCAL_STATE_DICT",
                                                       "SHARDED_STATE_DICT"};
const std::vector<std::string> kFsdp2StateDictTypes = {"SHARDED_STATE_DICT", "FULL_STATE_DICT"};

void ask_auto_wrap(Prompter& prompter, YAML::Node& fsdp) {
  const std::string policy =
      choose_option(prompter, "What should be your auto wrap policy?", kAutoWrapPolicies);
  fsdp["fsdp_auto_wrap_policy"] = policy;
  if (policy == "TRANSFORMER_BASED_WRAP") {
    const bool use_no_split_modules = prompter.ask_yes_no(
        "Do you want to use the model's `_no_split_modules` to wrap. Only applicable for 🤗 "
        "Transformers",
        false);
    if (!use_no_split_modules) {
      fsdp["fsdp_transformer_layer_cls_to_wrap"] = prompter.ask_text(
          "Specify the comma-separated list of transformer layer class names (case-sensitive) to "
          "wrap ,e.g, :`BertLayer`, `GPTJBlock`, `T5Block`, `BertLayer,BertEmbeddings,"
          "BertSelfOutput` ...? :",
          std::nullopt, {});
    }
  } else if (policy == "SIZE_BASED_WRAP") {
    fsdp["fsdp_min_num_params"] = prompter.ask_int(
        "What should be your FSDP's minimum number of parameters for Default Auto Wrapping "
        "Policy?",
        100000000, at_least(1));
  }
}

// FSDP2's device-mesh sizes (Accelerate's ParallelismConfig); the keys carry
// the "parallelism_config_" prefix, as Accelerate writes them.
YAML::Node ask_parallelism(Prompter& prompter) {
  if (!prompter.ask_yes_no("Do you want to use the parallelism config?", false)) return {};
  YAML::Node parallelism(YAML::NodeType::Map);
  parallelism["parallelism_config_dp_replicate_size"] =
      prompter.ask_int("What is the data parallelism replicate size?", 1, at_least(1));
  parallelism["parallelism_config_dp_shard_size"] =
      prompter.ask_int("What is the FSDP shard size?", 1, at_least(1));
  parallelism["parallelism_config_tp_size"] =
      prompter.ask_int("What is the tensor parallelism size?", 1, at_least(1));
  const int context_parallel =
      prompter.ask_int("What is the context parallelism size?", 1, at_least(1));
  parallelism["parallelism_config_cp_size"] = context_parallel;
  if (context_parallel > 1) {
    parallelism["parallelism_config_cp_comm_strategy"] =
        choose_option(prompter, "What is the compute parallelism communication strategy?",
                      {"allgather", "alltoall"});
  }
  return parallelism;
}

}  // namespace

void ask_fsdp(Prompter& prompter, ClusterConfig& config) {
  if (!prompter.ask_yes_no("Do you want to use FullyShardedDataParallel?", false)) return;
  config.distributed_type = DistributedType::kFsdp;

  YAML::Node fsdp(YAML::NodeType::Map);
  const int version =
      static_cast<int>(prompter.choose("What should be your FSDP version?", {"1", "2"}, 1)) + 1;
  fsdp["fsdp_version"] = version;
  const bool fsdp1 = version == 1;

  // Accelerate keeps both under fsdp_reshard_after_forward: FSDP1 takes a
  // sharding strategy name, FSDP2 a boolean.
  if (fsdp1) {
    fsdp["fsdp_reshard_after_forward"] =
        choose_option(prompter, "What should be your sharding strategy?", kShardingStrategies);
  } else {
    fsdp["fsdp_reshard_after_forward"] =
        prompter.ask_yes_no("Do you want to enable resharding after forward?", true);
  }
  fsdp["fsdp_offload_params"] =
      prompter.ask_yes_no("Do you want to offload parameters and gradients to CPU?", false);
  ask_auto_wrap(prompter, fsdp);
  if (fsdp1) {  // FSDP2 removed backward prefetch
    fsdp["fsdp_backward_prefetch"] = choose_option(
        prompter, "What should be your FSDP's backward prefetch policy?", kBackwardPrefetch);
  }
  fsdp["fsdp_state_dict_type"] =
      choose_option(prompter, "What should be your FSDP's state dict type?",
                    fsdp1 ? kFsdp1StateDictTypes : kFsdp2StateDictTypes);
  if (fsdp1) {  // neither option exists in FSDP2
    fsdp["fsdp_forward_prefetch"] =
        prompter.ask_yes_no("Do you want to enable FSDP's forward prefetch policy?", false);
    fsdp["fsdp_use_orig_params"] =
        prompter.ask_yes_no("Do you want to enable FSDP's `use_orig_params` feature?", true);
  }
  const bool ram_efficient_loading = prompter.ask_yes_no(
      "Do you want to enable CPU RAM efficient model loading? Only applicable for 🤗 "
      "Transformers "
      "models.",
      true);
  fsdp["fsdp_cpu_ram_efficient_loading"] = ram_efficient_loading;
  if (fsdp1) {
    // Loading on rank 0 only requires broadcasting from it, so Accelerate
    // does not ask in that case.
    fsdp["fsdp_sync_module_states"] =
        ram_efficient_loading ||
        prompter.ask_yes_no(
            "Do you want each individually wrapped FSDP unit to broadcast module parameters from "
            "rank 0 at the start?",
            true);
  }
  fsdp["fsdp_activation_checkpointing"] =
      prompter.ask_yes_no("Do you want to enable FSDP activation checkpointing?", false);
  config.fsdp_config = fsdp;
  if (!fsdp1) config.parallelism_config = ask_parallelism(prompter);
}

}  // namespace accel::config::wizard
