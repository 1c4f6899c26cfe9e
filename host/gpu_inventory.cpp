#include "host/gpu_inventory.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <tuple>

#include "host/gpu_probe.hpp"

namespace accel::host {

namespace {

// NVML's C interface, as far as we call it. nvmlReturn_t and the enums are
// int-sized with 0 meaning success; structs are copied from nvml.h
// (nvmlPciInfo_t is the layout of nvmlDeviceGetPciInfo_v3 and
// nvmlDeviceGetNvLinkRemotePciInfo_v2).
using NvmlDevice = void*;
struct NvmlMemory {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};
struct NvmlPciInfo {
  char bus_id_legacy[16];
  unsigned int domain;
  unsigned int bus;
  unsigned int device;
  unsigned int pci_device_id;
  unsigned int pci_subsystem_id;
  char bus_id[32];
};
using NvmlInit = int (*)();
using NvmlShutdown = int (*)();
using NvmlDeviceGetCount = int (*)(unsigned int*);
using NvmlSystemGetDriverVersion = int (*)(char*, unsigned int);
using NvmlSystemGetCudaDriverVersion = int (*)(int*);
using NvmlDeviceGetHandleByIndex = int (*)(unsigned int, NvmlDevice*);
using NvmlDeviceGetText = int (*)(NvmlDevice, char*, unsigned int);  // name, UUID
using NvmlDeviceGetMemoryInfo = int (*)(NvmlDevice, NvmlMemory*);
using NvmlDeviceGetCudaComputeCapability = int (*)(NvmlDevice, int*, int*);
using NvmlDeviceGetPciInfo = int (*)(NvmlDevice, NvmlPciInfo*);
using NvmlDeviceGetTopologyCommonAncestor = int (*)(NvmlDevice, NvmlDevice, int*);
using NvmlDeviceGetNvLinkState = int (*)(NvmlDevice, unsigned int, int*);
using NvmlDeviceGetNvLinkRemotePciInfo = int (*)(NvmlDevice, unsigned int, NvmlPciInfo*);
using NvmlDeviceGetNvLinkRemoteDeviceType = int (*)(NvmlDevice, unsigned int, int*);
using NcclGetVersion = int (*)(int*);

constexpr unsigned int kTextSize = 96;    // NVML_DEVICE_NAME_V2_BUFFER_SIZE, > UUID's 80
constexpr unsigned int kMaxNvLinks = 18;  // NVML_NVLINK_MAX_LINKS (Hopper)
constexpr int kNvmlFeatureEnabled = 1;    // NVML_FEATURE_ENABLED
constexpr int kNvLinkDeviceSwitch = 1;    // NVML_NVLINK_DEVICE_TYPE_SWITCH

void add_note(GpuInventory& inventory, const std::string& note) {
  inventory.note += (inventory.note.empty() ? "" : "; ") + note;
}

// A PCI address as a key: NVML's bus id strings differ in the width of the
// domain between calls ("0000:07:00.0" vs "00000000:07:00.0").
using PciKey = std::tuple<unsigned int, unsigned int, unsigned int>;
PciKey key_of(const NvmlPciInfo& pci) {
  return {pci.domain, pci.bus, pci.device};
}

// The NVML entry points, looked up once; any may be null (an old driver).
struct Nvml {
  explicit Nvml(const LoadedLibrary& library)
      : init(library.function<NvmlInit>("nvmlInit_v2")),
        shutdown(library.function<NvmlShutdown>("nvmlShutdown")),
        count(library.function<NvmlDeviceGetCount>("nvmlDeviceGetCount_v2")),
        driver(library.function<NvmlSystemGetDriverVersion>("nvmlSystemGetDriverVersion")),
        cuda(library.function<NvmlSystemGetCudaDriverVersion>("nvmlSystemGetCudaDriverVersion_v2")),
        handle(library.function<NvmlDeviceGetHandleByIndex>("nvmlDeviceGetHandleByIndex_v2")),
        name(library.function<NvmlDeviceGetText>("nvmlDeviceGetName")),
        uuid(library.function<NvmlDeviceGetText>("nvmlDeviceGetUUID")),
        memory(library.function<NvmlDeviceGetMemoryInfo>("nvmlDeviceGetMemoryInfo")),
        capability(library.function<NvmlDeviceGetCudaComputeCapability>(
            "nvmlDeviceGetCudaComputeCapability")),
        pci(library.function<NvmlDeviceGetPciInfo>("nvmlDeviceGetPciInfo_v3")),
        ancestor(library.function<NvmlDeviceGetTopologyCommonAncestor>(
            "nvmlDeviceGetTopologyCommonAncestor")),
        link_state(library.function<NvmlDeviceGetNvLinkState>("nvmlDeviceGetNvLinkState")),
        link_remote(library.function<NvmlDeviceGetNvLinkRemotePciInfo>(
            "nvmlDeviceGetNvLinkRemotePciInfo_v2")),
        link_remote_type(library.function<NvmlDeviceGetNvLinkRemoteDeviceType>(
            "nvmlDeviceGetNvLinkRemoteDeviceType")) {}

