// fp32 <-> bf16 / fp16 over whole buffers, for casting weights, gradients and
// activations. Each converter gives bit for bit the result of the one-value
// reference in accel/reduced_float.hpp (same rounding, Inf, NaN and denormal
// rules), for any length, 0 included.
//
// Speed: the CPU is asked once, at the first call, which kernel it can run:
// F16C (hardware fp16 conversion, exact round-to-nearest-even) and AVX2 on
// x86-64 where present, else code the compiler vectorises for the baseline
// instruction set. conversion_kernel_name() says which one was chosen.
//
// Buffers: `count` values are read from src and written to dst; the two must
// not overlap. The span overloads throw std::invalid_argument when the sizes
// differ. Thread-safety: none needed; calls on distinct buffers may run in
// parallel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace accel {

void convert_float_to_bf16(const float* src, std::uint16_t* dst, std::size_t count);
void convert_float_to_fp16(const float* src, std::uint16_t* dst, std::size_t count);
void convert_bf16_to_float(const std::uint16_t* src, float* dst, std::size_t count);
void convert_fp16_to_float(const std::uint16_t* src, float* dst, std::size_t count);

void convert_float_to_bf16(std::span<const float> src, std::span<std::uint16_t> dst);
void convert_float_to_fp16(std::span<const float> src, std::span<std::uint16_t> dst);
void convert_bf16_to_float(std::span<const std::uint16_t> src, std::span<float> dst);
void convert_fp16_to_float(std::span<const std::uint16_t> src, std::span<float> dst);

// "avx2+f16c", "avx2" or "portable": the kernels the converters above use.
std::string_view conversion_kernel_name();

}  // namespace accel
