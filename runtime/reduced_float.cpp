// The one-value reference conversions. Written for the reader, not for
// speed: each case of the contract in accel/reduced_float.hpp is a branch,
// and rounding is spelled out as "compare the dropped bits with one half".
// The bulk kernels (reduced_float_lanes.hpp) reach the same results
// branch-free; the unit tests hold them to these functions.
#include "accel/reduced_float.hpp"

#include <bit>

namespace accel {

namespace {

constexpr std::uint32_t kFloatSign = 0x80000000U;
constexpr std::uint32_t kFloatExponent = 0x7F800000U;
constexpr std::uint32_t kFloatMantissa = 0x007FFFFFU;
constexpr std::uint32_t kFloatQuietBit = 0x00400000U;

bool is_nan(std::uint32_t bits) {
  return (bits & ~kFloatSign) > kFloatExponent;
}

// `value >> shift`, rounded to nearest with ties to even on the bits shifted
// out. Works for any shift (a shift of 32 or more leaves only the rounding).
std::uint64_t shift_right_rounding_to_even(std::uint64_t value, unsigned shift) {
  if (shift == 0) return value;
  if (shift >= 64) return 0;  // callers' values are far below 2^63: below one half
  const std::uint64_t kept = value >> shift;
  const std::uint64_t dropped = value & ((std::uint64_t{1} << shift) - 1);
  const std::uint64_t half = std::uint64_t{1} << (shift - 1);
  const bool round_up = dropped > half || (dropped == half && (kept & 1) != 0);
  return kept + (round_up ? 1 : 0);
}

}  // namespace

std::uint16_t float_to_bf16(float value) {
  const auto bits = std::bit_cast<std::uint32_t>(value);
  if (is_nan(bits)) {
    // Truncate, never round: rounding an all-ones payload would carry into
    // the exponent and sign. Setting the quiet bit keeps it a NaN even when
    // the payload lived only in the dropped bits.
    return static_cast<std::uint16_t>((bits >> 16) | (kFloatQuietBit >> 16));
  }
  // bf16 is the top half of an fp32. Rounding the 16 dropped bits may carry
  // into the exponent: the encoding is monotone, so the carry gives the next
  // larger value, the smallest normal after the largest denormal, or Inf
  // after the largest finite value, as IEEE wants.
  return static_cast<std::uint16_t>(shift_right_rounding_to_even(bits, 16));
}

std::uint16_t float_to_fp16(float value) {
  const auto bits = std::bit_cast<std::uint32_t>(value);
  const auto sign = static_cast<std::uint16_t>((bits & kFloatSign) >> 16);
  const std::uint32_t biased_exponent = (bits & kFloatExponent) >> 23;
  const std::uint32_t mantissa = bits & kFloatMantissa;

  if (biased_exponent == 0xFF) {
    if (mantissa == 0) return sign | 0x7C00U;                                        // Inf
    return static_cast<std::uint16_t>(sign | 0x7C00U | 0x0200U | (mantissa >> 13));  // quiet NaN
  }

  // The value is significand * 2^(exponent - 150) with the significand's
  // leading one explicit (fp32 denormals: exponent field 0 counts as 1).
  const std::uint64_t significand = biased_exponent == 0 ? mantissa : (mantissa | 0x00800000U);
  const int exponent = biased_exponent == 0 ? 1 : static_cast<int>(biased_exponent);
  const int unbiased = exponent - 127;

  // fp16 spacing at this magnitude: 2^(unbiased - 10) for normals
  // (unbiased >= -14), 2^-24 for denormals. Drop the bits finer than it.
  const int quantum_exponent = unbiased >= -14 ? unbiased - 10 : -24;
  const int shift = quantum_exponent - (exponent - 150);  // >= 13
  if (unbiased > 15) return sign | 0x7C00U;               // 65536 and above
  const std::uint64_t quanta =
      shift_right_rounding_to_even(significand, static_cast<unsigned>(shift));

  // Normals: bits = (fp16 exponent - 1) << 10 plus quanta in [1024, 2048];
  // 2048 (rounded up past the top) carries into the next exponent, and from
  // the largest exponent into Inf (0x7C00). Denormals: bits = quanta in
  // [0, 1024]; 1024 is the smallest normal.
  const std::uint64_t magnitude =
      unbiased >= -14 ? (static_cast<std::uint64_t>(unbiased + 15 - 1) << 10) + quanta : quanta;
  if (magnitude >= 0x7C00U) return sign | 0x7C00U;
  return static_cast<std::uint16_t>(sign | magnitude);
}

float bf16_to_float(std::uint16_t bits) {
  std::uint32_t wide = static_cast<std::uint32_t>(bits) << 16;
  if (is_nan(wide)) wide |= kFloatQuietBit;
  return std::bit_cast<float>(wide);
}

float fp16_to_float(std::uint16_t bits) {
  const std::uint32_t sign = static_cast<std::uint32_t>(bits & 0x8000U) << 16;
  std::uint32_t exponent = (bits >> 10) & 0x1FU;
  std::uint32_t mantissa = bits & 0x03FFU;

  if (exponent == 0x1F) {
    const std::uint32_t quiet = mantissa != 0 ? kFloatQuietBit : 0;
    return std::bit_cast<float>(sign | kFloatExponent | quiet | (mantissa << 13));
  }
  if (exponent == 0) {
    if (mantissa == 0) return std::bit_cast<float>(sign);  // +-0
    // A denormal, mantissa * 2^-24: normalise until the leading one sits
    // where fp32's implicit bit is. fp32 holds it as a normal number.
    exponent = 1;
    while ((mantissa & 0x0400U) == 0) {
      mantissa <<= 1;
      --exponent;
    }
    mantissa &= 0x03FFU;
  }
  // Rebias: fp16's exponent bias is 15, fp32's 127. The cast wraps exactly as
  // intended for the denormal case (exponent may have gone to 0 or below).
  const std::uint32_t float_exponent = exponent + 127U - 15U;
  return std::bit_cast<float>(sign | (float_exponent << 23) | (mantissa << 13));
}

}  // namespace accel
