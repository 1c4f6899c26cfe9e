#include "config/launch_spec.hpp"

#include <algorithm>
#include <cstdlib>

#include "config/gpu_ids.hpp"
#include "config/launch_spec_internal.hpp"

namespace accel::config {

namespace {

using detail::Origin;
using detail::ParadigmSwitches;

std::string quoted(const std::string& text) {
  return "`" + text + "`";
}

// The switches Accelerate derives from a config file's distributed_type when
// no switch was given on the command line. Returns an error for types accel
// cannot launch.
std::string apply_distributed_type(const ClusterConfig& config, const std::string& path,
                                   ParadigmSwitches& switches) {
  switch (config.distributed_type) {
    case DistributedType::kNo:
    case DistributedType::kMultiCpu: return "";
    case DistributedType::kMultiGpu: switches.multi_gpu = true; return "";
    case DistributedType::kDeepspeed: switches.use_deepspeed = true; return "";
    case DistributedType::kFsdp: switches.use_fsdp = true; return "";
    case DistributedType::kMegatronLm: switches.use_megatron_lm = true; return "";
    case DistributedType::kXla: switches.tpu = true; return "";
    default: break;  // other accelerators (NPU, MLU, XPU, HPU, ...)
  }
  return "distributed_type " + std::string(to_string(config.distributed_type)) + " in " + path +
         " cannot be launched by accel, which launches NO, MULTI_CPU, MULTI_GPU, FSDP and "
         "DEEPSPEED jobs; use `accelerate launch` for this config";
}

// Copies a paradigm map of the config file into the settings, the way
// Accelerate copies `defaults.<map>.<key>` onto its argparse namespace:
// fsdp/fp8/dynamo keys gain their prefix, and a key given as a flag wins.
void merge_config_map(const YAML::Node& map, const std::string& prefix,
                      const std::string& unless_starts, const LaunchFlags& flags,
                      LaunchSettings& settings) {
  if (!map.IsMap()) return;
  for (const auto& entry : map) {
    std::string key = entry.first.as<std::string>();
    if (!prefix.empty() && !key.starts_with(unless_starts)) key = prefix + key;
    if (flags.settings.contains(key)) continue;
    std::optional<PyValue> value;
    const SettingInfo* info = find_launch_setting(key);
    if (info != nullptr && info->type == SettingType::kTruthList && entry.second.IsSequence()) {
      std::string joined;  // (a, b, c) kept as "a,b,c" of Python str() values
      for (const YAML::Node& item : entry.second) {
        const auto element = PyValue::from_yaml(item);
        joined += (joined.empty() ? "" : ",") + (element ? element->text() : "None");
      }
      value = PyValue::str(joined);
    } else {
      value = PyValue::from_yaml(entry.second);
    }
    if (value) {
      settings.insert_or_assign(key, *value);
    } else {
      settings.erase(key);  // an explicit null is Python's None
    }
  }
}

// Accelerate's get_int_from_env: the value when it is a number >= 0.
std::optional<int> omp_threads_from_env(const HostFacts& host) {
  if (!host.omp_num_threads) return std::nullopt;
  const std::string& text = *host.omp_num_threads;
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < 0) return std::nullopt;
  return static_cast<int>(value);
}

}  // namespace

std::optional<std::string> config_file_to_load(const LaunchFlags& flags,
                                               const std::string& default_config_path,
                                               bool default_config_exists) {
  if (flags.config_file) return flags.config_file;
  if (default_config_exists && !flags.cpu) return default_config_path;
  return std::nullopt;
}

