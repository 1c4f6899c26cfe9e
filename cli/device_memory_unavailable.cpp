// device_memory.hpp in a build without the CUDA toolkit.
#include "cli/device_memory.hpp"
#include "cli/errors.hpp"

namespace accel::cli {

namespace {

[[noreturn]] void built_without_cuda() {
  throw UserError(
      "no CUDA device: accel was built without CUDA, so --device cuda is not available; use an "
      "accel built where the CUDA toolkit is found");
}

}  // namespace

int visible_cuda_devices() {
  built_without_cuda();
}
void use_cuda_device(int /*device*/) {
  built_without_cuda();
}
DeviceMemory::DeviceMemory(std::size_t /*bytes*/) {
  built_without_cuda();
}
DeviceMemory::DeviceMemory(DeviceMemory&& other) noexcept = default;
DeviceMemory& DeviceMemory::operator=(DeviceMemory&& other) noexcept = default;
DeviceMemory::~DeviceMemory() = default;
void DeviceMemory::upload(const void* /*host*/, std::size_t /*bytes*/) {
  built_without_cuda();
}
void DeviceMemory::download(void* /*host*/, std::size_t /*bytes*/) const {
  built_without_cuda();
}
DeviceTimer::DeviceTimer() {
  built_without_cuda();
}
DeviceTimer::~DeviceTimer() = default;
void DeviceTimer::start() {}
void DeviceTimer::stop() {}
double DeviceTimer::elapsed_us() const {
  return 0;
}

}  // namespace accel::cli
