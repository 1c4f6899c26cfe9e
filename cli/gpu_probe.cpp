#include "cli/gpu_probe.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <set>
#include <string_view>

namespace accel::cli {

namespace {

// The three NVML entry points we need, with NVML's C signatures. nvmlReturn_t
// is an int-sized enum where 0 means success.
using NvmlInit = int (*)();
using NvmlShutdown = int (*)();
using NvmlDeviceGetCount = int (*)(unsigned int*);

struct DlHandle {
  void* handle = nullptr;
  ~DlHandle() {
    if (handle != nullptr) dlclose(handle);
  }
};

bool is_uuid_entry(std::string_view entry) {
  return entry.starts_with("GPU-") || entry.starts_with("MIG-");
}

}  // namespace

int count_visible_gpus(int physical_count, const std::optional<std::string>& cuda_visible_devices) {
  if (!cuda_visible_devices) return physical_count;
  int visible = 0;
  std::set<long> seen;
  std::string_view rest = *cuda_visible_devices;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    std::string_view entry = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    if (is_uuid_entry(entry)) {  // cannot map UUIDs without NVML queries; trust them
      ++visible;
      continue;
    }
    const std::string text(entry);
    char* end = nullptr;
    const long index = text.empty() ? -1 : std::strtol(text.c_str(), &end, 10);
    // CUDA ignores everything from the first entry that is not a valid index.
    if (text.empty() || *end != '\0' || index < 0 || index >= physical_count ||
        !seen.insert(index).second) {
      break;
    }
    ++visible;
  }
  return visible < physical_count ? visible : physical_count;
}

GpuFacts probe_gpus(const std::optional<std::string>& cuda_visible_devices) {
  GpuFacts facts;
  DlHandle nvml{dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL)};
  if (nvml.handle == nullptr) {
    facts.note = "libnvidia-ml.so.1 not found (no NVIDIA driver): assuming no GPU";
    return facts;
  }
  auto init = reinterpret_cast<NvmlInit>(dlsym(nvml.handle, "nvmlInit_v2"));
  auto shutdown = reinterpret_cast<NvmlShutdown>(dlsym(nvml.handle, "nvmlShutdown"));
  auto get_count =
      reinterpret_cast<NvmlDeviceGetCount>(dlsym(nvml.handle, "nvmlDeviceGetCount_v2"));
  if (init == nullptr || shutdown == nullptr || get_count == nullptr) {
    facts.note = "libnvidia-ml.so.1 lacks nvmlInit_v2/nvmlDeviceGetCount_v2: assuming no GPU";
    return facts;
  }
  if (init() != 0) {
    facts.note = "nvmlInit_v2 failed (driver not loaded?): assuming no GPU";
    return facts;
  }
  unsigned int count = 0;
  if (get_count(&count) != 0) {
    facts.note = "nvmlDeviceGetCount_v2 failed: assuming no GPU";
    count = 0;
  }
  shutdown();
  facts.physical_count = static_cast<int>(count);
  facts.visible_count = count_visible_gpus(facts.physical_count, cuda_visible_devices);
  return facts;
}

const GpuFacts& gpu_facts() {
  static const GpuFacts facts = [] {
    const char* value = std::getenv("CUDA_VISIBLE_DEVICES");
    return probe_gpus(value != nullptr ? std::optional<std::string>(value) : std::nullopt);
  }();
  return facts;
}

}  // namespace accel::cli
