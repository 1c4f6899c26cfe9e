// One lane of each bulk conversion, branch-free, so that a loop of them
// vectorises (every `?:` becomes a blend, the variable shift of the fp16
// denormal case vpsrlvd under AVX2). Each function gives bit for bit what
// the reference in reduced_float.cpp gives; the unit tests check that over
// every fp32 (bf16) and a large sample plus every edge class (fp16).
//
// Internal to libaccel; reduced_float_kernels.cpp runs these over buffers.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>

namespace accel::detail {

inline std::uint16_t bf16_lane(std::uint32_t bits) {
  // All ones for a NaN. The magnitude is below 2^31, so a signed compare
  // gives the same answer as an unsigned one, in one instruction (pcmpgtd).
  const auto magnitude = static_cast<std::int32_t>(bits & 0x7FFFFFFFU);
  const std::uint32_t nan = 0U - static_cast<std::uint32_t>(magnitude > 0x7F800000);
  // A NaN is truncated, not rounded: clearing its dropped half first means
  // the rounding below cannot carry, and the quiet bit is ORed in after.
  const std::uint32_t kept = bits & ~(nan & 0xFFFFU);
  // Round to nearest even on the 16 dropped bits: adding 0x7FFF carries into
  // the kept half exactly when the dropped half is above one half; adding the
  // kept half's lowest bit as well turns an exact half into a carry only when
  // that bit is odd. A carry into the exponent is the next value up (to Inf
  // at the top), never into the sign: only a NaN could get that far.
  const std::uint32_t rounded = (kept + 0x7FFFU + ((kept >> 16) & 1U)) >> 16;
  return static_cast<std::uint16_t>(rounded | (nan & 0x0040U));
}

inline std::uint16_t fp16_lane(std::uint32_t bits) {
  const std::uint32_t sign = (bits >> 16) & 0x8000U;
  const std::uint32_t magnitude = bits & 0x7FFFFFFFU;

  // Normal fp16 range [2^-14, 65520): rebias the exponent from 127 to 15
  // (subtract 112 << 23), then round the 13 dropped bits to nearest even as
  // in bf16_lane. A carry past 0x7BFF cannot happen below 65520.
  const std::uint32_t normal = (magnitude - 0x38000000U + 0x0FFFU + ((magnitude >> 13) & 1U)) >> 13;

  // Below 2^-14 the result is a denormal, a count of 2^-24 steps: the value
  // is significand * 2^(exponent - 150), so the count is the significand
  // shifted right by 126 - exponent, rounded to nearest even. Computed for
  // every lane, used only below 2^-14 (exponent <= 112): clamping the
  // exponent there and the shift at 31 keeps every shift defined. From a
  // shift of 25 on (values below 2^-25) everything rounds to zero, and the
  // clamp gives that zero; fp32 denormals (exponent 0) take it too.
  const std::uint32_t exponent = std::min(magnitude >> 23, 112U);
  const std::uint32_t significand = (magnitude & 0x007FFFFFU) | 0x00800000U;
  const std::uint32_t shift = std::min(126U - exponent, 31U);
  const std::uint32_t denormal =
      (significand + ((1U << (shift - 1U)) - 1U) + ((significand >> shift) & 1U)) >> shift;

  const std::uint32_t quiet_nan = 0x7E00U | ((magnitude >> 13) & 0x03FFU);

  std::uint32_t result = magnitude < 0x38800000U ? denormal : normal;  // 2^-14
  result = magnitude >= 0x477FF000U ? 0x7C00U : result;                // 65520: Inf
  result = magnitude > 0x7F800000U ? quiet_nan : result;
  return static_cast<std::uint16_t>(sign | result);
}

inline std::uint32_t bf16_to_float_bits_lane(std::uint16_t bits) {
  const std::uint32_t wide = static_cast<std::uint32_t>(bits) << 16;
  const bool nan = (wide & 0x7FFFFFFFU) > 0x7F800000U;
  return nan ? (wide | 0x00400000U) : wide;
}

inline std::uint32_t fp16_to_float_bits_lane(std::uint16_t bits) {
  const std::uint32_t sign = static_cast<std::uint32_t>(bits & 0x8000U) << 16;
  const std::uint32_t exponent = (bits >> 10) & 0x1FU;
  const std::uint32_t mantissa = bits & 0x03FFU;

  const std::uint32_t normal = ((exponent + 112U) << 23) | (mantissa << 13);
  const std::uint32_t quiet = static_cast<std::uint32_t>(mantissa != 0) << 22;
  const std::uint32_t inf_or_nan = 0x7F800000U | quiet | (mantissa << 13);
  // A denormal (or zero) is mantissa * 2^-24: converting the integer and
  // scaling by a power of two are both exact, and every such value is a
  // normal fp32, so neither the rounding mode nor FTZ/DAZ can change it.
  const std::uint32_t denormal =
      std::bit_cast<std::uint32_t>(static_cast<float>(mantissa) * 0x1p-24F);

  // Selected with masks, not `?:`: GCC will not if-convert a select that
  // guards a float multiply (it might trap), and the loop would not vectorise.
  const std::uint32_t is_denormal = 0U - static_cast<std::uint32_t>(exponent == 0);
  const std::uint32_t is_inf_or_nan = 0U - static_cast<std::uint32_t>(exponent == 0x1F);
  const std::uint32_t magnitude = (denormal & is_denormal) | (inf_or_nan & is_inf_or_nan) |
                                  (normal & ~(is_denormal | is_inf_or_nan));
  return sign | magnitude;
}

}  // namespace accel::detail
