// The portable conversion loops. GCC at -O2 vectorises only loops whose trip
// count is a known multiple of the vector width (its "very cheap" cost
// model), so each buffer is walked in fixed blocks of kBlock values, which
// vectorise, and the last count % kBlock values go through the same lanes
// one by one. The x86 AVX2 set is the very same source compiled with a
// target attribute, picked at run time by reduced_float_buffers.cpp.
#include <bit>

#include "runtime/reduced_float_kernels.hpp"
#include "runtime/reduced_float_lanes.hpp"

namespace accel::detail {

namespace {

// Two 256-bit vectors of fp32: enough to fill AVX2, small enough that the
// scalar remainder stays short.
constexpr std::size_t kBlock = 16;

#define ACCEL_ALWAYS_INLINE inline __attribute__((always_inline))

ACCEL_ALWAYS_INLINE void narrow_one(const float* src, std::uint16_t* dst, std::size_t i,
                                    bool to_bf16) {
  const auto bits = std::bit_cast<std::uint32_t>(src[i]);
  dst[i] = to_bf16 ? bf16_lane(bits) : fp16_lane(bits);
}

template <bool ToBf16>
ACCEL_ALWAYS_INLINE void narrow(const float* __restrict src, std::uint16_t* __restrict dst,
                                std::size_t count) {
  std::size_t i = 0;
  for (; i + kBlock <= count; i += kBlock) {
    for (std::size_t j = 0; j < kBlock; ++j) narrow_one(src, dst, i + j, ToBf16);
  }
  for (; i < count; ++i) narrow_one(src, dst, i, ToBf16);
}

ACCEL_ALWAYS_INLINE void widen_one(const std::uint16_t* src, float* dst, std::size_t i,
                                   bool from_bf16) {
  const std::uint32_t bits =
      from_bf16 ? bf16_to_float_bits_lane(src[i]) : fp16_to_float_bits_lane(src[i]);
  dst[i] = std::bit_cast<float>(bits);
}

template <bool FromBf16>
ACCEL_ALWAYS_INLINE void widen(const std::uint16_t* __restrict src, float* __restrict dst,
                               std::size_t count) {
  std::size_t i = 0;
  for (; i + kBlock <= count; i += kBlock) {
    for (std::size_t j = 0; j < kBlock; ++j) widen_one(src, dst, i + j, FromBf16);
  }
  for (; i < count; ++i) widen_one(src, dst, i, FromBf16);
}

void portable_float_to_bf16(const float* src, std::uint16_t* dst, std::size_t count) {
  narrow<true>(src, dst, count);
}
void portable_float_to_fp16(const float* src, std::uint16_t* dst, std::size_t count) {
  narrow<false>(src, dst, count);
}
void portable_bf16_to_float(const std::uint16_t* src, float* dst, std::size_t count) {
  widen<true>(src, dst, count);
}
void portable_fp16_to_float(const std::uint16_t* src, float* dst, std::size_t count) {
  widen<false>(src, dst, count);
}

#if defined(__x86_64__)
#define ACCEL_AVX2 __attribute__((target("avx2")))
ACCEL_AVX2 void avx2_float_to_bf16(const float* src, std::uint16_t* dst, std::size_t count) {
  narrow<true>(src, dst, count);
}
ACCEL_AVX2 void avx2_float_to_fp16(const float* src, std::uint16_t* dst, std::size_t count) {
  narrow<false>(src, dst, count);
}
ACCEL_AVX2 void avx2_bf16_to_float(const std::uint16_t* src, float* dst, std::size_t count) {
  widen<true>(src, dst, count);
}
ACCEL_AVX2 void avx2_fp16_to_float(const std::uint16_t* src, float* dst, std::size_t count) {
  widen<false>(src, dst, count);
}
#endif

}  // namespace

ConversionKernels portable_kernels() {
  return {"portable", portable_float_to_bf16, portable_float_to_fp16, portable_bf16_to_float,
          portable_fp16_to_float};
}

#if defined(__x86_64__)
ConversionKernels avx2_kernels() {
  return {"avx2", avx2_float_to_bf16, avx2_float_to_fp16, avx2_bf16_to_float, avx2_fp16_to_float};
}
#endif

}  // namespace accel::detail
