// The multi-tensor kernels behind accel/cuda_multi_tensor.hpp.
//
// One block per chunk: the hardware hands the next chunk to whichever SM
// frees a slot first, so tensors of any mix of sizes keep every SM busy to
// the end, and small chunks keep the last wave short (a block of a 32 KiB
// chunk lasts ~20 us on an H100, against ~1 ms for a 1.3 GB unscale; a
// fixed grid looping over 256 KiB chunks would leave SMs idle for up to a
// fifth of the run). Within a chunk the threads stream 16-byte vectors,
// four in flight per thread (memory-bound: the loads must overlap), then
// the chunk's last count % 4 values one by one. A chunk whose tensor is not
// 16-byte aligned is done one value per thread throughout. The loops still
// stride over the grid, should a table ever outgrow it.
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <utility>

#include "accel/cuda_multi_tensor.hpp"
#include "runtime/cuda_check.hpp"
#include "runtime/cuda_chunk_table.hpp"
#include "runtime/cuda_device_buffer.hpp"

namespace accel::cuda {

namespace {

using detail::TensorChunk;

constexpr int kThreads = 256;
constexpr int kBlocksPerSm = 8;                     // 2048 threads: a full SM
constexpr std::size_t kMaxGridBlocks = 0x7FFFFFFF;  // CUDA's limit on gridDim.x
constexpr int kUnroll = 4;                          // 16-byte loads in flight per thread
constexpr int kFinishThreads = 1024;

__device__ __forceinline__ bool non_finite(float value) {
  return (__float_as_uint(value) & 0x7F800000U) == 0x7F800000U;
}

__device__ __forceinline__ bool aligned16(const float* pointer) {
  return (reinterpret_cast<std::uintptr_t>(pointer) & 15U) == 0;
}

// Calls visit(value) on each value of the chunk that this thread owns (the
// block's threads share the chunk); with Write, what visit returns is
// stored back in its place.
template <bool Write, typename Visit>
__device__ __forceinline__ void for_each_value(const TensorChunk& chunk, Visit&& visit) {
  float* const data = chunk.data;
  const unsigned count = chunk.count;
  unsigned scalar_from = 0;
  if (aligned16(data)) {
    auto* const vectors = reinterpret_cast<float4*>(data);
    const unsigned vector_count = count / 4;
    unsigned i = threadIdx.x;
    for (; i + (kUnroll - 1) * blockDim.x < vector_count; i += kUnroll * blockDim.x) {
      float4 v[kUnroll];
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) v[u] = vectors[i + u * blockDim.x];
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) {
        v[u] = float4{visit(v[u].x), visit(v[u].y), visit(v[u].z), visit(v[u].w)};
        if constexpr (Write) vectors[i + u * blockDim.x] = v[u];
      }
    }
    for (; i < vector_count; i += blockDim.x) {
      float4 v = vectors[i];
      v = float4{visit(v.x), visit(v.y), visit(v.z), visit(v.w)};
      if constexpr (Write) vectors[i] = v;
    }
    scalar_from = vector_count * 4;
  }
  for (unsigned i = scalar_from + threadIdx.x; i < count; i += blockDim.x) {
    const float value = visit(data[i]);
    if constexpr (Write) data[i] = value;
  }
}

// At most 32 registers, so 8 blocks (a full 2048 threads) fit on an SM:
// more loads in flight (ptxas wanted 36 on its own, which fits only 6).
__global__ void __launch_bounds__(kThreads, kBlocksPerSm)
    unscale_and_check_kernel(const TensorChunk* __restrict__ chunks, std::size_t chunk_count,
                             const float* __restrict__ inv_scale_in,
                             float* __restrict__ found_inf) {
  const float inv_scale = *inv_scale_in;
  bool seen = false;
  // An inv_scale of exactly 1 only checks (torch's rule): half the traffic.
  if (inv_scale == 1.0F) {
    for (std::size_t c = blockIdx.x; c < chunk_count; c += gridDim.x) {
      for_each_value<false>(chunks[c], [&](float value) {
        seen |= non_finite(value);
        return value;
      });
    }
  } else {
    for (std::size_t c = blockIdx.x; c < chunk_count; c += gridDim.x) {
      for_each_value<true>(chunks[c], [&](float value) {
        seen |= non_finite(value);
        return value * inv_scale;
      });
    }
  }
  // Blocks that saw one all store the same 1.0: a benign race, as torch's.
  if (__syncthreads_or(seen) != 0 && threadIdx.x == 0) *found_inf = 1.0F;
}

// Sum of `value` over the block, the same order on every run; the result
// is valid in thread 0.
template <int Threads>
__device__ __forceinline__ double block_sum(double value) {
  static_assert(Threads % 32 == 0 && Threads <= 1024, "whole warps, at most 32 of them");
  __shared__ double warp_sums[Threads / 32];
#pragma unroll
  for (int offset = 16; offset > 0; offset /= 2)
    value += __shfl_down_sync(0xFFFFFFFFU, value, offset);
  if (threadIdx.x % 32 == 0) warp_sums[threadIdx.x / 32] = value;
  __syncthreads();
  if (threadIdx.x < 32) {
    value = threadIdx.x < Threads / 32 ? warp_sums[threadIdx.x] : 0.0;
#pragma unroll
    for (int offset = 16; offset > 0; offset /= 2) {
      value += __shfl_down_sync(0xFFFFFFFFU, value, offset);
    }
  }
  return value;
}

