// Every GPU of this machine in detail, for `accel env`: name, memory,
// compute capability, PCI bus id and, with several GPUs, how each pair is
// connected, in the notation of `nvidia-smi topo -m`:
//
//   X     the GPU itself
//   NV#   # NVLink links between the two (direct, or through NVSwitches)
//   PIX   at most one PCIe bridge apart
//   PXB   several PCIe bridges apart, without the host bridge
//   PHB   through a PCIe host bridge (one CPU's root complex)
//   NODE  through the interconnect between host bridges of one NUMA node
//   SYS   through the link between NUMA nodes (QPI/UPI, Infinity Fabric)
//
// Like gpu_probe.hpp, NVML and NCCL come through a DynamicLoader, so this
// runs (and is tested) without a GPU: a missing library, symbol or failing
// call leaves its fact empty and `note` says why. NVML is initialised once
// and shut down before returning. Not thread-safe (NVML's init refcount is
// process-wide, but our callers are single-threaded anyway).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "host/dynamic_loader.hpp"

namespace accel::host {

struct GpuDevice {
  int index = 0;  // NVML's index, which is CUDA's with CUDA_DEVICE_ORDER=PCI_BUS_ID
  std::string name;
  std::string uuid;
  std::string pci_bus_id;  // "00000000:07:00.0"
  std::optional<std::uint64_t> memory_total_bytes;
  std::optional<std::uint64_t> memory_used_bytes;
  std::optional<std::string> compute_capability;  // "9.0"
};

struct GpuInventory {
  bool nvml_found = false;
  std::string nvml_path;  // the library that was loaded, when the loader can tell
  std::optional<std::string> driver_version;
  std::optional<std::string> cuda_driver_version;
  std::vector<GpuDevice> devices;
  // topology[i][j]: how GPU i reaches GPU j ("X", "NV4", "PIX", ... or "?"
  // when NVML would not say); empty with fewer than two GPUs.
  std::vector<std::vector<std::string>> topology;

  bool nccl_found = false;
  std::string nccl_path;
  std::optional<std::string> nccl_version;

  std::string note;  // what could not be learned and why; "" when all is known
};

GpuInventory probe_gpu_inventory(DynamicLoader& loader);

// nvmlGpuTopologyLevel_t (0, 10, 20, 30, 40, 50) as nvidia-smi prints it;
// "?" for a value NVML does not define.
std::string topology_label(int nvml_level);

}  // namespace accel::host
