// fp32 <-> bf16 / fp16 on device buffers, bit for bit what the CPU
// reference gives (accel/reduced_float.hpp holds the rounding contract:
// round to nearest even, Inf, denormals, fp16 overflow, quiet NaN with the
// top payload bits kept), so a tensor converted on the GPU and one converted
// on the CPU are the same bytes.
//
// `src` and `dst` are device memory (cudaMalloc, or managed memory) of the
// current device, `count` values each, not overlapping. The work is queued
// on `stream` (nullptr: the default stream) and the call returns without
// waiting for it; nothing is allocated and nothing synchronises, so the
// calls can be captured in a CUDA graph. A count of 0 does nothing and makes
// no CUDA call. Buffers that are 16-byte aligned (every cudaMalloc'd buffer)
// take the vectorised path; others are converted one value per thread.
//
// Errors: CudaError naming the failed call (a bad stream, pointers of
// another device), or saying libaccel was built without CUDA. Faults in
// the kernel itself (a host pointer) surface at the next synchronisation,
// as with any CUDA kernel.
//
// Thread-safety: any thread, any stream.
#pragma once

#include <cstddef>
#include <cstdint>

#include "accel/cuda_stream.hpp"

namespace accel::cuda {

void float_to_bf16(const float* src, std::uint16_t* dst, std::size_t count,
                   cudaStream_t stream = nullptr);
void float_to_fp16(const float* src, std::uint16_t* dst, std::size_t count,
                   cudaStream_t stream = nullptr);
void bf16_to_float(const std::uint16_t* src, float* dst, std::size_t count,
                   cudaStream_t stream = nullptr);
void fp16_to_float(const std::uint16_t* src, float* dst, std::size_t count,
                   cudaStream_t stream = nullptr);

}  // namespace accel::cuda
