// What the GPU kernels' tests share: skipping (exit 77, with the reason)
// where no CUDA device answers, and device arrays that start at a chosen
// offset from a 256-byte aligned cudaMalloc, so tests reach the misaligned
// paths, with guard values after the end to catch writes past it.
#pragma once

#include <cuda_runtime_api.h>

#include <catch2/catch.hpp>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "skip.hpp"

namespace accel::testing {

inline void require_cuda(cudaError_t result, const char* what) {
  if (result != cudaSuccess) {
    throw std::runtime_error(std::string(what) + " failed: " + cudaGetErrorString(result));
  }
}

// Skips the test case unless a CUDA device can be used; sets device 0.
inline void require_cuda_device() {
  int count = 0;
  const cudaError_t result = cudaGetDeviceCount(&count);
  if (result != cudaSuccess) {
    skip_test_case(std::string("no usable CUDA device (cudaGetDeviceCount: ") +
                   cudaGetErrorString(result) + "); this test runs on the GPU machine");
  }
  if (count == 0) skip_test_case("no CUDA device; this test runs on the GPU machine");
  require_cuda(cudaSetDevice(0), "cudaSetDevice");
}

// `count` values of T in device memory starting `offset_elements` past an
// aligned allocation, followed by kGuard guard values.
template <typename T>
class DeviceArray {
 public:
  static constexpr std::size_t kGuard = 16;

  explicit DeviceArray(std::size_t count, std::size_t offset_elements = 0)
      : count_(count), offset_(offset_elements) {
    require_cuda(cudaMalloc(&base_, (offset_ + count_ + kGuard) * sizeof(T)), "cudaMalloc");
  }
  ~DeviceArray() { static_cast<void>(cudaFree(base_)); }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;

  T* data() const { return static_cast<T*>(base_) + offset_; }
  std::size_t size() const { return count_; }

  // Writes `values` (size() of them) and `guard` into the guard values.
  void upload(const std::vector<T>& values, T guard = T{}) {
    REQUIRE(values.size() == count_);
    std::vector<T> all(values);
    all.resize(count_ + kGuard, guard);
    require_cuda(cudaMemcpy(data(), all.data(), all.size() * sizeof(T), cudaMemcpyHostToDevice),
                 "cudaMemcpy (upload)");
    // A pageable upload may return before its DMA lands, and the tests'
    // non-blocking streams do not wait for the default stream.
    require_cuda(cudaDeviceSynchronize(), "cudaDeviceSynchronize (after an upload)");
  }
  void fill(T value) { upload(std::vector<T>(count_, value), value); }
  // The values and then the guard values (synchronises the device first).
  std::vector<T> download_with_guard() const {
    require_cuda(cudaDeviceSynchronize(), "cudaDeviceSynchronize (the kernels before a download)");
    std::vector<T> all(count_ + kGuard);
    require_cuda(cudaMemcpy(all.data(), data(), all.size() * sizeof(T), cudaMemcpyDeviceToHost),
                 "cudaMemcpy (download)");
    return all;
  }
  std::vector<T> download() const {
    std::vector<T> all = download_with_guard();
    all.resize(count_);
    return all;
  }

 private:
  void* base_ = nullptr;
  std::size_t count_;
  std::size_t offset_;
};

// One value in device memory.
template <typename T>
T read_device_value(const T* device) {
  T value{};
  require_cuda(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
  require_cuda(cudaMemcpy(&value, device, sizeof value, cudaMemcpyDeviceToHost), "cudaMemcpy");
  return value;
}
template <typename T>
void write_device_value(T* device, T value) {
  require_cuda(cudaMemcpy(device, &value, sizeof value, cudaMemcpyHostToDevice), "cudaMemcpy");
  require_cuda(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
}

}  // namespace accel::testing