__global__ void __launch_bounds__(kThreads)
    sum_of_squares_kernel(const TensorChunk* __restrict__ chunks, std::size_t chunk_count,
                          double* __restrict__ block_partials) {
  double sum = 0.0;
  for (std::size_t c = blockIdx.x; c < chunk_count; c += gridDim.x) {
    for_each_value<false>(chunks[c], [&](float value) {
      const auto wide = static_cast<double>(value);
      sum = fma(wide, wide, sum);
      return value;
    });
  }
  sum = block_sum<kThreads>(sum);
  if (threadIdx.x == 0) block_partials[blockIdx.x] = sum;
}

__global__ void __launch_bounds__(kFinishThreads)
    finish_norm_kernel(const double* __restrict__ block_partials, unsigned partial_count,
                       float* __restrict__ norm) {
  double sum = 0.0;
  for (unsigned i = threadIdx.x; i < partial_count; i += blockDim.x) sum += block_partials[i];
  sum = block_sum<kFinishThreads>(sum);
  if (threadIdx.x == 0) *norm = static_cast<float>(sqrt(sum));
}

}  // namespace

struct CudaTensorList::Impl {
  detail::DeviceBuffer chunks;          // TensorChunk[chunk_count]
  detail::DeviceBuffer block_partials;  // double[grid]: the L2 norm's per-block (chunk) sums
  std::size_t tensor_count = 0;
  std::size_t element_count = 0;
  std::size_t chunk_count = 0;
  unsigned grid = 1;
};

CudaTensorList::CudaTensorList(std::span<const DeviceTensor> tensors)
    : impl_(std::make_unique<Impl>()) {
  const detail::ChunkTable table = detail::build_chunk_table(tensors, kChunkElements);
  impl_->tensor_count = table.tensor_count;
  impl_->element_count = table.element_count;
  impl_->chunk_count = table.chunks.size();
  impl_->grid = detail::multi_tensor_grid(table.chunks.size(), kMaxGridBlocks);
  const std::size_t table_bytes = table.chunks.size() * sizeof(TensorChunk);
  impl_->chunks =
      detail::DeviceBuffer(table_bytes, "cudaMalloc (the multi-tensor chunk table)", ACCEL_HERE);
  impl_->block_partials =
      detail::DeviceBuffer(impl_->grid * sizeof(double),
                           "cudaMalloc (the L2 norm's per-block partial sums)", ACCEL_HERE);
  if (table_bytes != 0) {
    ACCEL_CUDA_CHECK(cudaMemcpy(impl_->chunks.as<void>(), table.chunks.data(), table_bytes,
                                cudaMemcpyHostToDevice),
                     "cudaMemcpy (uploading the multi-tensor chunk table)");
  }
}

CudaTensorList::~CudaTensorList() = default;
CudaTensorList::CudaTensorList(CudaTensorList&&) noexcept = default;
CudaTensorList& CudaTensorList::operator=(CudaTensorList&&) noexcept = default;

std::size_t CudaTensorList::tensor_count() const {
  return impl_->tensor_count;
}
std::size_t CudaTensorList::element_count() const {
  return impl_->element_count;
}
std::size_t CudaTensorList::chunk_count() const {
  return impl_->chunk_count;
}

void unscale_and_check(const CudaTensorList& tensors, const float* inv_scale, float* found_inf,
                       cudaStream_t stream) {
  const CudaTensorList::Impl& list = tensors.impl();
  if (list.chunk_count == 0) return;  // nothing to check: found_inf stays as it is
  unscale_and_check_kernel<<<list.grid, kThreads, 0, stream>>>(
      list.chunks.as<const TensorChunk>(), list.chunk_count, inv_scale, found_inf);
  ACCEL_CUDA_CHECK_LAUNCH("the fused unscale + non-finite check kernel");
}

void global_l2_norm(const CudaTensorList& tensors, float* norm, cudaStream_t stream) {
  const CudaTensorList::Impl& list = tensors.impl();
  // An empty list still writes its norm, 0, so the result never depends on
  // what the buffer held before.
  if (list.chunk_count != 0) {
    sum_of_squares_kernel<<<list.grid, kThreads, 0, stream>>>(
        list.chunks.as<const TensorChunk>(), list.chunk_count, list.block_partials.as<double>());
    ACCEL_CUDA_CHECK_LAUNCH("the L2 norm's sum-of-squares kernel");
  }
  finish_norm_kernel<<<1, kFinishThreads, 0, stream>>>(list.block_partials.as<const double>(),
                                                       list.chunk_count == 0 ? 0 : list.grid, norm);
  ACCEL_CUDA_CHECK_LAUNCH("the L2 norm's final reduction kernel");
}

}  // namespace accel::cuda
