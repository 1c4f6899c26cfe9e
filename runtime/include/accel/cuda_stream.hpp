// What the GPU parts of libaccel share in their public headers: the CUDA
// stream type and the error they throw. Compiles without the CUDA toolkit:
// cudaStream_t is declared here exactly as cuda_runtime_api.h declares it
// (a pointer to the opaque CUstream_st), so a program may include both in
// any order, and a stream from torch (`stream.cuda_stream`) or from the
// program's own cudaStreamCreate passes straight through.
//
// Thread-safety: pure declarations; built_with_cuda() may be called from any
// thread.
#pragma once

#include <stdexcept>

struct CUstream_st;
using cudaStream_t = CUstream_st*;

namespace accel::cuda {

// A CUDA call failed, or libaccel was built without CUDA. what() names the
// call, CUDA's description of the error and what to check, e.g.
// "cudaMemcpy (uploading the chunk table) failed: out of memory
// (cudaErrorMemoryAllocation) at cuda_multi_tensor.cu:172; free GPU memory ...".
class CudaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Whether this libaccel was compiled with the CUDA toolkit (ACCEL_CUDA in
// CMake). Touches no GPU: true says nothing about a device being present.
// Without CUDA every GPU entry point throws CudaError.
bool built_with_cuda() noexcept;

}  // namespace accel::cuda
