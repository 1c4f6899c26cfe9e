// The public bulk converters: what a caller sees, whichever kernel set the
// CPU got (test_reduced_float_kernels.cpp checks every set).
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "accel/reduced_float.hpp"
#include "accel/reduced_float_buffers.hpp"

TEST_CASE("the converters name the kernel set they use", "[reduced_float_buffers]") {
  const std::string_view name = accel::conversion_kernel_name();
  CHECK((name == "avx2+f16c" || name == "avx2" || name == "portable"));
}

TEST_CASE("empty buffers convert to nothing", "[reduced_float_buffers]") {
  accel::convert_float_to_bf16(nullptr, nullptr, 0);
  accel::convert_float_to_fp16(nullptr, nullptr, 0);
  accel::convert_bf16_to_float(nullptr, nullptr, 0);
  accel::convert_fp16_to_float(nullptr, nullptr, 0);
  accel::convert_float_to_bf16(std::span<const float>(), std::span<std::uint16_t>());
  SUCCEED("no access through the null pointers");
}

TEST_CASE("the span overloads refuse buffers of different lengths", "[reduced_float_buffers]") {
  std::vector<float> values(4);
  std::vector<std::uint16_t> halves(3);
  CHECK_THROWS_WITH(accel::convert_float_to_bf16(values, halves),
                    "convert_float_to_bf16: the source holds 4 values but the destination 3; "
                    "pass buffers of the same length");
  CHECK_THROWS_AS(accel::convert_float_to_fp16(values, halves), std::invalid_argument);
  CHECK_THROWS_AS(accel::convert_bf16_to_float(halves, values), std::invalid_argument);
  CHECK_THROWS_AS(accel::convert_fp16_to_float(halves, values), std::invalid_argument);
}

TEST_CASE("a buffer of edge values converts as the reference says", "[reduced_float_buffers]") {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> values = {1.0F,
                                     -0.0F,
                                     65504.0F,
                                     65520.0F,
                                     -65520.0F,
                                     inf,
                                     -inf,
                                     std::numeric_limits<float>::quiet_NaN(),
                                     0x1p-24F,
                                     0x1p-25F,
                                     -0x1p-25F,
                                     1e-45F,
                                     std::numeric_limits<float>::max()};
  std::vector<std::uint16_t> fp16(values.size());
  std::vector<std::uint16_t> bf16(values.size());
  accel::convert_float_to_fp16(values, fp16);
  accel::convert_float_to_bf16(values, bf16);
  CHECK(fp16 == std::vector<std::uint16_t>{0x3C00, 0x8000, 0x7BFF, 0x7C00, 0xFC00, 0x7C00, 0xFC00,
                                           0x7E00, 0x0001, 0x0000, 0x8000, 0x0000, 0x7C00});
  for (std::size_t i = 0; i < values.size(); ++i) CHECK(bf16[i] == accel::float_to_bf16(values[i]));
}

TEST_CASE("fp32 -> bf16 -> fp32 and fp32 -> fp16 -> fp32 lose at most half a step",
          "[reduced_float_buffers]") {
  std::mt19937 random(5);
  std::uniform_real_distribution<float> magnitude(-60000.0F, 60000.0F);
  std::vector<float> values(100003);  // not a multiple of any vector width
  for (float& value : values) value = magnitude(random);
  std::vector<std::uint16_t> bf16(values.size());
  std::vector<std::uint16_t> fp16(values.size());
  std::vector<float> from_bf16(values.size());
  std::vector<float> from_fp16(values.size());
  accel::convert_float_to_bf16(values, bf16);
  accel::convert_float_to_fp16(values, fp16);
  accel::convert_bf16_to_float(bf16, from_bf16);
  accel::convert_fp16_to_float(fp16, from_fp16);
  int too_far = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    // Half a step: 2^-8 relative for bf16's 8 significant bits, 2^-11 for
    // fp16's 11, and half of fp16's denormal step 2^-24 near zero.
    const auto value = static_cast<double>(values[i]);
    const double bf16_bound = std::ldexp(std::fabs(value), -8);
    const double fp16_bound = std::max(std::ldexp(std::fabs(value), -11), std::ldexp(1.0, -25));
    too_far += std::fabs(static_cast<double>(from_bf16[i]) - value) <= bf16_bound ? 0 : 1;
    too_far += std::fabs(static_cast<double>(from_fp16[i]) - value) <= fp16_bound ? 0 : 1;
  }
  CHECK(too_far == 0);
}

TEST_CASE("every bf16 and fp16 pattern survives the buffer round trip", "[reduced_float_buffers]") {
  std::vector<std::uint16_t> patterns(1U << 16);
  for (std::uint32_t i = 0; i < patterns.size(); ++i) patterns[i] = static_cast<std::uint16_t>(i);
  std::vector<float> wide(patterns.size());
  std::vector<std::uint16_t> back(patterns.size());
  int wrong = 0;
  accel::convert_bf16_to_float(patterns, wide);
  accel::convert_float_to_bf16(wide, back);
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    const bool nan = (patterns[i] & 0x7FFF) > 0x7F80;  // comes back quiet
    wrong += back[i] == (nan ? (patterns[i] | 0x0040) : patterns[i]) ? 0 : 1;
  }
  accel::convert_fp16_to_float(patterns, wide);
  accel::convert_float_to_fp16(wide, back);
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    const bool nan = (patterns[i] & 0x7FFF) > 0x7C00;
    wrong += back[i] == (nan ? (patterns[i] | 0x0200) : patterns[i]) ? 0 : 1;
  }
  CHECK(wrong == 0);
}
