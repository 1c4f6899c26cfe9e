#include "config/config_keys.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <numeric>
#include <vector>

namespace accel::config {

namespace {

constexpr auto kClusterConfigKeys = std::to_array<std::string_view>({
    "compute_environment",
    "distributed_type",
    "mixed_precision",
    "use_cpu",
    "debug",
    "num_processes",
    "machine_rank",
    "num_machines",
    "gpu_ids",
    "main_process_ip",
    "main_process_port",
    "rdzv_backend",
    "same_network",
    "main_training_function",
    "enable_cpu_affinity",
    "downcast_bf16",
    "fp8_config",
    "deepspeed_config",
    "fsdp_config",
    "parallelism_config",
    "megatron_lm_config",
    "mpirun_config",
    "dynamo_config",
    "tpu_name",
    "tpu_zone",
    "tpu_use_cluster",
    "tpu_use_sudo",
    "command_file",
    "commands",
    "tpu_vm",
    "tpu_env",
});

constexpr auto kLegacyKeys = std::to_array<std::string_view>({"fp16", "dynamo_backend"});

constexpr auto kSageMakerOnlyKeys = std::to_array<std::string_view>({
    "ec2_instance_type",
    "iam_role_name",
    "image_uri",
    "profile",
    "region",
    "base_job_name",
    "pytorch_version",
    "transformers_version",
    "py_version",
    "sagemaker_inputs_file",
    "sagemaker_metrics_file",
    "additional_args",
});

std::string normalized(std::string_view key) {
  std::string text(key);
  for (char& c : text) {
    c = c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return text;
}

}  // namespace

std::span<const std::string_view> cluster_config_keys() {
  return kClusterConfigKeys;
}
std::span<const std::string_view> legacy_keys() {
  return kLegacyKeys;
}
std::span<const std::string_view> sagemaker_only_keys() {
  return kSageMakerOnlyKeys;
}

bool is_known_key(std::string_view key) {
  const auto keys = cluster_config_keys();
  return std::find(keys.begin(), keys.end(), key) != keys.end() ||
         std::find(kLegacyKeys.begin(), kLegacyKeys.end(), key) != kLegacyKeys.end();
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // One row of the classic dynamic-programming table at a time.
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::optional<std::string> closest_key(std::string_view unknown) {
  const std::string wanted = normalized(unknown);
  std::optional<std::string> best;
  std::size_t best_distance = 0;
  for (std::string_view key : cluster_config_keys()) {
    const std::size_t distance = edit_distance(wanted, key);
    if (!best || distance < best_distance) {
      best = std::string(key);
      best_distance = distance;
    }
  }
  const std::size_t allowed = std::max<std::size_t>(2, best ? best->size() / 3 : 0);
  if (!best || best_distance > allowed) return std::nullopt;
  return best;
}

}  // namespace accel::config
