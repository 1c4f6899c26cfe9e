#include "config/wizard/questions.hpp"

#include <charconv>
#include <set>
#include <string>
#include <vector>

#include "config/wizard/questions_parts.hpp"

namespace accel::config::wizard {

namespace {

bool is_gpu_type(DistributedType type) {
  return type == DistributedType::kMultiGpu || type == DistributedType::kDeepspeed ||
         type == DistributedType::kFsdp;
}

// Accelerate's SageMaker flow writes a different file (SageMakerConfig) and
// launches through the SageMaker SDK; accel does neither, so it offers to
// carry on with a config for this machine.
void ask_compute_environment(Prompter& prompter) {
  const std::size_t environment = prompter.choose("In which compute environment are you running?",
                                                  {"This machine", "AWS (Amazon SageMaker)"}, 0);
  if (environment == 0) return;
  prompter.tell(
      "accel launches on this machine and on clusters of machines, not on Amazon SageMaker;\n"
      "for SageMaker, use `accelerate config` and `accelerate launch`.");
  if (!prompter.ask_yes_no("Write a config for this machine instead?", true)) {
    throw WizardAborted::declined("you chose not to write a config for this machine");
  }
}

DistributedType ask_machine_type(Prompter& prompter, const MachineFacts& facts) {
  // Accelerate defaults to "No distributed training"; with several GPUs in
  // sight multi-GPU is the likelier answer.
  const std::size_t default_index = facts.visible_gpus > 1 ? 2 : 0;
  const std::size_t type =
      prompter.choose("Which type of machine are you using?",
                      {"No distributed training", "multi-CPU", "multi-GPU"}, default_index);
  if (type == 1) return DistributedType::kMultiCpu;
  if (type == 2) return DistributedType::kMultiGpu;
  return DistributedType::kNo;
}

// Accelerate asks for the total; several machines are easier to answer per
// machine, and num_processes is the product either way.
int ask_num_processes(Prompter& prompter, const ClusterConfig& config, const MachineFacts& facts) {
  const bool gpus = is_gpu_type(config.distributed_type);
  const std::string what = gpus ? "GPU(s)" : "processes";
  const std::string question =
      config.num_machines > 1 ? "How many " + what + " should be used on each machine?"
                              : "How many " + what + " should be used for distributed training?";
  const int default_count = gpus && facts.visible_gpus > 0 ? facts.visible_gpus : 1;
  const bool single_machine_multi_gpu =
      config.distributed_type == DistributedType::kMultiGpu && config.num_machines == 1;
  const int per_machine = prompter.ask_int(
      question, default_count, [&](const int& count) -> std::optional<std::string> {
        if (count < 1) return "Please enter 1 or more.";
        if (single_machine_multi_gpu && count == 1) {
          return "multi-GPU on one machine needs at least 2 GPUs; for a single GPU, start again "
                 "and choose 'No distributed training'.";
        }
        return std::nullopt;
      });
  if (gpus && facts.visible_gpus > 0 && per_machine > facts.visible_gpus) {
    prompter.tell("Note: this machine shows " + std::to_string(facts.visible_gpus) +
                  " GPU(s); the config asks for " + std::to_string(per_machine) + " per machine.");
  }
  return per_machine * config.num_machines;
}

// "all", or distinct GPU ids ("0,1,3") enough for the processes on a machine.
std::optional<std::string> check_gpu_ids(const std::string& ids, int processes_per_machine) {
  if (ids == "all") return std::nullopt;
  std::set<int> seen;
  std::string_view rest = ids;
  while (true) {
    const std::size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    int id = -1;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), id);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size() || id < 0) {
      return "'" + ids + "' is not 'all' or a comma-separated list of GPU ids such as 0,1.";
    }
    if (!seen.insert(id).second) return "GPU id " + std::to_string(id) + " is listed twice.";
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (static_cast<int>(seen.size()) < processes_per_machine) {
    return std::to_string(seen.size()) + " GPU id(s) for " + std::to_string(processes_per_machine) +
           " processes per machine; list at least one id per process, or 'all'.";
  }
  return std::nullopt;
}

