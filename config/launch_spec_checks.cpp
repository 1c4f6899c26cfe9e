// What accel refuses to start, checked on the resolved spec: launchers it
// does not implement, impossible worlds, GPU ids that cannot work. Each
// message names the flag or the file and says what to do.
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "config/dynamo_backends.hpp"
#include "config/gpu_ids.hpp"
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

std::string check_gpu_ids(const LaunchSpec& spec, const Origin& origin, const HostFacts& host) {
  if (spec.gpu_ids == "all" || spec.use_cpu) return "";
  std::string error;
  const std::optional<std::vector<int>> parsed = parse_gpu_ids(spec.gpu_ids, error);
  if (!parsed) return origin.describe() + ": " + error;
  const std::vector<int>& ids = *parsed;
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

// `source` for messages: what the user wrote, or the flag when the default was used.
std::string named(const std::string& source, const char* flag) {
  return source.empty() ? std::string(flag) : source;
}

std::string check_machines(const LaunchSpec& spec) {
  const LaunchSpec::Sources& sources = spec.sources;
  const std::string machines_flag = named(sources.num_machines, "--num_machines");
  if (spec.num_machines < 1) {
    return machines_flag + " is " + std::to_string(spec.num_machines) +
           "; give 1 for a single machine, or more";
  }
  if (spec.machine_rank < 0 || spec.machine_rank >= spec.num_machines) {
    const std::string machines =
        spec.num_machines == 1 ? "1 machine" : std::to_string(spec.num_machines) + " machines";
    const std::string machines_source =
        sources.num_machines.empty() ? "the default" : sources.num_machines;
    const std::string ranks = spec.num_machines == 1 ? "the only machine rank is 0"
                                                     : "machine ranks run from 0 to " +
                                                           std::to_string(spec.num_machines - 1);
    return named(sources.machine_rank, "--machine_rank") + " is " +
           std::to_string(spec.machine_rank) + ", but the job has " + machines + " (" +
           machines_source + "): " + ranks;
  }
  if (spec.num_machines == 1) return "";
  // Accelerate asserts the same ("When using multiple machines, you need to
  // specify the main process IP."); here the message also says which value
  // made the job span several machines.
  if (!spec.main_process_ip || spec.main_process_ip->empty()) {
    return "when using multiple machines, you need to specify the main process IP: " +
           machines_flag + " is " + std::to_string(spec.num_machines) +
           ", but no --main_process_ip (or main_process_ip in the config file) names machine 0, "
           "which every machine connects to; pass --main_process_ip with its address";
  }
  // Every machine starts num_processes / num_machines workers (Accelerate's
  // nproc_per_node); a remainder would silently shrink the world.
  if (spec.num_processes % spec.num_machines != 0) {
    const int per_machine = std::max(spec.num_processes / spec.num_machines, 1);
    return named(sources.num_processes, "--num_processes") + " is " +
           std::to_string(spec.num_processes) + ", which does not divide evenly over the " +
           std::to_string(spec.num_machines) + " machines of " + machines_flag +
           ": every machine runs the same number of processes; pass a multiple of " +
           std::to_string(spec.num_machines) + ", e.g. --num_processes " +
           std::to_string(per_machine * spec.num_machines) + " (" + std::to_string(per_machine) +
           " per machine)";
  }
  return "";
}

}  // namespace

std::string check_resolved(const LaunchSpec& spec, const ParadigmSwitches& switches,
                           const Origin& gpu_ids_origin, const HostFacts& host) {
  if (std::string error = check_switches(switches); !error.empty()) return error;
  if (spec.num_processes < 1) {
    return named(spec.sources.num_processes, "--num_processes") +
           " must be at least 1, but it is " + std::to_string(spec.num_processes);
  }
  if (std::string error = check_machines(spec); !error.empty()) return error;
  if (spec.master_port < 0 || spec.master_port > 65535) {
    return named(spec.sources.master_port, "--main_process_port") + " " +
           std::to_string(spec.master_port) +
           " is not a TCP port; use 1-65535, or 0 to pick a free one";
  }
  if (std::string error = check_gpu_ids(spec, gpu_ids_origin, host); !error.empty()) return error;
  return check_settings(spec);
}

}  // namespace accel::config::detail
