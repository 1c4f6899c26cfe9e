// Fixed blocks with one "non-finite seen" flag per lane keep the loop a pure
// element-wise one that GCC vectorises at -O2 (see reduced_float_portable.cpp
// for why blocks), and memory-bound: no AVX2 build is worth its code.
#include "runtime/unscale_kernel.hpp"

#include <array>
#include <bit>
#include <cstdint>

namespace accel::detail {

namespace {

constexpr std::size_t kBlock = 16;
constexpr std::uint32_t kExponent = 0x7F800000U;

// All exponent bits set: Inf or NaN.
inline std::uint32_t non_finite(float value) {
  return static_cast<std::uint32_t>((std::bit_cast<std::uint32_t>(value) & kExponent) == kExponent);
}

bool check_only(const float* values, std::size_t count) {
  std::array<std::uint32_t, kBlock> seen{};
  std::size_t i = 0;
  for (; i + kBlock <= count; i += kBlock) {
    for (std::size_t j = 0; j < kBlock; ++j) seen[j] |= non_finite(values[i + j]);
  }
  std::uint32_t any = 0;
  for (; i < count; ++i) any |= non_finite(values[i]);
  for (const std::uint32_t lane : seen) any |= lane;
  return any != 0;
}

bool check_and_scale(float* values, std::size_t count, float inv_scale) {
  std::array<std::uint32_t, kBlock> seen{};
  std::size_t i = 0;
  for (; i + kBlock <= count; i += kBlock) {
    for (std::size_t j = 0; j < kBlock; ++j) {
      seen[j] |= non_finite(values[i + j]);
      values[i + j] *= inv_scale;
    }
  }
  std::uint32_t any = 0;
  for (; i < count; ++i) {
    any |= non_finite(values[i]);
    values[i] *= inv_scale;
  }
  for (const std::uint32_t lane : seen) any |= lane;
  return any != 0;
}

}  // namespace

bool unscale_and_check(std::span<float> values, float inv_scale) {
  if (inv_scale == 1.0F) return check_only(values.data(), values.size());
  return check_and_scale(values.data(), values.size(), inv_scale);
}

}  // namespace accel::detail
