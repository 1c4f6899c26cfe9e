#include <cuda_runtime_api.h>

#include <utility>

#include "cli/device_memory.hpp"
#include "cli/errors.hpp"

namespace accel::cli {

namespace {

void check(cudaError_t error, const char* call) {
  if (error == cudaSuccess) return;
  throw UserError(std::string(call) + " failed: " + cudaGetErrorName(error) + ": " +
                  cudaGetErrorString(error) + "; check the GPU and driver with nvidia-smi");
}

cudaEvent_t event_of(void* event) {
  return static_cast<cudaEvent_t>(event);
}

}  // namespace

int visible_cuda_devices() {
  int count = 0;
  const cudaError_t error = cudaGetDeviceCount(&count);
  if (error != cudaSuccess) {
    throw UserError(std::string("no CUDA device: cudaGetDeviceCount: ") +
                    cudaGetErrorString(error) + " (" + cudaGetErrorName(error) +
                    "); --device cuda needs an NVIDIA GPU and its driver (nvidia-smi lists them)");
  }
  if (count == 0) {
    throw UserError(
        "no CUDA device: CUDA sees no GPU (is CUDA_VISIBLE_DEVICES empty?); --device cuda needs "
        "one");
  }
  return count;
}

void use_cuda_device(int device) {
  check(cudaSetDevice(device), "cudaSetDevice");
}

DeviceMemory::DeviceMemory(std::size_t bytes) : bytes_(bytes) {
  // One byte at least: a zero-element buffer still needs an address.
  check(cudaMalloc(&data_, bytes == 0 ? 1 : bytes), "cudaMalloc");
}

DeviceMemory::DeviceMemory(DeviceMemory&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}

DeviceMemory& DeviceMemory::operator=(DeviceMemory&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) static_cast<void>(cudaFree(data_));
    data_ = std::exchange(other.data_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

DeviceMemory::~DeviceMemory() {
  if (data_ != nullptr) static_cast<void>(cudaFree(data_));
}

void DeviceMemory::upload(const void* host, std::size_t bytes) {
  if (bytes > 0) check(cudaMemcpy(data_, host, bytes, cudaMemcpyHostToDevice), "cudaMemcpy");
}

void DeviceMemory::download(void* host, std::size_t bytes) const {
  if (bytes > 0) check(cudaMemcpy(host, data_, bytes, cudaMemcpyDeviceToHost), "cudaMemcpy");
}

DeviceTimer::DeviceTimer() {
  cudaEvent_t start = nullptr;
  cudaEvent_t stop = nullptr;
  check(cudaEventCreate(&start), "cudaEventCreate");
  start_ = start;
  check(cudaEventCreate(&stop), "cudaEventCreate");
  stop_ = stop;
}

DeviceTimer::~DeviceTimer() {
  if (start_ != nullptr) static_cast<void>(cudaEventDestroy(event_of(start_)));
  if (stop_ != nullptr) static_cast<void>(cudaEventDestroy(event_of(stop_)));
}

void DeviceTimer::start() {
  check(cudaEventRecord(event_of(start_), nullptr), "cudaEventRecord");
}

void DeviceTimer::stop() {
  check(cudaEventRecord(event_of(stop_), nullptr), "cudaEventRecord");
}

double DeviceTimer::elapsed_us() const {
  check(cudaEventSynchronize(event_of(stop_)), "cudaEventSynchronize");
  float milliseconds = 0;
  check(cudaEventElapsedTime(&milliseconds, event_of(start_), event_of(stop_)),
        "cudaEventElapsedTime");
  return static_cast<double>(milliseconds) * 1000.0;
}

}  // namespace accel::cli
