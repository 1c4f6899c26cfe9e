// The conversions promise the same bits whatever the thread's floating-point
// environment says: another rounding mode, or FTZ/DAZ (which numerical
// libraries and -ffast-math start-up code switch on). Every kernel set runs
// under such an environment and is compared with the reference run under
// the default one.
#include <bit>
#include <catch2/catch.hpp>
#include <cfenv>
#include <cstdint>
#include <functional>
#include <vector>

#include "accel/reduced_float.hpp"
#include "runtime/reduced_float_kernels.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace {

using accel::detail::ConversionKernels;

struct Expected {
  std::vector<float> narrow_inputs;
  std::vector<std::uint16_t> bf16;
  std::vector<std::uint16_t> fp16;
  std::vector<std::uint16_t> halves;  // every 16-bit pattern
  std::vector<std::uint32_t> from_bf16;
  std::vector<std::uint32_t> from_fp16;
};

// The reference's answers, computed under the default environment: every
// fp16 step with its dropped bits at 0, half-1, half, half+1 and all ones.
Expected expected_answers() {
  Expected expected;
  for (std::uint32_t top = 0; top < (1U << 19); ++top) {
    for (const std::uint32_t low : {0U, 0x0FFFU, 0x1000U, 0x1001U, 0x1FFFU}) {
      expected.narrow_inputs.push_back(std::bit_cast<float>((top << 13) | low));
    }
  }
  for (const float value : expected.narrow_inputs) {
    expected.bf16.push_back(accel::float_to_bf16(value));
    expected.fp16.push_back(accel::float_to_fp16(value));
  }
  for (std::uint32_t pattern = 0; pattern <= 0xFFFF; ++pattern) {
    const auto half = static_cast<std::uint16_t>(pattern);
    expected.halves.push_back(half);
    expected.from_bf16.push_back(std::bit_cast<std::uint32_t>(accel::bf16_to_float(half)));
    expected.from_fp16.push_back(std::bit_cast<std::uint32_t>(accel::fp16_to_float(half)));
  }
  return expected;
}

// Runs every kernel set with `enter` applied and `leave` undoing it, and
// returns how many results differ from the expected ones.
int mismatches_under(const std::function<void()>& enter, const std::function<void()>& leave) {
  const Expected expected = expected_answers();
  int wrong = 0;
  for (const ConversionKernels& set : accel::detail::runnable_conversion_kernels()) {
    const std::size_t narrow_count = expected.narrow_inputs.size();
    const std::size_t wide_count = expected.halves.size();
    std::vector<std::uint16_t> bf16(narrow_count);
    std::vector<std::uint16_t> fp16(narrow_count);
    std::vector<float> from_bf16(wide_count);
    std::vector<float> from_fp16(wide_count);
    enter();
    set.float_to_bf16(expected.narrow_inputs.data(), bf16.data(), narrow_count);
    set.float_to_fp16(expected.narrow_inputs.data(), fp16.data(), narrow_count);
    set.bf16_to_float(expected.halves.data(), from_bf16.data(), wide_count);
    set.fp16_to_float(expected.halves.data(), from_fp16.data(), wide_count);
    leave();
    int set_wrong = 0;
    for (std::size_t i = 0; i < narrow_count; ++i) {
      set_wrong += bf16[i] == expected.bf16[i] ? 0 : 1;
      set_wrong += fp16[i] == expected.fp16[i] ? 0 : 1;
    }
    for (std::size_t i = 0; i < wide_count; ++i) {
      set_wrong += std::bit_cast<std::uint32_t>(from_bf16[i]) == expected.from_bf16[i] ? 0 : 1;
      set_wrong += std::bit_cast<std::uint32_t>(from_fp16[i]) == expected.from_fp16[i] ? 0 : 1;
    }
    if (set_wrong != 0) UNSCOPED_INFO(set.name << ": " << set_wrong << " results differ");
    wrong += set_wrong;
  }
  return wrong;
}

}  // namespace

TEST_CASE("the kernels give the same bits under every rounding mode",
          "[reduced_float_fp_environment]") {
  for (const int mode : {FE_TOWARDZERO, FE_UPWARD, FE_DOWNWARD}) {
    INFO("rounding mode " << mode);
    const int before = std::fegetround();
    CHECK(mismatches_under([mode] { REQUIRE(std::fesetround(mode) == 0); },
                           [before] { REQUIRE(std::fesetround(before) == 0); }) == 0);
  }
}

#if defined(__x86_64__)
TEST_CASE("the kernels give the same bits with FTZ and DAZ on", "[reduced_float_fp_environment]") {
  constexpr unsigned kFlushToZero = 0x8000;
  constexpr unsigned kDenormalsAreZero = 0x0040;
  const unsigned before = _mm_getcsr();
  CHECK(mismatches_under([before] { _mm_setcsr(before | kFlushToZero | kDenormalsAreZero); },
                         [before] { _mm_setcsr(before); }) == 0);
}
#endif
