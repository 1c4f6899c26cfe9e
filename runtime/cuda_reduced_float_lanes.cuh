// One value of each conversion, on the device: the integer recipes of the
// CPU's branch-free lanes (runtime/reduced_float_lanes.hpp), step for step,
// so the GPU gives the bits of the CPU reference (runtime/reduced_float.cpp)
// by construction. Not CUDA's __float2bfloat16_rn / __float2half_rn: their
// cvt instructions give a canonical NaN (payload and sign dropped), and the
// contract keeps both. Integer work is free here; the kernels are bound by
// memory bandwidth.
//
// __host__ too, so that a unit test compiled by nvcc holds these very
// functions to the CPU reference on machines without a GPU.
//
// Internal to libaccel's .cu files.
#pragma once

#include <cstdint>
#include <cstring>

namespace accel::cuda::detail {

#define ACCEL_LANE __host__ __device__ __forceinline__

ACCEL_LANE std::uint32_t bits_of(float value) {
#ifdef __CUDA_ARCH__
  return __float_as_uint(value);
#else
  std::uint32_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
#endif
}

ACCEL_LANE float float_of(std::uint32_t bits) {
#ifdef __CUDA_ARCH__
  return __uint_as_float(bits);
#else
  float value = 0;
  std::memcpy(&value, &bits, sizeof value);
  return value;
#endif
}

ACCEL_LANE std::uint32_t bf16_bits(std::uint32_t bits) {
  // NaN: truncate (clear the dropped half so the rounding cannot carry),
  // then set the quiet bit. Otherwise round to nearest even on the dropped
  // 16 bits; a carry into the exponent is the next value up, up to Inf.
  const bool nan = (bits & 0x7FFFFFFFU) > 0x7F800000U;
  const std::uint32_t kept = nan ? (bits & 0xFFFF0000U) : bits;
  const std::uint32_t rounded = (kept + 0x7FFFU + ((kept >> 16) & 1U)) >> 16;
  return rounded | (nan ? 0x0040U : 0U);
}

ACCEL_LANE std::uint32_t fp16_bits(std::uint32_t bits) {
  const std::uint32_t sign = (bits >> 16) & 0x8000U;
  const std::uint32_t magnitude = bits & 0x7FFFFFFFU;
  // Normal range [2^-14, 65520): rebias 127 -> 15, round 13 bits to even.
  const std::uint32_t normal = (magnitude - 0x38000000U + 0x0FFFU + ((magnitude >> 13) & 1U)) >> 13;
  // Denormal: the significand shifted right by 126 - exponent, rounded to
  // even; exponent clamped at 112 and the shift at 31 so every shift is
  // defined (values below 2^-25, fp32 denormals included, round to 0).
  const std::uint32_t exponent = (magnitude >> 23) < 112U ? (magnitude >> 23) : 112U;
  const std::uint32_t significand = (magnitude & 0x007FFFFFU) | 0x00800000U;
  const std::uint32_t shift = (126U - exponent) < 31U ? (126U - exponent) : 31U;
  const std::uint32_t denormal =
      (significand + ((1U << (shift - 1U)) - 1U) + ((significand >> shift) & 1U)) >> shift;
  const std::uint32_t quiet_nan = 0x7E00U | ((magnitude >> 13) & 0x03FFU);

  std::uint32_t result = magnitude < 0x38800000U ? denormal : normal;  // below 2^-14
  result = magnitude >= 0x477FF000U ? 0x7C00U : result;                // 65520 and up: Inf
  result = magnitude > 0x7F800000U ? quiet_nan : result;               // NaN
  return sign | result;
}

ACCEL_LANE std::uint32_t float_bits_from_bf16(std::uint32_t bits) {
  const std::uint32_t wide = bits << 16;
  const bool nan = (wide & 0x7FFFFFFFU) > 0x7F800000U;
  return nan ? (wide | 0x00400000U) : wide;
}

ACCEL_LANE std::uint32_t float_bits_from_fp16(std::uint32_t bits) {
  const std::uint32_t sign = (bits & 0x8000U) << 16;
  const std::uint32_t exponent = (bits >> 10) & 0x1FU;
  const std::uint32_t mantissa = bits & 0x03FFU;
  std::uint32_t magnitude = ((exponent + 112U) << 23) | (mantissa << 13);
  if (exponent == 0) {
    // mantissa * 2^-24: the int->float conversion and the power-of-two
    // scaling are exact and the result is an fp32 normal, so neither the
    // rounding mode nor flush-to-zero can change it.
    magnitude = bits_of(static_cast<float>(mantissa) * 0x1p-24F);
  } else if (exponent == 0x1FU) {
    magnitude = 0x7F800000U | (mantissa != 0 ? 0x00400000U : 0U) | (mantissa << 13);
  }
  return sign | magnitude;
}

#undef ACCEL_LANE

}  // namespace accel::cuda::detail
