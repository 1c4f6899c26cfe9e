#include "config/cluster_config.hpp"

#include <array>

namespace accel::config {

namespace {

constexpr std::array kComputeEnvironments = {ComputeEnvironment::kLocalMachine,
                                             ComputeEnvironment::kAmazonSagemaker};

constexpr std::array kDistributedTypes = {
    DistributedType::kNo,        DistributedType::kMultiCpu,    DistributedType::kMultiGpu,
    DistributedType::kMultiNpu,  DistributedType::kMultiMlu,    DistributedType::kMultiSdaa,
    DistributedType::kMultiMusa, DistributedType::kMultiXpu,    DistributedType::kMultiHpu,
    DistributedType::kDeepspeed, DistributedType::kFsdp,        DistributedType::kMegatronLm,
    DistributedType::kXla,       DistributedType::kMultiNeuron,
};

constexpr std::array kMixedPrecisions = {MixedPrecision::kNo, MixedPrecision::kFp16,
                                         MixedPrecision::kBf16, MixedPrecision::kFp8};

// One search over the spellings keeps to_string and parse_* from drifting apart.
template <typename Enum, std::size_t N>
std::optional<Enum> parse_by_name(const std::array<Enum, N>& values, std::string_view text) {
  for (Enum value : values) {
    if (to_string(value) == text) return value;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(ComputeEnvironment value) {
  switch (value) {
    case ComputeEnvironment::kLocalMachine: return "LOCAL_MACHINE";
    case ComputeEnvironment::kAmazonSagemaker: return "AMAZON_SAGEMAKER";
  }
  return "LOCAL_MACHINE";
}

std::string_view to_string(DistributedType value) {
  switch (value) {
    case DistributedType::kNo: return "NO";
    case DistributedType::kMultiCpu: return "MULTI_CPU";
    case DistributedType::kMultiGpu: return "MULTI_GPU";
    case DistributedType::kMultiNpu: return "MULTI_NPU";
    case DistributedType::kMultiMlu: return "MULTI_MLU";
    case DistributedType::kMultiSdaa: return "MULTI_SDAA";
    case DistributedType::kMultiMusa: return "MULTI_MUSA";
    case DistributedType::kMultiXpu: return "MULTI_XPU";
    case DistributedType::kMultiHpu: return "MULTI_HPU";
    case DistributedType::kDeepspeed: return "DEEPSPEED";
    case DistributedType::kFsdp: return "FSDP";
    case DistributedType::kMegatronLm: return "MEGATRON_LM";
    case DistributedType::kXla: return "XLA";
    case DistributedType::kMultiNeuron: return "MULTI_NEURON";
  }
  return "NO";
}

std::string_view to_string(MixedPrecision value) {
  switch (value) {
    case MixedPrecision::kNo: return "no";
    case MixedPrecision::kFp16: return "fp16";
    case MixedPrecision::kBf16: return "bf16";
    case MixedPrecision::kFp8: return "fp8";
  }
  return "no";
}

std::optional<ComputeEnvironment> parse_compute_environment(std::string_view text) {
  return parse_by_name(kComputeEnvironments, text);
}

std::optional<DistributedType> parse_distributed_type(std::string_view text) {
  return parse_by_name(kDistributedTypes, text);
}

std::optional<MixedPrecision> parse_mixed_precision(std::string_view text) {
  return parse_by_name(kMixedPrecisions, text);
}

std::span<const ComputeEnvironment> all_compute_environments() {
  return kComputeEnvironments;
}
std::span<const DistributedType> all_distributed_types() {
  return kDistributedTypes;
}
std::span<const MixedPrecision> all_mixed_precisions() {
  return kMixedPrecisions;
}

}  // namespace accel::config
