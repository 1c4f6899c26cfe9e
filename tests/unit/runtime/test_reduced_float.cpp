// The one-value reference conversions against values worked out by hand,
// and the widening ones against an independent decoding of every pattern.
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>

#include "accel/reduced_float.hpp"

namespace {

std::uint16_t bf16_of_bits(std::uint32_t bits) {
  return accel::float_to_bf16(std::bit_cast<float>(bits));
}
std::uint16_t fp16_of_bits(std::uint32_t bits) {
  return accel::float_to_fp16(std::bit_cast<float>(bits));
}
std::uint16_t fp16_of(double value) {
  return accel::float_to_fp16(static_cast<float>(value));
}
std::uint32_t bits_of(float value) {
  return std::bit_cast<std::uint32_t>(value);
}

}  // namespace

TEST_CASE("float_to_bf16: ordinary values, signed zeros, Inf", "[reduced_float]") {
  CHECK(accel::float_to_bf16(1.0F) == 0x3F80);
  CHECK(accel::float_to_bf16(-1.0F) == 0xBF80);
  CHECK(accel::float_to_bf16(3.0F) == 0x4040);
  CHECK(accel::float_to_bf16(0.0F) == 0x0000);
  CHECK(accel::float_to_bf16(-0.0F) == 0x8000);
  CHECK(accel::float_to_bf16(std::numeric_limits<float>::infinity()) == 0x7F80);
  CHECK(accel::float_to_bf16(-std::numeric_limits<float>::infinity()) == 0xFF80);
}

TEST_CASE("float_to_bf16 rounds to nearest, ties to even", "[reduced_float]") {
  CHECK(bf16_of_bits(0x3F807FFF) == 0x3F80);  // below half: down
  CHECK(bf16_of_bits(0x3F808000) == 0x3F80);  // tie, kept part even: down
  CHECK(bf16_of_bits(0x3F808001) == 0x3F81);  // above half: up
  CHECK(bf16_of_bits(0x3F818000) == 0x3F82);  // tie, kept part odd: up to even
  CHECK(bf16_of_bits(0xBF818000) == 0xBF82);  // the same below zero
  CHECK(bf16_of_bits(0x3FFFFFFF) == 0x4000);  // the carry goes into the exponent
}

TEST_CASE("float_to_bf16 at the top of the range: the largest finite, then Inf",
          "[reduced_float]") {
  CHECK(bf16_of_bits(0x7F7F0000) == 0x7F7F);  // bf16's largest, exactly
  CHECK(bf16_of_bits(0x7F7F7FFF) == 0x7F7F);  // just below the halfway point
  CHECK(bf16_of_bits(0x7F7F8000) == 0x7F80);  // halfway, 0x7F7F is odd: Inf
  CHECK(accel::float_to_bf16(std::numeric_limits<float>::max()) == 0x7F80);
  CHECK(accel::float_to_bf16(-std::numeric_limits<float>::max()) == 0xFF80);
}

TEST_CASE("float_to_bf16 at the bottom: min normal, denormals, signed zero", "[reduced_float]") {
  CHECK(accel::float_to_bf16(std::numeric_limits<float>::min()) == 0x0080);
  CHECK(bf16_of_bits(0x007FFFFF) == 0x0080);  // largest fp32 denormal rounds up to min normal
  CHECK(bf16_of_bits(0x00010000) == 0x0001);  // smallest bf16 denormal, exactly
  CHECK(bf16_of_bits(0x00008001) == 0x0001);  // above half of it: up
  CHECK(bf16_of_bits(0x00008000) == 0x0000);  // half of it: tie to even zero
  CHECK(bf16_of_bits(0x00018000) == 0x0002);  // 1.5 of it: tie to even 2
  CHECK(bf16_of_bits(0x00000001) == 0x0000);  // fp32's smallest denormal
  CHECK(bf16_of_bits(0x80000001) == 0x8000);  // keeps its sign
}

TEST_CASE("float_to_bf16 keeps NaN a quiet NaN with its sign and top payload", "[reduced_float]") {
  CHECK(bf16_of_bits(0x7FC00000) == 0x7FC0);  // the default quiet NaN
  CHECK(bf16_of_bits(0xFFC00000) == 0xFFC0);  // negative
  CHECK(bf16_of_bits(0x7F800001) == 0x7FC0);  // signalling, payload in the dropped bits only
  CHECK(bf16_of_bits(0x7F810000) == 0x7FC1);  // signalling, payload bit kept, made quiet
  CHECK(bf16_of_bits(0x7FA00000) == 0x7FE0);  // payload bit 21 kept
  CHECK(bf16_of_bits(0x7FFFFFFF) == 0x7FFF);  // all ones: truncated, never rounded into the sign
  CHECK(bf16_of_bits(0xFFFFFFFF) == 0xFFFF);
}

