#include "runtime/memory_location.hpp"

#include <dlfcn.h>
#include <link.h>

#include <stdexcept>
#include <string>

#if defined(ACCEL_HAVE_CUDA)
#include <cuda.h>
#endif

namespace accel::runtime_detail {

namespace {

// cuda.h's values, spelled here so the probe builds without the toolkit
// (a build without CUDA still refuses device buffers clearly instead of
// reading them as host memory). Checked against cuda.h where it exists.
constexpr int kCudaSuccess = 0;                 // CUDA_SUCCESS
constexpr int kCudaNotInitialized = 3;          // CUDA_ERROR_NOT_INITIALIZED
constexpr int kCudaDeinitialized = 4;           // CUDA_ERROR_DEINITIALIZED
constexpr int kAttributeMemoryType = 2;         // CU_POINTER_ATTRIBUTE_MEMORY_TYPE
constexpr int kAttributeDeviceOrdinal = 9;      // CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL
constexpr unsigned int kMemoryTypeDevice = 2;   // CU_MEMORYTYPE_DEVICE
constexpr unsigned int kMemoryTypeUnified = 4;  // CU_MEMORYTYPE_UNIFIED
#if defined(ACCEL_HAVE_CUDA)
static_assert(kCudaSuccess == CUDA_SUCCESS && kCudaNotInitialized == CUDA_ERROR_NOT_INITIALIZED &&
              kCudaDeinitialized == CUDA_ERROR_DEINITIALIZED);
static_assert(kAttributeMemoryType == CU_POINTER_ATTRIBUTE_MEMORY_TYPE &&
              kAttributeDeviceOrdinal == CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL);
static_assert(kMemoryTypeDevice == CU_MEMORYTYPE_DEVICE &&
              kMemoryTypeUnified == CU_MEMORYTYPE_UNIFIED);
static_assert(sizeof(CUdeviceptr) == sizeof(unsigned long long) &&
              sizeof(CUpointer_attribute) == sizeof(int));
#endif

constexpr const char* kDriverSoname = "libcuda.so.1";

int stop_at_first(dl_phdr_info* info, std::size_t /*size*/, void* loads) {
  *static_cast<unsigned long long*>(loads) = info->dlpi_adds;
  return 1;  // the counter is the same in every entry: one is enough
}

// How many libraries the process has loaded so far (it only grows).
unsigned long long libraries_loaded() {
  unsigned long long loads = 0;
  ::dl_iterate_phdr(stop_at_first, &loads);
  return loads;
}

}  // namespace

MemoryProbe::PointerGetAttributes MemoryProbe::driver_query() {
  if (get_attributes_ != nullptr) return get_attributes_;
  const unsigned long long loads = libraries_loaded();
  if (loads == libraries_loaded_) return nullptr;  // nothing new: still no driver
  libraries_loaded_ = loads;
  // RTLD_NOLOAD: a reference to the driver another part of the process
  // loaded, never a load of our own.
  void* loaded = ::dlopen(kDriverSoname, RTLD_NOW | RTLD_NOLOAD);
  if (loaded == nullptr) return nullptr;
  ::dlclose(loaded);  // the SharedLibrary below holds its own reference
  driver_.emplace(kDriverSoname, "it was loaded a moment ago");
  get_attributes_ = driver_->function<PointerGetAttributes>("cuPointerGetAttributes");
  return get_attributes_;
}

MemoryLocation MemoryProbe::locate(const void* pointer) {
  if (pointer == nullptr) return {};
  const PointerGetAttributes get_attributes = driver_query();
  if (get_attributes == nullptr) return {};
  return ask_driver(get_attributes, pointer);
}

std::pair<MemoryLocation, MemoryLocation> MemoryProbe::locate(const void* first,
                                                              const void* second) {
  if (first == nullptr && second == nullptr) return {};
  const PointerGetAttributes get_attributes = driver_query();
  if (get_attributes == nullptr) return {};
  const MemoryLocation first_at =
      first == nullptr ? MemoryLocation{} : ask_driver(get_attributes, first);
  if (second == first) return {first_at, first_at};
  return {first_at, second == nullptr ? MemoryLocation{} : ask_driver(get_attributes, second)};
}

MemoryLocation MemoryProbe::ask_driver(PointerGetAttributes get_attributes, const void* pointer) {
  unsigned int memory_type = 0;
  int device = -1;
  int attributes[] = {kAttributeMemoryType, kAttributeDeviceOrdinal};
  void* values[] = {&memory_type, &device};
  // Unlike cuPointerGetAttribute, the plural form succeeds for memory CUDA
  // does not know (memory_type stays 0): no error path for host buffers.
  const int result =
      get_attributes(2, attributes, values, reinterpret_cast<unsigned long long>(pointer));
  if (result == kCudaNotInitialized || result == kCudaDeinitialized) return {};
  if (result != kCudaSuccess) {
    throw std::runtime_error("cuPointerGetAttributes failed with CUDA driver error " +
                             std::to_string(result) +
                             " while telling a host buffer from a device buffer; check the "
                             "driver with nvidia-smi");
  }
  if (memory_type == kMemoryTypeDevice || memory_type == kMemoryTypeUnified) {
    return {true, device};
  }
  return {};
}

}  // namespace accel::runtime_detail
