#include <cuda_runtime_api.h>

#include <stdexcept>
#include <string>

#include "cuda_test_kernels.hpp"

namespace accel::testing {

namespace {

__global__ void skip_aware_sgd(float* params, const float* grads, std::size_t count,
                               float learning_rate, const float* found_inf) {
  if (*found_inf != 0.0F) return;  // the scaler saw an Inf/NaN: skip the step
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count;
       i += stride) {
    params[i] = __fsub_rn(params[i], __fmul_rn(learning_rate, grads[i]));
  }
}

}  // namespace

void launch_skip_aware_sgd(float* params, const float* grads, std::size_t count,
                           float learning_rate, const float* found_inf, cudaStream_t stream) {
  skip_aware_sgd<<<64, 256, 0, stream>>>(params, grads, count, learning_rate, found_inf);
  const cudaError_t result = cudaGetLastError();
  if (result != cudaSuccess) {
    throw std::runtime_error(std::string("launching skip_aware_sgd failed: ") +
                             cudaGetErrorString(result));
  }
}

}  // namespace accel::testing
