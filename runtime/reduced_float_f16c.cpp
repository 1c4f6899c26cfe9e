// fp16 conversion with x86's F16C instructions, eight values at a time.
// vcvtps2ph with rounding control 0 rounds to nearest even whatever MXCSR
// says, produces fp16 denormals even with FTZ on, and turns a NaN into a
// quiet NaN keeping its sign and top payload bits: all as the reference.
// vcvtph2ps is exact and quiets NaN the same way. The last count % 8 values
// go through a padded block so they take the same path. The unit tests run
// these against the reference, under every rounding mode and FTZ/DAZ too.
#if defined(__x86_64__)

#include <immintrin.h>

#include <algorithm>
#include <array>

#include "runtime/reduced_float_kernels.hpp"

namespace accel::detail {

namespace {
constexpr std::size_t kLanes = 8;
}  // namespace

__attribute__((target("avx,f16c"))) void f16c_float_to_fp16(const float* src, std::uint16_t* dst,
                                                            std::size_t count) {
  std::size_t i = 0;
  for (; i + kLanes <= count; i += kLanes) {
    const __m256 values = _mm256_loadu_ps(src + i);
    const __m128i halves = _mm256_cvtps_ph(values, _MM_FROUND_TO_NEAREST_INT);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), halves);
  }
  if (i == count) return;
  std::array<float, kLanes> tail{};
  std::array<std::uint16_t, kLanes> tail_out{};
  std::copy(src + i, src + count, tail.begin());
  const __m128i halves = _mm256_cvtps_ph(_mm256_loadu_ps(tail.data()), _MM_FROUND_TO_NEAREST_INT);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(tail_out.data()), halves);
  std::copy_n(tail_out.begin(), count - i, dst + i);
}

__attribute__((target("avx,f16c"))) void f16c_fp16_to_float(const std::uint16_t* src, float* dst,
                                                            std::size_t count) {
  std::size_t i = 0;
  for (; i + kLanes <= count; i += kLanes) {
    const __m128i halves = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
    _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(halves));
  }
  if (i == count) return;
  std::array<std::uint16_t, kLanes> tail{};
  std::array<float, kLanes> tail_out{};
  std::copy(src + i, src + count, tail.begin());
  const __m128i halves = _mm_loadu_si128(reinterpret_cast<const __m128i*>(tail.data()));
  _mm256_storeu_ps(tail_out.data(), _mm256_cvtph_ps(halves));
  std::copy_n(tail_out.begin(), count - i, dst + i);
}

}  // namespace accel::detail

#endif
