// Device memory owned like a unique_ptr: cudaMalloc on construction,
// cudaFree on destruction. The bytes belong to the device current when it
// was made. Internal to libaccel; only compiled with CUDA.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <utility>

#include "runtime/cuda_check.hpp"

namespace accel::cuda::detail {

class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  // `what` names the allocation in an error ("cudaMalloc (the chunk
  // table)"); `where` is the caller's ACCEL_HERE, so the error points there.
  DeviceBuffer(std::size_t bytes, const char* what, base::SourcePlace where) : bytes_(bytes) {
    if (bytes == 0) return;
    check_cuda(cudaMalloc(&data_, bytes), what, where);
  }
  ~DeviceBuffer() {
    // Errors here are the sticky errors of an earlier fault, already
    // reported where they happened; a destructor cannot add to that.
    if (data_ != nullptr) static_cast<void>(cudaFree(data_));
  }
  DeviceBuffer(DeviceBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept {
    if (this != &other) {
      DeviceBuffer old(std::move(*this));
      data_ = std::exchange(other.data_, nullptr);
      bytes_ = std::exchange(other.bytes_, 0);
    }
    return *this;
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  template <typename T>
  T* as() const {
    return static_cast<T*>(data_);
  }
  std::size_t bytes() const { return bytes_; }

 private:
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
};

}  // namespace accel::cuda::detail
