// CudaGradScaler (accel/cuda_grad_scaler.hpp): the device state, and the
// scale update as a one-thread kernel, so that unscale -> step -> update
// never waits for the host and replays as a captured graph.
#include <cuda_runtime_api.h>

#include <stdexcept>

#include "accel/cuda_grad_scaler.hpp"
#include "runtime/cuda_check.hpp"
#include "runtime/cuda_device_buffer.hpp"

namespace accel::cuda {

namespace detail {

// The four values in one allocation: one cudaMalloc, one copy to load or
// read a state.
struct DeviceScalerValues {
  float scale;
  float inv_scale;
  float found_inf;
  int growth_tracker;
};

}  // namespace detail

using detail::DeviceScalerValues;

struct CudaGradScaler::DeviceState {
  detail::DeviceBuffer memory;
  DeviceScalerValues* values() const { return memory.as<DeviceScalerValues>(); }
};

namespace {

// The CPU rules (runtime/grad_scaler.cpp) and aten's _amp_update_scale_:
// factors are doubles, products rounded to fp32, the scale never grows to
// Inf; then the next inverse, taken in fp64 and rounded once, as
// GradScaler::unscale takes it.
__global__ void update_scale_kernel(DeviceScalerValues* values, double growth_factor,
                                    double backoff_factor, int growth_interval) {
  float scale = values->scale;
  if (values->found_inf != 0.0F) {
    scale = static_cast<float>(static_cast<double>(scale) * backoff_factor);
    values->growth_tracker = 0;
  } else {
    const int successful = values->growth_tracker + 1;
    if (successful == growth_interval) {
      const auto grown = static_cast<float>(static_cast<double>(scale) * growth_factor);
      if (isfinite(grown)) scale = grown;
      values->growth_tracker = 0;
    } else {
      values->growth_tracker = successful;
    }
  }
  values->scale = scale;
  values->inv_scale = static_cast<float>(1.0 / static_cast<double>(scale));
  values->found_inf = 0.0F;
}

DeviceScalerValues initial_values(float scale, int growth_tracker) {
  return {scale, static_cast<float>(1.0 / static_cast<double>(scale)), 0.0F, growth_tracker};
}

}  // namespace

CudaGradScaler::CudaGradScaler(GradScalerOptions options)
    : options_(options), device_(std::make_unique<DeviceState>()) {
  // Validation and the initial state are the CPU scaler's.
  const GradScaler reference(options_);
  device_->memory = detail::DeviceBuffer(sizeof(DeviceScalerValues),
                                         "cudaMalloc (the GPU grad scaler's state)", ACCEL_HERE);
  const DeviceScalerValues values = options_.enabled ? initial_values(reference.scale(), 0)
                                                     : DeviceScalerValues{1.0F, 1.0F, 0.0F, 0};
  ACCEL_CUDA_CHECK(cudaMemcpy(device_->values(), &values, sizeof values, cudaMemcpyHostToDevice),
                   "cudaMemcpy (the GPU grad scaler's initial state)");
}

CudaGradScaler::~CudaGradScaler() = default;
CudaGradScaler::CudaGradScaler(CudaGradScaler&&) noexcept = default;
CudaGradScaler& CudaGradScaler::operator=(CudaGradScaler&&) noexcept = default;

void CudaGradScaler::unscale(const CudaTensorList& grads, cudaStream_t stream) {
  if (!options_.enabled) return;
  DeviceScalerValues* values = device_->values();
  unscale_and_check(grads, &values->inv_scale, &values->found_inf, stream);
  unscaled_ = true;
}

void CudaGradScaler::update(cudaStream_t stream) {
  if (!options_.enabled) return;
  if (!unscaled_) {
    throw std::logic_error(
        "CudaGradScaler::update without unscale(): no Inf/NaN check was recorded this "
        "iteration; call unscale(grads, stream) (and run the optimizer) before update()");
  }
  update_scale_kernel<<<1, 1, 0, stream>>>(device_->values(), options_.growth_factor,
                                           options_.backoff_factor, options_.growth_interval);
  ACCEL_CUDA_CHECK_LAUNCH("the grad scaler's update kernel");
  unscaled_ = false;
}

const float* CudaGradScaler::device_found_inf() const {
  return &device_->values()->found_inf;
}
const float* CudaGradScaler::device_scale() const {
  return &device_->values()->scale;
}
const float* CudaGradScaler::device_inv_scale() const {
  return &device_->values()->inv_scale;
}

GradScaler::State CudaGradScaler::state(cudaStream_t stream) const {
  if (!options_.enabled) return {options_.init_scale, 0};  // what GradScaler::state() gives
  DeviceScalerValues values{};
  ACCEL_CUDA_CHECK(
      cudaMemcpyAsync(&values, device_->values(), sizeof values, cudaMemcpyDeviceToHost, stream),
      "cudaMemcpyAsync (reading the GPU grad scaler's state)");
  ACCEL_CUDA_CHECK(cudaStreamSynchronize(stream),
                   "cudaStreamSynchronize (reading the GPU grad scaler's state)");
  return {values.scale, values.growth_tracker};
}

void CudaGradScaler::load_state(GradScaler::State state, cudaStream_t stream) {
  if (!options_.enabled) return;  // as torch and GradScaler: a disabled scaler keeps no state
  GradScaler reference(options_);
  reference.load_state(state);  // the CPU scaler's validation and messages
  const DeviceScalerValues values = initial_values(state.scale, state.growth_tracker);
  ACCEL_CUDA_CHECK(
      cudaMemcpyAsync(device_->values(), &values, sizeof values, cudaMemcpyHostToDevice, stream),
      "cudaMemcpyAsync (loading the GPU grad scaler's state)");
  // `values` lives on this stack frame: the copy must finish before return.
  ACCEL_CUDA_CHECK(cudaStreamSynchronize(stream),
                   "cudaStreamSynchronize (loading the GPU grad scaler's state)");
  unscaled_ = false;
}

}  // namespace accel::cuda
