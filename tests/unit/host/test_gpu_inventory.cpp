// The GPU inventory without a GPU: a fake NVML behind the DynamicLoader seam
// reports two (or three) GPUs with memory, compute capability, PCI ids and
// NVLinks, and the topology matrix comes out as `nvidia-smi topo -m` prints it.
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "host/gpu_inventory.hpp"

using namespace accel::host;

namespace {

// nvml.h's structs, as the fake fills them (the layout the inventory reads).
struct PciInfo {
  char bus_id_legacy[16];
  unsigned int domain, bus, device, pci_device_id, pci_subsystem_id;
  char bus_id[32];
};
struct Memory {
  unsigned long long total, free, used;
};

// One fake GPU: its PCI bus and, per NVLink, the bus of the GPU at the other end
// (0xff: an NVSwitch).
struct FakeGpu {
  const char* name;
  unsigned int bus;
  std::vector<unsigned int> links;
};

struct FakeNvml {
  std::vector<FakeGpu> gpus;
  int ancestor = 40;  // NVML_TOPOLOGY_NODE between every pair without NVLink
  int shutdowns = 0;
};
FakeNvml fake;

// A device handle is a pointer to its FakeGpu.
const FakeGpu& gpu(void* device) {
  return *static_cast<const FakeGpu*>(device);
}
int index_of(void* device) {
  return static_cast<int>(static_cast<const FakeGpu*>(device) - fake.gpus.data());
}

int init() {
  return 0;
}
int shutdown() {
  ++fake.shutdowns;
  return 0;
}
int count(unsigned int* n) {
  *n = static_cast<unsigned int>(fake.gpus.size());
  return 0;
}
int driver(char* text, unsigned int size) {
  (void)std::snprintf(text, size, "%s", "580.95.05");
  return 0;
}
int cuda(int* version) {
  *version = 13000;
  return 0;
}
int handle(unsigned int index, void** device) {
  if (index >= fake.gpus.size()) return 2;
  *device = &fake.gpus[index];
  return 0;
}
int name(void* device, char* text, unsigned int size) {
  (void)std::snprintf(text, size, "%s", gpu(device).name);
  return 0;
}
int uuid(void* device, char* text, unsigned int size) {
  (void)std::snprintf(text, size, "GPU-%08d", index_of(device));
  return 0;
}
int memory(void* device, Memory* info) {
  info->total = 80ULL << 30;
  info->used = static_cast<unsigned long long>(index_of(device) + 1) << 20;
  info->free = info->total - info->used;
  return 0;
}
int capability(void* /*device*/, int* major, int* minor) {
  *major = 9;
  *minor = 0;
  return 0;
}
void fill_pci(unsigned int bus, PciInfo* info) {
  std::memset(info, 0, sizeof *info);
  info->bus = bus;
  (void)std::snprintf(info->bus_id, sizeof info->bus_id, "00000000:%02X:00.0", bus);
}
int pci(void* device, PciInfo* info) {
  fill_pci(gpu(device).bus, info);
  return 0;
}
int ancestor(void* /*a*/, void* /*b*/, int* level) {
  *level = fake.ancestor;
  return 0;
}
int link_state(void* device, unsigned int link, int* state) {
  if (link >= gpu(device).links.size()) return 3;  // NVML_ERROR_NOT_SUPPORTED past the last link
  *state = 1;
  return 0;
}
int link_remote(void* device, unsigned int link, PciInfo* info) {
  fill_pci(gpu(device).links.at(link), info);
  return 0;
}
int link_remote_type(void* device, unsigned int link, int* type) {
  *type = gpu(device).links.at(link) == 0xff ? 1 : 0;  // SWITCH : GPU
  return 0;
}
int nccl_version(int* code) {
  *code = 22803;
  return 0;
}

template <typename Function>
void* address(Function* function) {
  return reinterpret_cast<void*>(function);
}

using Symbols = std::map<std::string, void*>;

Symbols full_nvml() {
  return {{"nvmlInit_v2", address(init)},
          {"nvmlShutdown", address(shutdown)},
          {"nvmlDeviceGetCount_v2", address(count)},
          {"nvmlSystemGetDriverVersion", address(driver)},
          {"nvmlSystemGetCudaDriverVersion_v2", address(cuda)},
          {"nvmlDeviceGetHandleByIndex_v2", address(handle)},
          {"nvmlDeviceGetName", address(name)},
          {"nvmlDeviceGetUUID", address(uuid)},
          {"nvmlDeviceGetMemoryInfo", address(memory)},
          {"nvmlDeviceGetCudaComputeCapability", address(capability)},
          {"nvmlDeviceGetPciInfo_v3", address(pci)},
          {"nvmlDeviceGetTopologyCommonAncestor", address(ancestor)},
          {"nvmlDeviceGetNvLinkState", address(link_state)},
          {"nvmlDeviceGetNvLinkRemotePciInfo_v2", address(link_remote)},
          {"nvmlDeviceGetNvLinkRemoteDeviceType", address(link_remote_type)}};
}

class FakeLoader : public accel::host::DynamicLoader {
 public:
  explicit FakeLoader(std::map<std::string, Symbols> libraries)
      : libraries_(std::move(libraries)) {}
  void* open(const char* soname, std::string& error) override {
    const auto it = libraries_.find(soname);
    if (it == libraries_.end()) {
      error = std::string(soname) + ": cannot open shared object file";
      return nullptr;
    }
    return &it->second;
  }
  void* symbol(void* library, const char* symbol_name) override {
    auto& symbols = *static_cast<Symbols*>(library);
    const auto it = symbols.find(symbol_name);
    return it == symbols.end() ? nullptr : it->second;
  }
  void close(void* /*library*/) override {}
  std::string path_of(void* /*library*/) override { return "/fake/lib.so"; }