MixedPrecision ask_mixed_precision(Prompter& prompter, ClusterConfig& config) {
  const std::size_t precision =
      prompter.choose("Do you wish to use mixed precision?", {"no", "fp16", "bf16", "fp8"}, 0);
  switch (precision) {
    case 1: return MixedPrecision::kFp16;
    case 2: return MixedPrecision::kBf16;
    case 3: {
      // The backend's tuning questions are left out: Accelerate uses its
      // defaults for every key that is absent.
      static const std::vector<std::string> kBackends = {"AO", "TE", "MSAMP"};
      const std::size_t backend =
          prompter.choose("Which FP8 backend do you want to use?", {"ao", "te", "msamp"}, 0);
      config.fp8_config = YAML::Node(YAML::NodeType::Map);
      config.fp8_config["backend"] = kBackends[backend];
      return MixedPrecision::kFp8;
    }
    default: return MixedPrecision::kNo;
  }
}

}  // namespace

ClusterConfig ask_cluster_config(Prompter& prompter, const MachineFacts& facts) {
  ClusterConfig config;
  config.compute_environment = ComputeEnvironment::kLocalMachine;
  config.same_network = true;  // what Accelerate writes unless asked otherwise
  ask_compute_environment(prompter);
  config.distributed_type = ask_machine_type(prompter, facts);

  const bool multi_process = config.distributed_type != DistributedType::kNo;
  if (multi_process) {
    ask_machines(prompter, config);
    config.debug = prompter.ask_yes_no(
        "Should distributed operations be checked while running for errors? This can avoid "
        "timeout issues but will be slower.",
        false);
  }

  if (config.distributed_type == DistributedType::kNo) {
    // Accelerate defaults to "no"; on a machine without a GPU the CPU is the
    // only place the job can run.
    config.use_cpu = prompter.ask_yes_no(
        "Do you want to run your training on CPU only (even if a GPU / Apple Silicon / Ascend NPU "
        "device is available)?",
        facts.visible_gpus == 0);
  } else {
    config.use_cpu = config.distributed_type == DistributedType::kMultiCpu;
  }

  config.dynamo_config = ask_dynamo(prompter);

  bool deepspeed_file_owns_precision = false;
  if (config.distributed_type == DistributedType::kNo ||
      config.distributed_type == DistributedType::kMultiGpu) {
    deepspeed_file_owns_precision = ask_deepspeed(prompter, config);
  }
  if (config.distributed_type == DistributedType::kMultiGpu) ask_fsdp(prompter, config);

  config.num_processes = config.distributed_type == DistributedType::kNo
                             ? 1
                             : ask_num_processes(prompter, config, facts);

  const bool plain_gpu_job = (config.distributed_type == DistributedType::kNo ||
                              config.distributed_type == DistributedType::kMultiGpu) &&
                             !config.use_cpu;
  if (plain_gpu_job) {
    const int per_machine = config.num_processes / config.num_machines;
    config.gpu_ids = prompter.ask_text(
        "What GPU(s) (by id) should be used for training on this machine as a comma-separated "
        "list?",
        "all", [&](const std::string& ids) { return check_gpu_ids(ids, per_machine); });
    config.enable_cpu_affinity = prompter.ask_yes_no(
        "Would you like to enable numa efficiency? (Currently only supported on NVIDIA hardware).",
        false);
  }

  if (!deepspeed_file_owns_precision)
    config.mixed_precision = ask_mixed_precision(prompter, config);

  if (config.dynamo_config.IsDefined() && !config.dynamo_config.IsNull() &&
      config.mixed_precision == MixedPrecision::kNo && !config.use_cpu) {
    prompter.tell(
        "Torch dynamo used without mixed precision requires TF32 to be efficient. Accelerate will "
        "enable it by default when launching your scripts.");
  }
  return config;
}

}  // namespace accel::config::wizard