LaunchResolution resolve_launch(const LaunchFlags& flags, const ClusterConfig* config,
                                const std::string& config_path, const HostFacts& host) {
  LaunchResolution result;
  LaunchSpec& spec = result.spec;
  std::vector<std::string>& warned = result.defaulted;
  auto fail = [&result](std::string message) {
    result.error = std::move(message);
    return result;
  };

  if (flags.module && flags.no_python)
    return fail("--module and --no_python cannot be used together");
  std::vector<std::string> exclusive;
  if (flags.cpu) exclusive.push_back("--cpu");
  if (flags.multi_gpu) exclusive.push_back("--multi_gpu");
  if (flags.tpu) exclusive.push_back("--tpu");
  if (flags.use_deepspeed) exclusive.push_back("--use_deepspeed");
  if (flags.use_fsdp) exclusive.push_back("--use_fsdp");
  if (exclusive.size() > 1) {
    return fail(
        "only one of --cpu, --multi_gpu, --tpu, --use_deepspeed, --use_fsdp can be used at a time, "
        "but " +
        exclusive[0] + " and " + exclusive[1] + " were both given");
  }
  if (flags.nproc_per_node && flags.num_processes) {
    return fail(
        "--nproc_per_node and --num_processes were both given: pass one (--num_processes counts "
        "every machine's processes, --nproc_per_node this machine's)");
  }
  std::optional<int> num_processes = flags.num_processes;
  if (flags.nproc_per_node) num_processes = *flags.nproc_per_node * flags.num_machines.value_or(1);
  const LaunchFlags::EnvironmentSources& from_env = flags.environment_sources;
  // The flag, or the job environment's variable that stood in for it.
  const auto given_as = [](const std::string& variable, const char* flag) {
    return variable.empty() ? std::string(flag) : variable;
  };
  const std::string processes_flag = given_as(
      from_env.num_processes, flags.nproc_per_node ? "--nproc_per_node" : "--num_processes");
  LaunchSpec::Sources& sources = spec.sources;
  if (num_processes) sources.num_processes = processes_flag;
  if (flags.num_machines) sources.num_machines = given_as(from_env.num_machines, "--num_machines");
  if (flags.machine_rank) sources.machine_rank = given_as(from_env.machine_rank, "--machine_rank");
  if (flags.main_process_ip)
    sources.main_process_ip = given_as(from_env.main_process_ip, "--main_process_ip");
  if (flags.main_process_port)
    sources.master_port = given_as(from_env.main_process_port, "--main_process_port");
  // SLURM's GPUs per node, for every machine of the job.
  const auto suggested_processes = [&flags](const std::optional<int>& machines) {
    return *flags.suggested_nproc_per_node * machines.value_or(1);
  };
  const auto from_file = [&config_path](const char* key) {
    return std::string(key) + " in " + config_path;
  };
  if (flags.multi_gpu && num_processes && *num_processes < 2) {
    return fail("--multi_gpu needs at least 2 processes, but " + processes_flag + " is " +
                std::to_string(*num_processes));
  }
  if (flags.use_parallelism_config) {
    return fail(
        "--use_parallelism_config is not supported by accel launch yet; use `accelerate launch`");
  }

  ParadigmSwitches switches{flags.cpu,      flags.multi_gpu,       flags.tpu, flags.use_deepspeed,
                            flags.use_fsdp, flags.use_megatron_lm, false};
  std::optional<int> num_machines = flags.num_machines;
  std::optional<int> machine_rank = flags.machine_rank;
  std::optional<std::string> main_process_ip = flags.main_process_ip;
  std::optional<int> main_process_port = flags.main_process_port;
  Origin gpu_ids_origin{"--gpu_ids", ""};
  // Accelerate's args.use_cpu: the config's use_cpu when a file is used, else
  // --cpu. It alone decides the CPU thread default; ACCELERATE_USE_CPU is
  // `--cpu or use_cpu`.
  bool config_use_cpu = false;
  spec.settings = default_launch_settings();
  for (const auto& [name, value] : flags.settings) spec.settings.insert_or_assign(name, value);

  if (config != nullptr) {
    if (!switches.multi_gpu && !switches.tpu && !switches.use_deepspeed && !switches.use_fsdp &&
        !switches.use_megatron_lm) {
      if (std::string error = apply_distributed_type(*config, config_path, switches);
          !error.empty()) {
        return fail(error);
      }
      if (config->parallelism_config.IsMap() && config->parallelism_config.size() > 0) {
        return fail(
            "parallelism_config in " + config_path +
            " is not supported by accel launch yet; use `accelerate launch` for this config");
      }
    }
    spec.gpu_ids = flags.gpu_ids.value_or(config->gpu_ids.value_or("all"));
    if (!flags.gpu_ids && config->gpu_ids) gpu_ids_origin.config_path = config_path;
    if (!num_machines) {
      num_machines = config->num_machines;
      sources.num_machines = from_file("num_machines");
    }
    std::string malformed;  // reported by the checks below, with where it came from
    const auto ids = spec.gpu_ids == "all" ? std::nullopt : parse_gpu_ids(spec.gpu_ids, malformed);
    if (switches.multi_gpu && ids && *num_machines <= 1 && ids->size() < 2) {
      return fail(
          gpu_ids_origin.describe() + " is " + quoted(spec.gpu_ids) +
          ", but a multi-GPU launch needs at least two GPU ids: list two or more, or use all");
    }
    if (config->compute_environment == ComputeEnvironment::kAmazonSagemaker) {
      switches.sagemaker = true;
    } else {
      if (!num_processes && config->num_processes == -1 && flags.suggested_nproc_per_node) {
        num_processes = suggested_processes(num_machines);
        sources.num_processes = flags.suggested_nproc_per_node_source;
      } else if (!num_processes) {
        num_processes = config->num_processes;
        sources.num_processes = from_file("num_processes");
      }
      if (!machine_rank) {
        machine_rank = config->machine_rank;
        sources.machine_rank = from_file("machine_rank");
      }
      if (!main_process_ip && config->main_process_ip) {
        main_process_ip = config->main_process_ip;
        sources.main_process_ip = from_file("main_process_ip");
      }
      if (!main_process_port && config->main_process_port) {
        main_process_port = config->main_process_port;
        sources.master_port = from_file("main_process_port");
      }
      config_use_cpu = config->use_cpu;
      merge_config_map(config->fsdp_config, "fsdp_", "fsdp", flags, spec.settings);
      merge_config_map(config->fp8_config, "fp8_", "fp8", flags, spec.settings);
      merge_config_map(config->dynamo_config, "dynamo_", "dynamo_", flags, spec.settings);
      merge_config_map(config->deepspeed_config, "", "", flags, spec.settings);
      merge_config_map(config->megatron_lm_config, "", "", flags, spec.settings);
    }
    spec.debug = flags.debug || config->debug;
    spec.mixed_precision =
        flags.mixed_precision.value_or(std::string(to_string(config->mixed_precision)));
    spec.mixed_precision_from_config = !flags.mixed_precision;
    if (!spec.settings.contains("dynamo_backend"))
      spec.settings.emplace("dynamo_backend", PyValue::str("no"));
    if (num_processes == -1) {
      return fail(config_path +
                  " sets num_processes to -1, which means it must be given at launch: "
                  "pass --num_processes N");
    }
    if (config->deepspeed_config.IsMap()) {
      for (const auto& entry : config->deepspeed_config) {
        spec.deepspeed_fields_from_config.push_back(entry.first.as<std::string>());
      }
    }
    if (spec.mixed_precision_from_config)
      spec.deepspeed_fields_from_config.emplace_back("mixed_precision");
  } else {
    spec.gpu_ids = flags.gpu_ids.value_or("all");
    if (!num_processes && flags.suggested_nproc_per_node) {
      num_processes = suggested_processes(num_machines);
      sources.num_processes = flags.suggested_nproc_per_node_source;
    }
    if (!num_processes) {
      // Accelerate counts the launcher's GPUs even for --cpu or with
      // --gpu_ids, which starts workers without a GPU; accel runs one CPU
      // process for --cpu and one process per listed id.
      int gpus = host.visible_gpus;
      if (flags.gpu_ids && *flags.gpu_ids != "all") {
        std::string malformed;  // reported by the checks below, with the flag's name
        const auto ids = parse_gpu_ids(*flags.gpu_ids, malformed);
        gpus = ids ? static_cast<int>(ids->size()) : 1;
      }
      num_processes = flags.cpu || gpus == 0 ? 1 : gpus;
      warned.push_back("\t`--num_processes` was set to a value of `" +
                       std::to_string(*num_processes) + "`");
    }
    spec.debug = flags.debug;
    if (!switches.multi_gpu && !switches.cpu && *num_processes > 1 && host.visible_gpus > 1) {
      warned.push_back(
          "\t\tMore than one GPU was found, enabling multi-GPU training.\n"
          "\t\tIf this was unintended please pass in `--num_processes=1`.");
      switches.multi_gpu = true;
    }
    if (!num_machines) {
      warned.emplace_back("\t`--num_machines` was set to a value of `1`");
      num_machines = 1;
    }
    if (!flags.mixed_precision)
      warned.emplace_back("\t`--mixed_precision` was set to a value of `'no'`");
    spec.mixed_precision = flags.mixed_precision.value_or("no");
    if (!spec.settings.contains("dynamo_backend")) {
      warned.emplace_back("\t`--dynamo_backend` was set to a value of `'no'`");
      spec.settings.emplace("dynamo_backend", PyValue::str("no"));
    }
  }

  const bool threads_use_cpu = config != nullptr ? config_use_cpu : flags.cpu;
  spec.use_cpu = flags.cpu || config_use_cpu;
  spec.num_processes = num_processes.value_or(1);
  spec.num_machines = num_machines.value_or(1);
  spec.machine_rank = machine_rank.value_or(0);
  spec.nproc_per_node = std::max(spec.num_processes / std::max(spec.num_machines, 1), 1);
  spec.module = flags.module;
  spec.no_python = flags.no_python;
  spec.enable_cpu_affinity = flags.enable_cpu_affinity;
  spec.master_port = main_process_port.value_or(29500);

  // torchrun (the MULTI_GPU, FSDP and DeepSpeed launchers) keeps its default
  // master address on one machine; the simple launcher uses main_process_ip.
  const bool through_torchrun =
      !switches.cpu && (switches.multi_gpu || switches.use_fsdp || switches.use_deepspeed);
  // Several machines all meet at main_process_ip, on every path.
  spec.main_process_ip = main_process_ip;
  const bool local_master = spec.num_machines <= 1 && through_torchrun;
  spec.master_addr = local_master || !main_process_ip ? "127.0.0.1" : *main_process_ip;
  if (switches.use_deepspeed && !switches.cpu) {
    spec.path = LaunchPath::kDeepspeed;
  } else if (switches.use_fsdp && !switches.cpu) {
    spec.path = LaunchPath::kFsdp;
  } else if (switches.multi_gpu && !switches.cpu) {
    spec.path = LaunchPath::kMultiGpu;
  }

  // OMP_NUM_THREADS: the flag, else the launcher's value, else 1; CPU jobs
  // with the variable unset get the physical cores shared out.
  const std::optional<int> omp_from_env = omp_threads_from_env(host);
  if (flags.num_cpu_threads_per_process) {
    spec.num_cpu_threads_per_process = flags.num_cpu_threads_per_process;
  } else if (host.omp_num_threads && !omp_from_env) {
    spec.num_cpu_threads_per_process = std::nullopt;
  } else {
    spec.num_cpu_threads_per_process = omp_from_env.value_or(1);
    if (threads_use_cpu && spec.num_processes >= 1 && omp_from_env.value_or(0) == 0) {
      const int threads = host.physical_cpu_cores / spec.nproc_per_node;
      if (threads > 1) {
        spec.num_cpu_threads_per_process = threads;
        warned.push_back("\t`--num_cpu_threads_per_process` was set to `" +
                         std::to_string(threads) +
                         "` to improve out-of-box performance when training on CPUs");
      }
    }
  }

  result.error = detail::check_resolved(spec, switches, gpu_ids_origin, host);
  return result;
}

std::string format_defaults_notice(const std::vector<std::string>& defaulted) {
  if (defaulted.empty()) return "";
  std::string message =
      "The following values were not passed to `accel launch` and had defaults used instead:\n";
  for (const std::string& line : defaulted) message += line + "\n";
  return message +
         "To avoid this warning pass in values for each of the problematic parameters or run "
         "`accel config`.\n";
}

}  // namespace accel::config