 private:
  std::map<std::string, Symbols> libraries_;
};

}  // namespace

TEST_CASE("no NVML and no NCCL: no GPU, and the note says so", "[gpu_inventory]") {
  FakeLoader loader({});
  const GpuInventory inventory = probe_gpu_inventory(loader);
  CHECK_FALSE(inventory.nvml_found);
  CHECK_FALSE(inventory.nccl_found);
  CHECK(inventory.devices.empty());
  CHECK(inventory.topology.empty());
  CHECK_THAT(inventory.note, Catch::Contains("no NVIDIA driver (libnvidia-ml.so.1 not found)") &&
                                 Catch::Contains("libnccl.so.2 not found"));
}

TEST_CASE("two GPUs joined by four NVLinks", "[gpu_inventory]") {
  fake = FakeNvml{};
  fake.gpus = {{"NVIDIA H100 80GB HBM3", 0x07, {0x0f, 0x0f, 0x0f, 0x0f}},
               {"NVIDIA H100 80GB HBM3", 0x0f, {0x07, 0x07, 0x07, 0x07}}};
  FakeLoader loader({{"libnvidia-ml.so.1", full_nvml()},
                     {"libnccl.so.2", {{"ncclGetVersion", address(nccl_version)}}}});
  const GpuInventory inventory = probe_gpu_inventory(loader);
  CHECK(inventory.note.empty());
  CHECK(inventory.nvml_path == "/fake/lib.so");
  CHECK(inventory.driver_version == "580.95.05");
  CHECK(inventory.cuda_driver_version == "13.0");
  REQUIRE(inventory.devices.size() == 2);
  const GpuDevice& second = inventory.devices[1];
  CHECK(second.index == 1);
  CHECK(second.name == "NVIDIA H100 80GB HBM3");
  CHECK(second.uuid == "GPU-00000001");
  CHECK(second.pci_bus_id == "00000000:0F:00.0");
  CHECK(second.memory_total_bytes == 80ULL << 30);
  CHECK(second.memory_used_bytes == 2ULL << 20);
  CHECK(second.compute_capability == "9.0");
  CHECK(inventory.topology == std::vector<std::vector<std::string>>{{"X", "NV4"}, {"NV4", "X"}});
  CHECK(inventory.nccl_found);
  CHECK(inventory.nccl_version == "2.28.3");
  CHECK(fake.shutdowns == 1);
}

TEST_CASE("GPUs without NVLink are placed by their PCIe common ancestor", "[gpu_inventory]") {
  fake = FakeNvml{};
  fake.gpus = {{"A", 0x01, {}}, {"B", 0x02, {}}, {"C", 0x03, {0x01}}};
  fake.gpus[0].links = {0x03};
  fake.ancestor = 50;  // NVML_TOPOLOGY_SYSTEM
  FakeLoader loader({{"libnvidia-ml.so.1", full_nvml()}});
  const GpuInventory inventory = probe_gpu_inventory(loader);
  CHECK(inventory.topology == std::vector<std::vector<std::string>>{
                                  {"X", "SYS", "NV1"}, {"SYS", "X", "SYS"}, {"NV1", "SYS", "X"}});
}

TEST_CASE("GPUs on NVSwitches reach each other through their switch links", "[gpu_inventory]") {
  fake = FakeNvml{};
  fake.gpus = {{"A", 0x01, {0xff, 0xff, 0xff}}, {"B", 0x02, {0xff, 0xff, 0xff}}};
  FakeLoader loader({{"libnvidia-ml.so.1", full_nvml()}});
  CHECK(probe_gpu_inventory(loader).topology ==
        std::vector<std::vector<std::string>>{{"X", "NV3"}, {"NV3", "X"}});
}

TEST_CASE("an old NVML without per-device calls still gives the driver", "[gpu_inventory]") {
  fake = FakeNvml{};
  fake.gpus = {{"A", 0x01, {}}};
  Symbols old = full_nvml();
  old.erase("nvmlDeviceGetHandleByIndex_v2");
  FakeLoader loader({{"libnvidia-ml.so.1", old}});
  const GpuInventory inventory = probe_gpu_inventory(loader);
  CHECK(inventory.driver_version == "580.95.05");
  CHECK(inventory.devices.empty());
  CHECK_THAT(inventory.note, Catch::Contains("nvmlDeviceGetHandleByIndex_v2"));
}

TEST_CASE("NVML topology levels read as nvidia-smi prints them", "[gpu_inventory]") {
  CHECK(topology_label(10) == "PIX");
  CHECK(topology_label(20) == "PXB");
  CHECK(topology_label(30) == "PHB");
  CHECK(topology_label(40) == "NODE");
  CHECK(topology_label(50) == "SYS");
  CHECK(topology_label(7) == "?");
}
