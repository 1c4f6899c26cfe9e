// Dynamic loss scaling on the GPU with no host synchronisation: the scale,
// its inverse, the growth tracker and the found-inf flag live in device
// memory, and the decision to skip a step is made there too. Same rules as
// the CPU GradScaler (accel/grad_scaler.hpp) and torch's GradScaler: the
// same options give the same scales and skipped steps.
//
// One iteration, all queued on one stream:
//   scaled_loss = loss * *scaler.device_scale();      // in the program's kernel
//   ... backward ...
//   scaler.unscale(grads, stream);   // grads *= inv_scale, found_inf |= non-finite
//   optimizer_kernel<<<..., stream>>>(..., scaler.device_found_inf());
//                                    // returns early when *found_inf != 0
//   scaler.update(stream);           // back off or grow; next inv_scale; found_inf = 0
//
// unscale and update launch kernels only (no allocation, copy or sync), so
// the whole sequence can be captured once with cudaStreamBeginCapture and
// replayed every step as one graph. Several unscale calls per iteration (one
// per parameter group) accumulate into the one found_inf.
//
// The scaler's memory belongs to the device current at construction; use it
// on that device's streams. Disabled (options.enabled false): device_scale
// holds 1, found_inf stays 0, unscale and update queue nothing.
//
// Errors: std::invalid_argument for bad options or state (as GradScaler);
// std::logic_error for update() with no unscale() since the last update;
// CudaError for a failed CUDA call or a libaccel built without CUDA.
//
// Thread-safety: none; one scaler belongs to one training loop.
#pragma once

#include <memory>

#include "accel/cuda_multi_tensor.hpp"
#include "accel/cuda_stream.hpp"
#include "accel/grad_scaler.hpp"

namespace accel::cuda {

class CudaGradScaler {
 public:
  // Allocates the device state and writes the initial scale (synchronously:
  // construct before capturing).
  explicit CudaGradScaler(GradScalerOptions options = {});
  ~CudaGradScaler();
  CudaGradScaler(CudaGradScaler&&) noexcept;
  CudaGradScaler& operator=(CudaGradScaler&&) noexcept;
  CudaGradScaler(const CudaGradScaler&) = delete;
  CudaGradScaler& operator=(const CudaGradScaler&) = delete;

  bool enabled() const { return options_.enabled; }
  const GradScalerOptions& options() const { return options_; }

  // Unscales every tensor of `grads` in place and records Inf/NaN in
  // device_found_inf().
  void unscale(const CudaTensorList& grads, cudaStream_t stream = nullptr);
  // The scale update (torch's _amp_update_scale_) as a one-thread kernel:
  // reads found_inf, writes scale, growth tracker and the next inv_scale,
  // and clears found_inf for the next iteration.
  void update(cudaStream_t stream = nullptr);

  // Device pointers to single values, valid for the scaler's lifetime.
  // found_inf: non-zero when this iteration's gradients held an Inf/NaN,
  // i.e. "skip the optimizer step"; read it between unscale and update.
  const float* device_found_inf() const;
  const float* device_scale() const;
  const float* device_inv_scale() const;

  // Copies the state to the host; waits for `stream` (a synchronisation:
  // for checkpoints and logging, not for every step).
  GradScaler::State state(cudaStream_t stream = nullptr) const;
  // Sets scale and tracker (validated as GradScaler::load_state does) and
  // clears found_inf; queued on `stream`, then waited for.
  void load_state(GradScaler::State state, cudaStream_t stream = nullptr);

  struct DeviceState;  // libaccel's kernels' view of the device memory

 private:
  GradScalerOptions options_;
  std::unique_ptr<DeviceState> device_;
  bool unscaled_ = false;  // unscale since the last update (host-side order check)
};

}  // namespace accel::cuda
