#include "runtime/cuda_check.hpp"

#include <array>
#include <atomic>
#include <string>

#include "accel/cuda_stream.hpp"

namespace accel::cuda {

bool built_with_cuda() noexcept {
  return true;
}

namespace detail {

namespace {

// What a user can do about the errors seen in practice; the rest get the
// checks that cover most remaining causes.
const char* advice_for(cudaError_t result) {
  switch (result) {
    case cudaErrorNoDevice:
      return "no CUDA GPU is visible: check nvidia-smi and CUDA_VISIBLE_DEVICES";
    case cudaErrorInsufficientDriver:
      return "the NVIDIA driver is missing or older than this CUDA runtime needs: install or "
             "update the driver";
    case cudaErrorMemoryAllocation: return "free GPU memory or use smaller buffers";
    case cudaErrorInvalidDevicePointer:
    case cudaErrorIllegalAddress:
      return "pass device memory (cudaMalloc'd, or a tensor's data_ptr() on this GPU), not host "
             "memory";
    case cudaErrorInvalidResourceHandle:
      return "pass a stream created on the current device and not yet destroyed";
    case cudaErrorStreamCaptureUnsupported:
    case cudaErrorStreamCaptureInvalidated:
      return "this call cannot be captured in a CUDA graph: do it before cudaStreamBeginCapture";
    default:
      return "check that the pointers are device memory of the current device and the stream "
             "belongs to it";
  }
}

}  // namespace

void check_cuda(cudaError_t result, const char* what, base::SourcePlace where) {
  if (result == cudaSuccess) return;
  std::string file = where.file;
  if (const auto slash = file.rfind('/'); slash != std::string::npos) file.erase(0, slash + 1);
  throw CudaError(std::string(what) + " failed: " + cudaGetErrorString(result) + " (" +
                  cudaGetErrorName(result) + ") at " + file + ":" + std::to_string(where.line) +
                  "; " + advice_for(result));
}

int multiprocessor_count() {
  // Enough for every GPU of one machine; 0 means "not asked yet".
  static std::array<std::atomic<int>, 64> cached{};
  int device = 0;
  ACCEL_CUDA_CHECK(cudaGetDevice(&device), "cudaGetDevice");
  const bool cacheable = device >= 0 && static_cast<std::size_t>(device) < cached.size();
  if (cacheable) {
    if (const int known = cached[static_cast<std::size_t>(device)].load(std::memory_order_relaxed);
        known > 0) {
      return known;
    }
  }
  int count = 0;
  ACCEL_CUDA_CHECK(cudaDeviceGetAttribute(&count, cudaDevAttrMultiProcessorCount, device),
                   "cudaDeviceGetAttribute (multiprocessor count)");
  if (cacheable) cached[static_cast<std::size_t>(device)].store(count, std::memory_order_relaxed);
  return count;
}

}  // namespace detail

}  // namespace accel::cuda
