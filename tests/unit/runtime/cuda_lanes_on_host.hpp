// The GPU conversion lanes (runtime/cuda_reduced_float_lanes.cuh), compiled
// by nvcc as host code (cuda_lanes_on_host.cu) and run here on the CPU, so
// their arithmetic is held to the CPU reference on machines without a GPU.
// Each converts `count` values.
#pragma once

#include <cstddef>
#include <cstdint>

namespace accel::testing {

void cuda_lanes_float_to_bf16(const std::uint32_t* float_bits, std::uint16_t* out,
                              std::size_t count);
void cuda_lanes_float_to_fp16(const std::uint32_t* float_bits, std::uint16_t* out,
                              std::size_t count);
void cuda_lanes_bf16_to_float(const std::uint16_t* bits, std::uint32_t* float_bits,
                              std::size_t count);
void cuda_lanes_fp16_to_float(const std::uint16_t* bits, std::uint32_t* float_bits,
                              std::size_t count);

}  // namespace accel::testing
