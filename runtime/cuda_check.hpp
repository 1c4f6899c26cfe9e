// How libaccel's GPU code talks to the CUDA runtime: every call goes through
// ACCEL_CUDA_CHECK, which keeps the call's text and file:line and throws
// CudaError with CUDA's own description and what to check, e.g.
//   "cudaMalloc (the scaler's state) failed: out of memory
//    (cudaErrorMemoryAllocation) at cuda_grad_scaler.cu:41; free GPU memory
//    or use a smaller batch".
// Kernel launches are checked with ACCEL_CUDA_CHECK_LAUNCH right after the
// <<<>>> (cudaGetLastError: a bad configuration or stream shows there;
// faults inside the kernel show at the next synchronisation).
//
// Internal to libaccel; only compiled with CUDA (ACCEL_HAVE_CUDA).
#pragma once

#include <cuda_runtime_api.h>

#include "base/system_error.hpp"

namespace accel::cuda::detail {

// Throws CudaError for anything but cudaSuccess.
void check_cuda(cudaError_t result, const char* what, base::SourcePlace where);

// The SM count of the current device (cached per device: it sizes grids on
// every launch, and asking the driver each time would cost a few microseconds).
int multiprocessor_count();

}  // namespace accel::cuda::detail

#define ACCEL_CUDA_CHECK(call, what) ::accel::cuda::detail::check_cuda((call), (what), ACCEL_HERE)
#define ACCEL_CUDA_CHECK_LAUNCH(kernel_name) \
  ::accel::cuda::detail::check_cuda(cudaGetLastError(), "launching " kernel_name, ACCEL_HERE)
