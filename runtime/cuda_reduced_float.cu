// The conversion kernels behind accel/cuda_reduced_float.hpp.
//
// Memory-bound, so the whole design is about bytes in flight: each thread
// moves 8 values per step (two 16-byte fp32 loads and one 16-byte store of
// halves, or the reverse), in a grid-stride loop over a grid of a few blocks
// per SM; the count % 8 values left over go to one thread each. A buffer not
// 16-byte aligned cannot use 16-byte accesses at all, so it takes the scalar
// kernel, which is slower but exact.
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "accel/cuda_reduced_float.hpp"
#include "runtime/cuda_check.hpp"
#include "runtime/cuda_reduced_float_lanes.cuh"

namespace accel::cuda {

namespace {

using detail::bf16_bits;
using detail::float_bits_from_bf16;
using detail::float_bits_from_fp16;
using detail::fp16_bits;

constexpr int kThreads = 256;
constexpr int kBlocksPerSm = 8;           // 2048 threads: a full SM
constexpr std::size_t kVectorValues = 8;  // values per thread per step
constexpr std::size_t kVectorBytes = 16;

enum class Format { kBf16, kFp16 };

template <Format F>
__device__ __forceinline__ std::uint32_t narrow(float value) {
  const std::uint32_t bits = detail::bits_of(value);
  return F == Format::kBf16 ? bf16_bits(bits) : fp16_bits(bits);
}

template <Format F>
__device__ __forceinline__ float widen(std::uint32_t bits) {
  return detail::float_of(F == Format::kBf16 ? float_bits_from_bf16(bits)
                                             : float_bits_from_fp16(bits));
}

template <Format F>
__device__ __forceinline__ std::uint32_t narrow_pair(float low, float high) {
  return narrow<F>(low) | (narrow<F>(high) << 16);
}

template <Format F>
__global__ void __launch_bounds__(kThreads)
    narrow_vectorised(const float4* __restrict__ src, uint4* __restrict__ dst,
                      std::uint16_t* __restrict__ dst_tail, const float* __restrict__ src_tail,
                      std::size_t vectors, unsigned tail) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t v = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; v < vectors;
       v += stride) {
    const float4 a = src[2 * v];
    const float4 b = src[2 * v + 1];
    dst[v] = uint4{narrow_pair<F>(a.x, a.y), narrow_pair<F>(a.z, a.w), narrow_pair<F>(b.x, b.y),
                   narrow_pair<F>(b.z, b.w)};
  }
  if (blockIdx.x == 0 && threadIdx.x < tail) {
    dst_tail[threadIdx.x] = static_cast<std::uint16_t>(narrow<F>(src_tail[threadIdx.x]));
  }
}

template <Format F>
__global__ void __launch_bounds__(kThreads)
    widen_vectorised(const uint4* __restrict__ src, float4* __restrict__ dst,
                     float* __restrict__ dst_tail, const std::uint16_t* __restrict__ src_tail,
                     std::size_t vectors, unsigned tail) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t v = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; v < vectors;
       v += stride) {
    const uint4 in = src[v];
    dst[2 * v] = float4{widen<F>(in.x & 0xFFFFU), widen<F>(in.x >> 16), widen<F>(in.y & 0xFFFFU),
                        widen<F>(in.y >> 16)};
    dst[2 * v + 1] = float4{widen<F>(in.z & 0xFFFFU), widen<F>(in.z >> 16),
                            widen<F>(in.w & 0xFFFFU), widen<F>(in.w >> 16)};
  }
  if (blockIdx.x == 0 && threadIdx.x < tail)
    dst_tail[threadIdx.x] = widen<F>(src_tail[threadIdx.x]);
}

template <Format F>
__global__ void __launch_bounds__(kThreads)
    narrow_scalar(const float* __restrict__ src, std::uint16_t* __restrict__ dst,
                  std::size_t count) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count;
       i += stride) {
    dst[i] = static_cast<std::uint16_t>(narrow<F>(src[i]));
  }
}

template <Format F>
__global__ void __launch_bounds__(kThreads)
    widen_scalar(const std::uint16_t* __restrict__ src, float* __restrict__ dst,
                 std::size_t count) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count;
       i += stride) {
    dst[i] = widen<F>(src[i]);
  }
}

bool aligned(const void* pointer) {
  return reinterpret_cast<std::uintptr_t>(pointer) % kVectorBytes == 0;
}

// Enough blocks for `work_items` threads, at most a full GPU's worth (the
// grid-stride loops cover the rest); at least one.
unsigned grid_for(std::size_t work_items) {
  const std::size_t wanted = (work_items + kThreads - 1) / kThreads;
  const auto cap = static_cast<std::size_t>(detail::multiprocessor_count()) * kBlocksPerSm;
  return static_cast<unsigned>(std::max<std::size_t>(1, std::min(wanted, cap)));
}

template <Format F>
void launch_narrow(const float* src, std::uint16_t* dst, std::size_t count, cudaStream_t stream) {
  if (count == 0) return;
  if (aligned(src) && aligned(dst)) {
    const std::size_t vectors = count / kVectorValues;
    const std::size_t done = vectors * kVectorValues;
    narrow_vectorised<F><<<grid_for(std::max<std::size_t>(vectors, 1)), kThreads, 0, stream>>>(
        reinterpret_cast<const float4*>(src), reinterpret_cast<uint4*>(dst), dst + done, src + done,
        vectors, static_cast<unsigned>(count - done));
  } else {
    narrow_scalar<F><<<grid_for(count), kThreads, 0, stream>>>(src, dst, count);
  }
  ACCEL_CUDA_CHECK_LAUNCH("the fp32 -> bf16/fp16 conversion kernel");
}

template <Format F>
void launch_widen(const std::uint16_t* src, float* dst, std::size_t count, cudaStream_t stream) {
  if (count == 0) return;
  if (aligned(src) && aligned(dst)) {
    const std::size_t vectors = count / kVectorValues;
    const std::size_t done = vectors * kVectorValues;
    widen_vectorised<F><<<grid_for(std::max<std::size_t>(vectors, 1)), kThreads, 0, stream>>>(
        reinterpret_cast<const uint4*>(src), reinterpret_cast<float4*>(dst), dst + done, src + done,
        vectors, static_cast<unsigned>(count - done));
  } else {
    widen_scalar<F><<<grid_for(count), kThreads, 0, stream>>>(src, dst, count);
  }
  ACCEL_CUDA_CHECK_LAUNCH("the bf16/fp16 -> fp32 conversion kernel");
}

}  // namespace

void float_to_bf16(const float* src, std::uint16_t* dst, std::size_t count, cudaStream_t stream) {
  launch_narrow<Format::kBf16>(src, dst, count, stream);
}
void float_to_fp16(const float* src, std::uint16_t* dst, std::size_t count, cudaStream_t stream) {
  launch_narrow<Format::kFp16>(src, dst, count, stream);
}
void bf16_to_float(const std::uint16_t* src, float* dst, std::size_t count, cudaStream_t stream) {
  launch_widen<Format::kBf16>(src, dst, count, stream);
}
void fp16_to_float(const std::uint16_t* src, float* dst, std::size_t count, cudaStream_t stream) {
  launch_widen<Format::kFp16>(src, dst, count, stream);
}

}  // namespace accel::cuda
