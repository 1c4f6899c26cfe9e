#include "config/cluster_config.hpp"

namespace accel::config {

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

}  // namespace accel::config
