// CUDA device memory for `accel test --device cuda` and `accel bench
// --device cuda`: their workers fill buffers on the host, copy them to the
// device, run the collectives on the device copies (the NCCL backend) and
// copy the results back to check them. Only these commands touch CUDA, and
// only with --device cuda; this header has no CUDA type, so the CLI builds
// the same without the toolkit (every call then throws UserError saying
// libaccel was built without CUDA).
//
// Errors: UserError naming the CUDA call and CUDA's message, e.g.
// "no CUDA device: cudaGetDeviceCount: CUDA driver version is insufficient".
// Thread-safety: one thread per object.
#pragma once

#include <cstddef>
#include <string>

#include "accel/process_state.hpp"

namespace accel::cli {

// The GPUs this process sees; throws UserError starting "no CUDA device: "
// when there are none or CUDA cannot say.
int visible_cuda_devices();

// Makes `device` the calling thread's current device.
void use_cuda_device(int device);

// Makes the GPU the process's Communicator will use (accel/collectives.hpp,
// "GPU buffers": ACCEL_LOCAL_DEVICE, else LOCAL_RANK) the current device,
// so the buffers made next are where NCCL works; throws as
// visible_cuda_devices() where there is no GPU.
inline void use_process_cuda_device(const ProcessState& process) {
  visible_cuda_devices();
  use_cuda_device(process.local_device.value_or(process.local_rank));
}

// One allocation on the current device, freed with the object.
class DeviceMemory {
 public:
  explicit DeviceMemory(std::size_t bytes);
  DeviceMemory(DeviceMemory&& other) noexcept;
  DeviceMemory& operator=(DeviceMemory&& other) noexcept;
  DeviceMemory(const DeviceMemory&) = delete;
  DeviceMemory& operator=(const DeviceMemory&) = delete;
  ~DeviceMemory();

  void* data() const { return data_; }
  std::size_t bytes() const { return bytes_; }
  void upload(const void* host, std::size_t bytes);
  void download(void* host, std::size_t bytes) const;

 private:
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
};

// Times device work on the legacy default stream with CUDA events: what the
// GPU took between start() and stop(), not what the host took to enqueue.
class DeviceTimer {
 public:
  DeviceTimer();
  ~DeviceTimer();
  DeviceTimer(const DeviceTimer&) = delete;
  DeviceTimer& operator=(const DeviceTimer&) = delete;
  void start();
  void stop();
  // Microseconds between the two events; waits for the second.
  double elapsed_us() const;

 private:
  // cudaEvent_t; a build without CUDA (device_memory_unavailable.cpp) never
  // creates them.
  [[maybe_unused]] void* start_ = nullptr;
  [[maybe_unused]] void* stop_ = nullptr;
};

}  // namespace accel::cli
