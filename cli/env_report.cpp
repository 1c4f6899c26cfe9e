// Gathering the report: each part from its own module of host/, config/ and
// launch/, through the inputs' seams. What `accel launch` would do is
// env_launch_report.cpp's.
#include <algorithm>
#include <array>

#include "base/system_error.hpp"
#include "cli/env_build_facts.hpp"
#include "cli/env_report.hpp"
#include "cli/version.hpp"
#include "launch/job_environment.hpp"

namespace accel::cli {

namespace {

constexpr std::array<const char*, 5> kJobPrefixes = {"SLURM_", "OMPI_", "PMI_", "PMIX_", "PET_"};
constexpr std::array<const char*, 5> kRelevantPrefixes = {"NCCL_", "ACCELERATE_", "ACCEL_",
                                                          "TORCH_NCCL_", "TORCHELASTIC_"};
constexpr std::array<const char*, 12> kRelevantNames = {
    "CUDA_VISIBLE_DEVICES",    "CUDA_DEVICE_ORDER", "HF_HOME",     "XDG_CACHE_HOME",
    "OMP_NUM_THREADS",         "MASTER_ADDR",       "MASTER_PORT", "TORCH_DISTRIBUTED_DEBUG",
    "PYTORCH_CUDA_ALLOC_CONF", "LD_LIBRARY_PATH",   "PYTHONPATH",  "VIRTUAL_ENV"};
// Parts of a name that mark a secret: a pasted report must not leak it.
constexpr std::array<const char*, 4> kSecretMarks = {"TOKEN", "SECRET", "PASSWORD", "KEY"};

bool starts_with_any(const std::string& name, const auto& prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&name](const char* prefix) { return name.starts_with(prefix); });
}

std::optional<std::string> variable(const base::Environment& env, const char* name) {
  const auto it = env.find(name);
  if (it == env.end()) return std::nullopt;
  return it->second;
}

NetworkReport network_report(const EnvInputs& inputs) {
  NetworkReport network;
  try {
    network.addresses = inputs.interfaces();
  } catch (const base::SystemError& e) {
    network.note = e.what();
  }
  network.nccl_socket_ifname = variable(inputs.environment, "NCCL_SOCKET_IFNAME");
  network.nccl_socket_family = variable(inputs.environment, "NCCL_SOCKET_FAMILY");
  network.nccl = host::nccl_socket_interfaces(network.addresses, network.nccl_socket_ifname,
                                              network.nccl_socket_family);
  network.infiniband = host::read_infiniband_devices(inputs.root);
  return network;
}

JobReport job_report(const base::Environment& environment) {
  JobReport job;
  for (const auto& [name, value] : environment) {
    if (starts_with_any(name, kJobPrefixes)) job.variables.emplace(name, value);
  }
  launch::JobEnvironment read;
  if (const launch::Problem problem = launch::read_job_environment(environment, read)) {
    job.error = problem->message;
  }
  job.system = read.system == launch::JobSystem::kNone ? "none" : launch::describe(read.system);
  return job;
}

}  // namespace

BuildFacts build_facts() {
  BuildFacts facts;
  facts.version = version();
#if defined(__clang__)
  facts.compiler = std::string("Clang ") + __clang_version__;
#elif defined(__GNUC__)
  facts.compiler = std::string("GCC ") + __VERSION__;
#else
  facts.compiler = "unknown";
#endif
  facts.build_type = kBuildType[0] != '\0' ? kBuildType : "unspecified";
  facts.cuda = kBuiltWithCuda[0] != '\0' ? kBuiltWithCuda : "none";
  facts.nccl = kBuiltWithNccl[0] != '\0' ? kBuiltWithNccl : "none";
  return facts;
}

std::map<std::string, std::string> relevant_variables(const base::Environment& environment) {
  std::map<std::string, std::string> shown;
  for (const auto& entry : environment) {
    const std::string& name = entry.first;  // a plain reference: lambdas may not capture bindings
    const bool relevant =
        starts_with_any(name, kRelevantPrefixes) ||
        std::find(kRelevantNames.begin(), kRelevantNames.end(), name) != kRelevantNames.end();
    if (!relevant) continue;
    const bool secret =
        std::any_of(kSecretMarks.begin(), kSecretMarks.end(),
                    [&](const char* mark) { return name.find(mark) != std::string::npos; });
    shown.emplace(name, secret ? "(set, hidden)" : entry.second);
  }
  return shown;
}

EnvReport gather_env_report(const EnvInputs& inputs) {
  EnvReport report;
  report.accel = build_facts();
  report.system = host::read_system_facts(inputs.root);
  if (inputs.python) report.python = inputs.python(inputs.environment);
  report.gpus = host::probe_gpu_inventory(*inputs.loader);
  report.cuda_visible_devices = variable(inputs.environment, "CUDA_VISIBLE_DEVICES");
  report.visible_gpus = host::count_visible_gpus(static_cast<int>(report.gpus.devices.size()),
                                                 report.cuda_visible_devices);
  report.network = network_report(inputs);
  report.job = job_report(inputs.environment);
  report.environment = relevant_variables(inputs.environment);
  report.launch = plan_launch_report(inputs);
  // `accel env -- --config_file F` reports F, the file the launch reads.
  std::optional<std::string> config_file = inputs.config_file;
  if (!config_file && !report.launch.config_file.empty()) {
    const ConfigReport default_file = read_config_report(std::nullopt, inputs.environment);
    if (report.launch.config_file != default_file.path) config_file = report.launch.config_file;
  }
  report.config = read_config_report(config_file, inputs.environment);
  return report;
}

}  // namespace accel::cli