  NvmlInit init;
  NvmlShutdown shutdown;
  NvmlDeviceGetCount count;
  NvmlSystemGetDriverVersion driver;
  NvmlSystemGetCudaDriverVersion cuda;
  NvmlDeviceGetHandleByIndex handle;
  NvmlDeviceGetText name;
  NvmlDeviceGetText uuid;
  NvmlDeviceGetMemoryInfo memory;
  NvmlDeviceGetCudaComputeCapability capability;
  NvmlDeviceGetPciInfo pci;
  NvmlDeviceGetTopologyCommonAncestor ancestor;
  NvmlDeviceGetNvLinkState link_state;
  NvmlDeviceGetNvLinkRemotePciInfo link_remote;
  NvmlDeviceGetNvLinkRemoteDeviceType link_remote_type;
};

std::string text_of(NvmlDeviceGetText get, NvmlDevice device) {
  char text[kTextSize] = {};
  if (get == nullptr || get(device, text, kTextSize) != 0) return "";
  return std::string(text, ::strnlen(text, kTextSize));
}

GpuDevice describe_device(const Nvml& nvml, int index, NvmlDevice device, NvmlPciInfo& pci) {
  GpuDevice gpu;
  gpu.index = index;
  gpu.name = text_of(nvml.name, device);
  gpu.uuid = text_of(nvml.uuid, device);
  NvmlMemory memory{};
  if (nvml.memory != nullptr && nvml.memory(device, &memory) == 0) {
    gpu.memory_total_bytes = memory.total;
    gpu.memory_used_bytes = memory.used;
  }
  int major = 0;
  int minor = 0;
  if (nvml.capability != nullptr && nvml.capability(device, &major, &minor) == 0) {
    gpu.compute_capability = std::to_string(major) + "." + std::to_string(minor);
  }
  if (nvml.pci != nullptr && nvml.pci(device, &pci) == 0) {
    gpu.pci_bus_id = std::string(pci.bus_id, ::strnlen(pci.bus_id, sizeof pci.bus_id));
  }
  return gpu;
}

// Each GPU's active NVLinks: how many reach each other GPU directly, and how
// many end at an NVSwitch (which joins every GPU that has switch links).
struct NvLinks {
  std::map<int, int> to_gpu;  // peer index -> links
  int to_switch = 0;
};

NvLinks count_nvlinks(const Nvml& nvml, NvmlDevice device,
                      const std::map<PciKey, int>& gpu_by_pci) {
  NvLinks links;
  if (nvml.link_state == nullptr || nvml.link_remote == nullptr) return links;
  for (unsigned int link = 0; link < kMaxNvLinks; ++link) {
    int state = 0;
    if (nvml.link_state(device, link, &state) != 0 || state != kNvmlFeatureEnabled) continue;
    int type = 0;
    if (nvml.link_remote_type != nullptr && nvml.link_remote_type(device, link, &type) == 0 &&
        type == kNvLinkDeviceSwitch) {
      ++links.to_switch;
      continue;
    }
    NvmlPciInfo remote{};
    if (nvml.link_remote(device, link, &remote) != 0) continue;
    if (const auto peer = gpu_by_pci.find(key_of(remote)); peer != gpu_by_pci.end()) {
      ++links.to_gpu[peer->second];
    }
  }
  return links;
}

std::vector<std::vector<std::string>> topology_matrix(const Nvml& nvml,
                                                      const std::vector<NvmlDevice>& handles,
                                                      const std::vector<NvmlPciInfo>& pcis) {
  const std::size_t count = handles.size();
  std::map<PciKey, int> gpu_by_pci;
  for (std::size_t i = 0; i < count; ++i) gpu_by_pci[key_of(pcis[i])] = static_cast<int>(i);
  std::vector<NvLinks> links;
  for (const NvmlDevice device : handles) links.push_back(count_nvlinks(nvml, device, gpu_by_pci));

  std::vector<std::vector<std::string>> matrix(count, std::vector<std::string>(count, "?"));
  for (std::size_t i = 0; i < count; ++i) {
    for (std::size_t j = 0; j < count; ++j) {
      if (i == j) {
        matrix[i][j] = "X";
        continue;
      }
      const auto direct = links[i].to_gpu.find(static_cast<int>(j));
      int nvlinks = direct != links[i].to_gpu.end() ? direct->second : 0;
      if (nvlinks == 0 && links[i].to_switch > 0 && links[j].to_switch > 0) {
        nvlinks = std::min(links[i].to_switch, links[j].to_switch);
      }
      if (nvlinks > 0) {
        matrix[i][j] = "NV" + std::to_string(nvlinks);
        continue;
      }
      int level = -1;
      if (nvml.ancestor != nullptr && nvml.ancestor(handles[i], handles[j], &level) == 0) {
        matrix[i][j] = topology_label(level);
      }
    }
  }
  return matrix;
}

void probe_devices(const Nvml& nvml, GpuInventory& inventory) {
  unsigned int count = 0;
  if (nvml.count(&count) != 0) {
    add_note(inventory, "nvmlDeviceGetCount_v2 failed: no GPU listed");
    return;
  }
  if (nvml.handle == nullptr) {
    add_note(inventory, "libnvidia-ml.so.1 lacks nvmlDeviceGetHandleByIndex_v2: no GPU details");
    return;
  }
  std::vector<NvmlDevice> handles;
  std::vector<NvmlPciInfo> pcis;
  for (unsigned int index = 0; index < count; ++index) {
    NvmlDevice device = nullptr;
    if (nvml.handle(index, &device) != 0) {
      // A GPU NVML cannot open (fallen off the bus, or held by another
      // container): listed, so the count matches nvidia-smi's.
      GpuDevice unopened;
      unopened.index = static_cast<int>(index);
      unopened.name = "(NVML cannot open this GPU)";
      inventory.devices.push_back(std::move(unopened));
      continue;
    }
    NvmlPciInfo pci{};
    inventory.devices.push_back(describe_device(nvml, static_cast<int>(index), device, pci));
    handles.push_back(device);
    pcis.push_back(pci);
  }
  if (handles.size() > 1 && handles.size() == count) {
    inventory.topology = topology_matrix(nvml, handles, pcis);
  }
}

void probe_nvml(DynamicLoader& loader, GpuInventory& inventory) {
  const LoadedLibrary library(loader, "libnvidia-ml.so.1");
  if (!library.loaded()) {
    add_note(inventory, "no NVIDIA driver (libnvidia-ml.so.1 not found)");
    return;
  }
  inventory.nvml_found = true;
  inventory.nvml_path = library.path();
  const Nvml nvml(library);
  if (nvml.init == nullptr || nvml.shutdown == nullptr || nvml.count == nullptr) {
    add_note(inventory,
             "libnvidia-ml.so.1 lacks nvmlInit_v2/nvmlDeviceGetCount_v2 (driver too old)");
    return;
  }
  if (const int result = nvml.init(); result != 0) {
    add_note(inventory, "nvmlInit_v2 failed with NVML error " + std::to_string(result) +
                            " (driver not loaded, or a driver/library version mismatch)");
    return;
  }
  if (nvml.driver != nullptr) {
    char version[80] = {};  // NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE
    if (nvml.driver(version, sizeof version) == 0) inventory.driver_version = std::string(version);
  }
  int cuda = 0;
  if (nvml.cuda != nullptr && nvml.cuda(&cuda) == 0 && cuda > 0) {
    inventory.cuda_driver_version = format_cuda_version(cuda);
  }
  probe_devices(nvml, inventory);
  nvml.shutdown();
}

void probe_nccl(DynamicLoader& loader, GpuInventory& inventory) {
  const LoadedLibrary library(loader, "libnccl.so.2");
  if (!library.loaded()) {
    add_note(inventory, "libnccl.so.2 not found");
    return;
  }
  inventory.nccl_found = true;
  inventory.nccl_path = library.path();
  const auto get_version = library.function<NcclGetVersion>("ncclGetVersion");
  int code = 0;
  if (get_version == nullptr || get_version(&code) != 0) {
    add_note(inventory, "libnccl.so.2 does not report its version (ncclGetVersion)");
    return;
  }
  inventory.nccl_version = format_nccl_version(code);
}

}  // namespace

std::string topology_label(int nvml_level) {
  switch (nvml_level) {
    case 0: return "X";      // NVML_TOPOLOGY_INTERNAL: the same board
    case 10: return "PIX";   // NVML_TOPOLOGY_SINGLE
    case 20: return "PXB";   // NVML_TOPOLOGY_MULTIPLE
    case 30: return "PHB";   // NVML_TOPOLOGY_HOSTBRIDGE
    case 40: return "NODE";  // NVML_TOPOLOGY_NODE
    case 50: return "SYS";   // NVML_TOPOLOGY_SYSTEM
    default: return "?";
  }
}

GpuInventory probe_gpu_inventory(DynamicLoader& loader) {
  GpuInventory inventory;
  probe_nvml(loader, inventory);
  probe_nccl(loader, inventory);
  return inventory;
}

}  // namespace accel::host