TEST_CASE("float_to_fp16: ordinary values, signed zeros, Inf", "[reduced_float]") {
  CHECK(accel::float_to_fp16(1.0F) == 0x3C00);
  CHECK(accel::float_to_fp16(-2.0F) == 0xC000);
  CHECK(accel::float_to_fp16(0.5F) == 0x3800);
  CHECK(accel::float_to_fp16(0.0F) == 0x0000);
  CHECK(accel::float_to_fp16(-0.0F) == 0x8000);
  CHECK(accel::float_to_fp16(std::numeric_limits<float>::infinity()) == 0x7C00);
  CHECK(accel::float_to_fp16(-std::numeric_limits<float>::infinity()) == 0xFC00);
}

TEST_CASE("float_to_fp16 rounds to nearest, ties to even", "[reduced_float]") {
  CHECK(fp16_of(1.0 + std::ldexp(1.0, -11)) == 0x3C00);                         // tie, even: down
  CHECK(fp16_of(1.0 + 3 * std::ldexp(1.0, -11)) == 0x3C02);                     // tie, odd: up
  CHECK(fp16_of(1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -23)) == 0x3C01);  // above half
  CHECK(fp16_of(2049.0) == 0x6800);  // 2048 and 2050 around it: even 2048
  CHECK(fp16_of(2051.0) == 0x6802);  // 2050 and 2052: even 2052
  CHECK(fp16_of(-2051.0) == 0xE802);
  CHECK(fp16_of(2047.75) == 0x6800);  // rounds up across the exponent step
}

TEST_CASE("float_to_fp16 overflows to Inf at 65520, as IEEE rounds", "[reduced_float]") {
  CHECK(fp16_of(65504.0) == 0x7BFF);          // the largest fp16
  CHECK(fp16_of_bits(0x477FEFFF) == 0x7BFF);  // 65519.996, the fp32 below 65520
  CHECK(fp16_of(65520.0) == 0x7C00);          // halfway to 65536, 0x7BFF is odd: Inf
  CHECK(fp16_of(-65520.0) == 0xFC00);
  CHECK(fp16_of(65536.0) == 0x7C00);
  CHECK(fp16_of(1e10) == 0x7C00);
  CHECK(accel::float_to_fp16(std::numeric_limits<float>::max()) == 0x7C00);
}

TEST_CASE("float_to_fp16 makes denormals and signed zeros of tiny values", "[reduced_float]") {
  CHECK(fp16_of(std::ldexp(1.0, -14)) == 0x0400);           // min normal
  CHECK(fp16_of(1023 * std::ldexp(1.0, -24)) == 0x03FF);    // largest denormal
  CHECK(fp16_of(1023.5 * std::ldexp(1.0, -24)) == 0x0400);  // tie, odd: up to min normal
  CHECK(fp16_of(std::ldexp(1.0, -24)) == 0x0001);           // smallest denormal
  CHECK(fp16_of(std::ldexp(1.0, -25)) == 0x0000);           // half of it: tie to even zero
  CHECK(fp16_of(-std::ldexp(1.0, -25)) == 0x8000);          // ... keeping the sign
  CHECK(accel::float_to_fp16(std::nextafter(std::ldexp(1.0F, -25), 1.0F)) == 0x0001);
  CHECK(fp16_of(1.5 * std::ldexp(1.0, -24)) == 0x0002);  // tie, odd: up to 2
  CHECK(fp16_of(2.5 * std::ldexp(1.0, -24)) == 0x0002);  // tie, even: down to 2
  CHECK(fp16_of(std::ldexp(1.0, -26)) == 0x0000);
  CHECK(fp16_of_bits(0x00000001) == 0x0000);  // fp32 denormals
  CHECK(fp16_of_bits(0x80000001) == 0x8000);
}

TEST_CASE("float_to_fp16 keeps NaN a quiet NaN with its sign and top payload", "[reduced_float]") {
  CHECK(fp16_of_bits(0x7FC00000) == 0x7E00);
  CHECK(fp16_of_bits(0xFFC00000) == 0xFE00);
  CHECK(fp16_of_bits(0x7F800001) == 0x7E00);  // signalling, payload in the dropped bits only
  CHECK(fp16_of_bits(0x7F802000) == 0x7E01);  // signalling, payload bit kept, made quiet
  CHECK(fp16_of_bits(0x7FFFFFFF) == 0x7FFF);
  CHECK(fp16_of_bits(0xFFFFFFFF) == 0xFFFF);
}

