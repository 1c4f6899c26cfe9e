#include <string>
#include <vector>

#include "config/wizard/questions_parts.hpp"

namespace accel::config::wizard {

namespace {

const std::vector<std::string> kOffloadDevices = {"none", "cpu", "nvme"};
// Accelerate's DEEPSPEED_MULTINODE_LAUNCHERS; "standard" needs no hostfile.
const std::vector<std::string> kMultinodeLaunchers = {"pdsh",  "standard", "openmpi", "mvapich",
                                                      "mpich", "nossh",    "slurm"};

Validator<std::string> any_text() {
  return {};
}

// ZeRO settings, asked when there is no DeepSpeed JSON file to hold them.
void ask_zero_settings(Prompter& prompter, YAML::Node& deepspeed) {
  const int stage = static_cast<int>(prompter.choose(
      "What should be your DeepSpeed's ZeRO optimization stage?", {"0", "1", "2", "3"}, 2));
  deepspeed["zero_stage"] = stage;
  if (stage >= 2) {
    const std::string optimizer_device =
        choose_option(prompter, "Where to offload optimizer states?", kOffloadDevices);
    const std::string param_device =
        choose_option(prompter, "Where to offload parameters?", kOffloadDevices);
    deepspeed["offload_optimizer_device"] = optimizer_device;
    deepspeed["offload_param_device"] = param_device;
    if (param_device == "nvme") {
      deepspeed["offload_param_nvme_path"] =
          prompter.ask_text("Nvme Path to offload parameters?", "/nvme", any_text());
    }
    if (optimizer_device == "nvme") {
      deepspeed["offload_optimizer_nvme_path"] =
          prompter.ask_text("Nvme Path to offload optimizer states?", "/nvme", any_text());
    }
  }
  deepspeed["gradient_accumulation_steps"] = prompter.ask_int(
      "How many gradient accumulation steps you're passing in your script?", 1, at_least(1));
  if (prompter.ask_yes_no("Do you want to use gradient clipping?", false)) {
    deepspeed["gradient_clipping"] =
        prompter.ask_float("What is the gradient clipping value?", 1.0, [](const double& value) {
          return value > 0 ? std::nullopt
                           : std::optional<std::string>("The clipping value must be above 0.");
        });
  }
  if (stage == 3) {
    deepspeed["zero3_save_16bit_model"] = prompter.ask_yes_no(
        "Do you want to save 16-bit model weights when using ZeRO Stage-3?", false);
  }
}

// How DeepSpeed itself starts the other machines; asked only for several.
void ask_multinode_launcher(Prompter& prompter, YAML::Node& deepspeed) {
  const std::string launcher =
      choose_option(prompter, "Which Type of launcher do you want to use?", kMultinodeLaunchers);
  deepspeed["deepspeed_multinode_launcher"] = launcher;
  if (launcher == "standard") return;
  deepspeed["deepspeed_hostfile"] = prompter.ask_text(
      "DeepSpeed configures multi-node compute resources with hostfile. Each row is of the "
      "format `hostname slots=[num_gpus]`, e.g., `localhost slots=2`. Please specify the "
      "location of hostfile:",
      std::nullopt, any_text());
  if (prompter.ask_yes_no("Do you want to specify exclusion filter string?", false)) {
    deepspeed["deepspeed_exclusion_filter"] =
        prompter.ask_text("DeepSpeed exclusion filter string:", std::nullopt, any_text());
  }
  if (prompter.ask_yes_no("Do you want to specify inclusion filter string?", false)) {
    deepspeed["deepspeed_inclusion_filter"] =
        prompter.ask_text("DeepSpeed inclusion filter string:", std::nullopt, any_text());
  }
}

}  // namespace

bool ask_deepspeed(Prompter& prompter, ClusterConfig& config) {
  if (!prompter.ask_yes_no("Do you want to use DeepSpeed?", false)) return false;
  config.distributed_type = DistributedType::kDeepspeed;

  YAML::Node deepspeed(YAML::NodeType::Map);
  // The file is not checked here: the config may be written on a login node
  // for machines that have the file.
  const bool use_json_file =
      prompter.ask_yes_no("Do you want to specify a json file to a DeepSpeed config?", false);
  if (use_json_file) {
    deepspeed["deepspeed_config_file"] = prompter.ask_text(
        "Please enter the path to the json DeepSpeed config file:", std::nullopt, any_text());
  } else {
    ask_zero_settings(prompter, deepspeed);
  }
  deepspeed["zero3_init_flag"] = prompter.ask_yes_no(
      "Do you want to enable `deepspeed.zero.Init` when using ZeRO Stage-3 for constructing "
      "massive models?",
      false);
  if (prompter.ask_yes_no("Do you want to enable Mixture-of-Experts training (MoE)?", false)) {
    deepspeed["deepspeed_moe_layer_cls_names"] = prompter.ask_text(
        "Specify the comma-separated list of transformers MoE layer class names (case-sensitive), "
        "e.g : `MixtralSparseMoeBlock`, `Qwen2MoeSparseMoeBlock`, `JetMoEAttention,JetMoEBlock` "
        "... :",
        std::nullopt, any_text());
  }
  if (config.num_machines > 1) ask_multinode_launcher(prompter, deepspeed);
  config.deepspeed_config = deepspeed;
  return use_json_file;
}

}  // namespace accel::config::wizard
