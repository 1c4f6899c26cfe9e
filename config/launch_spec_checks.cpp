// What accel refuses to start, checked on the resolved spec: launchers it
// does not implement, impossible worlds, GPU ids that cannot work. Each
// message names the flag or the file and says what to do.
#include <cctype>
#include <string>
#include <vector>

#include "config/dynamo_backends.hpp"
#include "config/launch_spec_internal.hpp"

namespace accel::config::detail {

namespace {

constexpr const char* kLaunchable =
    "accel launches NO, MULTI_CPU, MULTI_GPU, FSDP and DEEPSPEED jobs";

std::string check_switches(const ParadigmSwitches& switches) {
  if (switches.cpu) return "";  // --cpu wins: Accelerate's simple launcher runs it
  if (switches.use_megatron_lm) {
    return std::string(
               "Megatron-LM jobs (--use_megatron_lm or distributed_type MEGATRON_LM) cannot be "
               "launched "
               "by accel; ") +
           kLaunchable + ", use `accelerate launch` for this one";
  }
  if (switches.tpu) {
    return std::string("TPU jobs (--tpu or distributed_type XLA) cannot be launched by accel; ") +
           kLaunchable + ", use `accelerate launch` for this one";
  }
  if (switches.sagemaker) {
    return std::string(
        "compute_environment AMAZON_SAGEMAKER cannot be launched by accel; use `accelerate launch` "
        "to submit SageMaker jobs");
  }
  return "";
}

// The ids of a gpu_ids value ("0,1,3"), or an error naming the bad entry.
std::string parse_gpu_ids(const std::string& gpu_ids, const Origin& origin, std::vector<int>& ids) {
  size_t start = 0;
  while (start <= gpu_ids.size()) {
    const size_t comma = std::min(gpu_ids.find(',', start), gpu_ids.size());
    std::string entry = gpu_ids.substr(start, comma - start);
    while (!entry.empty() && entry.front() == ' ') entry.erase(0, 1);
    while (!entry.empty() && entry.back() == ' ') entry.pop_back();
    bool digits = !entry.empty() && entry.size() < 6;
    for (const char c : entry) digits = digits && std::isdigit(static_cast<unsigned char>(c)) != 0;
    if (!digits) {
      return origin.describe() + ": '" + entry +
             "' is not a GPU index; use a comma-separated list of indexes such as 0,1 or all";
    }
    ids.push_back(std::stoi(entry));
    start = comma + 1;
  }
  return "";
}

std::string check_gpu_ids(const LaunchSpec& spec, const Origin& origin, const HostFacts& host) {
  if (spec.gpu_ids == "all" || spec.use_cpu) return "";
  std::vector<int> ids;
  if (std::string error = parse_gpu_ids(spec.gpu_ids, origin, ids); !error.empty()) return error;
  for (const int id : ids) {
    if (id >= host.physical_gpus) {
      const std::string present =
          host.physical_gpus == 0   ? "this machine has no GPU"
          : host.physical_gpus == 1 ? "this machine has 1 GPU, id 0"
                                    : "this machine has " + std::to_string(host.physical_gpus) +
                                          " GPUs, ids 0-" + std::to_string(host.physical_gpus - 1);
      return origin.describe() + ": GPU " + std::to_string(id) + " does not exist (" + present +
             "); pass ids that exist, or --cpu";
    }
  }
  // One GPU per worker on the distributed GPU paths.
  if (spec.path != LaunchPath::kSimple && static_cast<int>(ids.size()) != spec.nproc_per_node) {
    return origin.describe() + " lists " + std::to_string(ids.size()) + " GPU(s) (" + spec.gpu_ids +
           ") but " + std::to_string(spec.nproc_per_node) +
           " processes run on this machine: give one GPU id per process, or change --num_processes";
  }
  return "";
}

std::string check_settings(const LaunchSpec& spec) {
  const PyValue& backend = spec.settings.at("dynamo_backend");
  if (!find_dynamo_backend(backend.text())) {
    return "unknown dynamo backend " + backend.text() +
           " (--dynamo_backend or dynamo_config.dynamo_backend); "
           "choose one of no, eager, aot_eager, inductor, cudagraphs, ...";
  }
  const std::string& precision = spec.mixed_precision;
  if (precision != "no" && precision != "fp16" && precision != "bf16" && precision != "fp8") {
    return "unknown mixed precision " + precision + "; choose no, fp16, bf16 or fp8";
  }
  if (spec.path == LaunchPath::kFsdp) {
    // Accelerate tests Python truthiness here, so the text "false" passes.
    const auto setting_true = [&spec](const char* name) {
      const auto it = spec.settings.find(name);
      return it != spec.settings.end() && it->second.truthy();
    };
    if (setting_true("fsdp_cpu_ram_efficient_loading") &&
        !setting_true("fsdp_sync_module_states")) {
      return "fsdp_cpu_ram_efficient_loading needs fsdp_sync_module_states: set "
             "--fsdp_sync_module_states true";
    }
  }
  return "";
}

}  // namespace

std::string check_resolved(const LaunchSpec& spec, const ParadigmSwitches& switches,
                           const Origin& gpu_ids_origin, const HostFacts& host) {
  if (std::string error = check_switches(switches); !error.empty()) return error;
  if (spec.num_processes < 1) {
    return "--num_processes must be at least 1, but it is " + std::to_string(spec.num_processes);
  }
  if (spec.num_machines > 1) {
    return "--num_machines is " + std::to_string(spec.num_machines) +
           ", but this accel launches on one machine only (multi-machine rendezvous is not built "
           "yet); "
           "run with --num_machines 1";
  }
  if (spec.master_port < 0 || spec.master_port > 65535) {
    return "--main_process_port " + std::to_string(spec.master_port) +
           " is not a TCP port; use 1-65535, or 0 to pick a free one";
  }
  if (std::string error = check_gpu_ids(spec, gpu_ids_origin, host); !error.empty()) return error;
  return check_settings(spec);
}

}  // namespace accel::config::detail
