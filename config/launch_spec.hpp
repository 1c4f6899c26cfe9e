// Resolution of an `accel launch` command line into one LaunchSpec: flag >
// config file > default, with the same rules, defaults and notices as
// `accelerate launch` (accelerate/commands/launch.py, _validate_launch_command
// in 1.15), plus the checks accel adds before anything is started.
//
// Pure logic: the host facts (GPU and core counts, OMP_NUM_THREADS) and the
// loaded config come in as data, so every rule is unit-testable. Problems come
// back as data too (LaunchResolution::error, one line naming the flag or the
// file); the cli turns them into its usage error.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/cluster_config.hpp"
#include "config/launch_spec_settings.hpp"

namespace accel::config {

// What the command line said; nullopt / false = not given.
struct LaunchFlags {
  std::optional<std::string> config_file;
  bool cpu = false;
  bool multi_gpu = false;
  bool tpu = false;
  bool use_deepspeed = false;
  bool use_fsdp = false;
  bool use_megatron_lm = false;
  bool use_parallelism_config = false;
  std::optional<int> num_processes;   // total over all machines
  std::optional<int> nproc_per_node;  // torchrun's per-machine count
  std::optional<int> num_machines;
  std::optional<int> machine_rank;
  std::optional<std::string> main_process_ip;
  std::optional<int> main_process_port;
  std::optional<std::string> mixed_precision;
  std::optional<std::string> gpu_ids;
  std::optional<int> num_cpu_threads_per_process;
  bool enable_cpu_affinity = false;
  bool debug = false;
  bool module = false;
  bool no_python = false;
  // Paradigm settings given as flags (Accelerate's "nondefault" set): these
  // win over the config file's maps.
  LaunchSettings settings;

  // Where a value above came from when the job environment (SLURM, mpirun, a
  // Kubeflow PyTorchJob; launch/job_environment.hpp) filled it in for a flag
  // the command line did not give: the variable ("SLURM_NODEID"), which
  // messages and --debug name instead of the flag. Empty: the flag itself.
  // Such values rank like flags, above the config file: the file is shared
  // by every machine of the job, the variables differ per machine.
  struct EnvironmentSources {
    std::string num_processes;  // for num_processes or nproc_per_node
    std::string num_machines;
    std::string machine_rank;
    std::string main_process_ip;
    std::string main_process_port;
  } environment_sources;
  // Processes per machine the job environment suggests (SLURM's GPUs on the
  // node), used when neither a flag nor the config file gives num_processes
  // (a config's -1 counts as not given), times the machines; and the
  // variable it came from.
  std::optional<int> suggested_nproc_per_node;
  std::string suggested_nproc_per_node_source;
};

// Facts about this machine that change defaults and checks.
struct HostFacts {
  int visible_gpus = 0;  // torch.cuda.device_count() in the launcher's environment
  // GPUs that gpu_ids may name: the ids replace CUDA_VISIBLE_DEVICES, so they
  // index the machine's GPUs, not the launcher's visible ones.
  int physical_gpus = 0;
  int physical_cpu_cores = 1;
  std::optional<std::string> omp_num_threads;  // the launcher's OMP_NUM_THREADS, if set
};

// Which of Accelerate's launchers the same invocation would use; it decides
// the variables the workers get (launch/accelerate_env.hpp).
enum class LaunchPath {
  kSimple,     // NO / --cpu / MULTI_CPU: prepare_simple_launcher_cmd_env
  kMultiGpu,   // MULTI_GPU through torchrun: prepare_multi_gpu_env
  kFsdp,       // FSDP through torchrun: prepare_multi_gpu_env with use_fsdp
  kDeepspeed,  // DeepSpeed's standard launcher: prepare_deepspeed_cmd_env
};

struct LaunchSpec {
  LaunchPath path = LaunchPath::kSimple;
  bool use_cpu = false;   // ACCELERATE_USE_CPU: --cpu or the config's use_cpu
  int num_processes = 1;  // total
  int num_machines = 1;
  int machine_rank = 0;
  int nproc_per_node = 1;  // workers this machine starts
  std::string master_addr = "127.0.0.1";
  // Machine 0's address as given (flag, job environment or config file);
  // required when there are several machines, which all connect to it.
  std::optional<std::string> main_process_ip;
  int master_port = 29500;  // 0: the launcher picks a free port
  std::string mixed_precision = "no";
  bool mixed_precision_from_config = false;
  std::string gpu_ids = "all";  // "all" or the comma-separated ids as given
  bool debug = false;
  // OMP_NUM_THREADS to set; nullopt leaves the launcher's value alone (it is
  // set but not a plain number, e.g. OpenMP's nested "4,2").
  std::optional<int> num_cpu_threads_per_process;
  bool enable_cpu_affinity = false;
  bool module = false;
  bool no_python = false;
  LaunchSettings settings;  // dynamo_*, fsdp_*, DeepSpeed, megatron_lm_*, fp8_*
  // Keys of the config file's deepspeed_config, plus "mixed_precision" when
  // it came from the file (ACCELERATE_CONFIG_DS_FIELDS).
  std::vector<std::string> deepspeed_fields_from_config;

  // Where the values that messages talk about came from: the flag
  // ("--main_process_port"), the job environment's variable
  // ("SLURM_NODEID"), the key and its file ("main_process_port in
  // /x/cfg.yaml"), or "" when the default was used. A message about a value
  // names what the user wrote, so they know what to change.
  struct Sources {
    std::string num_processes;
    std::string num_machines;
    std::string machine_rank;
    std::string main_process_ip;
    std::string master_port;
  } sources;
};

struct LaunchResolution {
  LaunchSpec spec;
  // Lines of the "had defaults used instead" notice, empty when nothing was
  // defaulted (format_defaults_notice renders them).
  std::vector<std::string> defaulted;
  std::string error;  // empty when the launch may go ahead
};

// The config file `accelerate launch` would read: --config_file, else the
// default file when it exists and --cpu was not given; nullopt for none.
std::optional<std::string> config_file_to_load(const LaunchFlags& flags,
                                               const std::string& default_config_path,
                                               bool default_config_exists);

// `config` is the loaded file (nullptr when none is used), `config_path` its
// path for messages.
LaunchResolution resolve_launch(const LaunchFlags& flags, const ClusterConfig* config,
                                const std::string& config_path, const HostFacts& host);

// Accelerate's notice, naming `accel launch`.
std::string format_defaults_notice(const std::vector<std::string>& defaulted);

}  // namespace accel::config
