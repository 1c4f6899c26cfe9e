// A stand-in for a program's own optimizer kernel, for the GPU scaler's
// tests (cuda_test_kernels.cu): plain SGD that reads the scaler's found_inf
// on the device and skips the step when it is set, the pattern
// docs/runtime.md shows.
#pragma once

#include <cstddef>

#include "accel/cuda_stream.hpp"

namespace accel::testing {

// params[i] -= learning_rate * grads[i] (rounded twice, never fused, so the
// CPU model gives the same bits), unless *found_inf != 0.
void launch_skip_aware_sgd(float* params, const float* grads, std::size_t count,
                           float learning_rate, const float* found_inf, cudaStream_t stream);

}  // namespace accel::testing
