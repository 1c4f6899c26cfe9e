// How many GPUs this process can see, without linking CUDA or NVML: NVML is
// loaded with dlopen at run time, so the same binary runs on CPU-only login
// nodes (where the count is simply 0) and on GPU nodes.
#pragma once

#include <optional>
#include <string>

namespace accel::cli {

struct GpuFacts {
  int physical_count = 0;  // GPUs NVML reports on this machine
  int visible_count = 0;   // after CUDA_VISIBLE_DEVICES, as torch.cuda.device_count() sees it
  std::string note;        // why the count is 0 when NVML was unusable (for --debug logs)
};

// `cuda_visible_devices` is the value of CUDA_VISIBLE_DEVICES (nullopt when unset).
GpuFacts probe_gpus(const std::optional<std::string>& cuda_visible_devices);

// Reads CUDA_VISIBLE_DEVICES from the environment and probes once per process.
const GpuFacts& gpu_facts();

// Pure part of the probe, for tests: how many of `physical_count` GPUs a
// CUDA_VISIBLE_DEVICES value exposes. CUDA stops at the first invalid entry;
// an empty value hides every GPU.
int count_visible_gpus(int physical_count, const std::optional<std::string>& cuda_visible_devices);

}  // namespace accel::cli
