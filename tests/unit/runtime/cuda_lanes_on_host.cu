#include "cuda_lanes_on_host.hpp"
#include "runtime/cuda_reduced_float_lanes.cuh"

namespace accel::testing {

using cuda::detail::bf16_bits;
using cuda::detail::float_bits_from_bf16;
using cuda::detail::float_bits_from_fp16;
using cuda::detail::fp16_bits;

void cuda_lanes_float_to_bf16(const std::uint32_t* float_bits, std::uint16_t* out,
                              std::size_t count) {
  for (std::size_t i = 0; i < count; ++i)
    out[i] = static_cast<std::uint16_t>(bf16_bits(float_bits[i]));
}
void cuda_lanes_float_to_fp16(const std::uint32_t* float_bits, std::uint16_t* out,
                              std::size_t count) {
  for (std::size_t i = 0; i < count; ++i)
    out[i] = static_cast<std::uint16_t>(fp16_bits(float_bits[i]));
}
void cuda_lanes_bf16_to_float(const std::uint16_t* bits, std::uint32_t* float_bits,
                              std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) float_bits[i] = float_bits_from_bf16(bits[i]);
}
void cuda_lanes_fp16_to_float(const std::uint16_t* bits, std::uint32_t* float_bits,
                              std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) float_bits[i] = float_bits_from_fp16(bits[i]);
}

}  // namespace accel::testing