TEST_CASE("bf16_to_float and fp16_to_float: known values", "[reduced_float]") {
  CHECK(accel::bf16_to_float(0x3F80) == 1.0F);
  CHECK(bits_of(accel::bf16_to_float(0x8000)) == 0x80000000U);
  CHECK(bits_of(accel::bf16_to_float(0x0001)) == 0x00010000U);  // a denormal, exactly
  CHECK(bits_of(accel::bf16_to_float(0xFF80)) == 0xFF800000U);
  CHECK(bits_of(accel::bf16_to_float(0x7F81)) == 0x7FC10000U);  // signalling NaN made quiet

  CHECK(accel::fp16_to_float(0x3C00) == 1.0F);
  CHECK(accel::fp16_to_float(0x7BFF) == 65504.0F);
  CHECK(accel::fp16_to_float(0x0400) == std::ldexp(1.0F, -14));
  CHECK(accel::fp16_to_float(0x0001) == std::ldexp(1.0F, -24));
  CHECK(accel::fp16_to_float(0x03FF) == 1023 * std::ldexp(1.0F, -24));
  CHECK(bits_of(accel::fp16_to_float(0x8000)) == 0x80000000U);
  CHECK(bits_of(accel::fp16_to_float(0x7C00)) == 0x7F800000U);
  CHECK(bits_of(accel::fp16_to_float(0xFC00)) == 0xFF800000U);
  CHECK(bits_of(accel::fp16_to_float(0x7E00)) == 0x7FC00000U);
  CHECK(bits_of(accel::fp16_to_float(0xFE00)) == 0xFFC00000U);
  CHECK(bits_of(accel::fp16_to_float(0x7C01)) == 0x7FC02000U);  // signalling NaN made quiet
}

TEST_CASE("fp16_to_float decodes all 2^16 patterns exactly", "[reduced_float]") {
  int wrong = 0;
  for (std::uint32_t pattern = 0; pattern <= 0xFFFF; ++pattern) {
    const auto bits = static_cast<std::uint16_t>(pattern);
    const int exponent = (bits >> 10) & 0x1F;
    const int mantissa = bits & 0x3FF;
    const double sign = (bits & 0x8000) != 0 ? -1.0 : 1.0;
    const float got = accel::fp16_to_float(bits);
    if (exponent == 0x1F) {
      const bool ok = mantissa == 0 ? got == static_cast<float>(sign * HUGE_VAL)
                                    : std::isnan(got) && std::signbit(got) == (sign < 0) &&
                                          (bits_of(got) & 0x00400000U) != 0;
      wrong += ok ? 0 : 1;
      continue;
    }
    // Independent of the bit layout of fp32: the value by its definition.
    const double value = exponent == 0 ? sign * std::ldexp(mantissa, -24)
                                       : sign * std::ldexp(1024 + mantissa, exponent - 25);
    const bool ok = got == static_cast<float>(value) && std::signbit(got) == (sign < 0);
    if (!ok) UNSCOPED_INFO("fp16 0x" << std::hex << pattern);
    wrong += ok ? 0 : 1;
  }
  CHECK(wrong == 0);
}

TEST_CASE("bf16_to_float is the top half of an fp32 for all 2^16 patterns", "[reduced_float]") {
  int wrong = 0;
  for (std::uint32_t pattern = 0; pattern <= 0xFFFF; ++pattern) {
    const std::uint32_t got = bits_of(accel::bf16_to_float(static_cast<std::uint16_t>(pattern)));
    const bool nan = (pattern & 0x7FFF) > 0x7F80;
    const std::uint32_t want = (pattern << 16) | (nan ? 0x00400000U : 0U);
    wrong += got == want ? 0 : 1;
  }
  CHECK(wrong == 0);
}

TEST_CASE("every bf16 and fp16 value survives the round trip through fp32", "[reduced_float]") {
  int wrong = 0;
  for (std::uint32_t pattern = 0; pattern <= 0xFFFF; ++pattern) {
    const auto bits = static_cast<std::uint16_t>(pattern);
    // A NaN comes back quiet: its quiet bit set, the rest unchanged.
    const bool bf16_nan = (bits & 0x7FFF) > 0x7F80;
    const bool fp16_nan = (bits & 0x7FFF) > 0x7C00;
    const auto bf16_want = static_cast<std::uint16_t>(bf16_nan ? bits | 0x0040 : bits);
    const auto fp16_want = static_cast<std::uint16_t>(fp16_nan ? bits | 0x0200 : bits);
    wrong += accel::float_to_bf16(accel::bf16_to_float(bits)) == bf16_want ? 0 : 1;
    wrong += accel::float_to_fp16(accel::fp16_to_float(bits)) == fp16_want ? 0 : 1;
  }
  CHECK(wrong == 0);
}
