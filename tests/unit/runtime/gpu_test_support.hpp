// For unit tests that need a GPU: the number of CUDA devices this process
// sees, and a skip (tests/unit/skip.hpp) with the reason when there are
// too few. Only in builds with the CUDA toolkit.
#pragma once

#include <cuda_runtime_api.h>

#include <string>

#include "skip.hpp"

namespace accel::testing {

inline void require_gpus(int needed) {
  int count = 0;
  const cudaError_t error = cudaGetDeviceCount(&count);
  if (error != cudaSuccess) {
    skip_test_case(std::string("no CUDA device (") + cudaGetErrorString(error) + ")");
  }
  if (count < needed) {
    skip_test_case("needs " + std::to_string(needed) + " GPUs, this machine has " +
                   std::to_string(count));
  }
}

}  // namespace accel::testing
