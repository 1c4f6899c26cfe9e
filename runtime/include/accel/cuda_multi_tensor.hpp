// Fused operations over many fp32 device tensors at once (a model's
// gradients), each one kernel launch whatever the number and sizes of the
// tensors:
//
//   accel::cuda::CudaTensorList grads(tensors);      // once: uploads a table
//   accel::cuda::unscale_and_check(grads, inv_scale, found_inf, stream);
//   accel::cuda::global_l2_norm(grads, norm, stream);
//
// A CudaTensorList cuts the tensors into chunks of at most kChunkElements
// values and keeps the chunk table (pointer, length, tensor index) in device
// memory, so there is no kernel-argument limit on the tensor count, and big
// and small tensors spread evenly over the blocks. Build it once for a set
// of buffers that stays put (gradients usually do) and reuse it every step;
// the operations allocate nothing and never synchronise with the host, so a
// sequence of them can be captured in a CUDA graph. A captured graph keeps
// pointers into the list's device memory: keep the list alive as long as
// the graph may be launched.
//
// Scalars (inv_scale, found_inf, norm) are device pointers: reading them on
// the host would be the synchronisation these kernels exist to avoid.
//
// Errors: CudaError naming the call (no device, out of memory, a bad
// stream), or that libaccel was built without CUDA; std::invalid_argument
// for a tensor with a null pointer and a non-zero count.
//
// Thread-safety: a CudaTensorList is read-only after construction and may be
// used from any thread, but global_l2_norm writes the list's own scratch:
// run it on one stream at a time per list.
#pragma once

#include <cstddef>
#include <memory>
#include <span>

#include "accel/cuda_stream.hpp"

namespace accel::cuda {

// One fp32 tensor in device memory: `count` contiguous values. Empty tensors
// (count 0, any pointer) are allowed and contribute nothing.
struct DeviceTensor {
  float* data = nullptr;
  std::size_t count = 0;
};

class CudaTensorList {
 public:
  // Values per chunk, one GPU block each: 8 Ki fp32 (32 KiB), enough for a
  // block to stream at full bandwidth, small enough that the last blocks of
  // a launch leave the GPU idle only briefly.
  static constexpr std::size_t kChunkElements = std::size_t{1} << 13;

  // Builds the chunk table on the host and copies it to the current
  // device's memory (a synchronous cudaMemcpy: do this before capturing).
  explicit CudaTensorList(std::span<const DeviceTensor> tensors);
  ~CudaTensorList();
  CudaTensorList(CudaTensorList&&) noexcept;
  CudaTensorList& operator=(CudaTensorList&&) noexcept;
  CudaTensorList(const CudaTensorList&) = delete;
  CudaTensorList& operator=(const CudaTensorList&) = delete;

  std::size_t tensor_count() const;
  std::size_t element_count() const;  // over all tensors
  std::size_t chunk_count() const;

  struct Impl;
  const Impl& impl() const { return *impl_; }  // for libaccel's kernels

 private:
  std::unique_ptr<Impl> impl_;
};

// For every value of every tensor: found_inf becomes 1.0 when the value is
// Inf or NaN (before scaling; found_inf is never cleared here, so several
// calls accumulate), then value *= *inv_scale, except that an inv_scale of
// exactly 1 leaves the values untouched. torch's
// _amp_foreach_non_finite_check_and_unscale_, with the CPU GradScaler's
// rules (accel/grad_scaler.hpp). `inv_scale` and `found_inf` are single
// floats in device memory.
void unscale_and_check(const CudaTensorList& tensors, const float* inv_scale, float* found_inf,
                       cudaStream_t stream = nullptr);

// *norm = sqrt(sum of squares of every value of every tensor), the global
// norm gradient clipping divides by. The squares are summed in fp64 and the
// root rounded once to fp32, so finite gradients never overflow to Inf (an
// fp32 sum would from values near 2^64). Deterministic: the same tensors
// give the same bits on every run (a fixed split over blocks, no atomics).
// Inf when a value is Inf, NaN when one is NaN. `norm` is a single float in
// device memory.
void global_l2_norm(const CudaTensorList& tensors, float* norm, cudaStream_t stream = nullptr);

}  // namespace accel::cuda
