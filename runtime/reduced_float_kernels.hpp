// The bulk conversion kernels behind accel/reduced_float_buffers.hpp, one set
// per instruction set, and which of them this CPU can run. Internal to
// libaccel; the unit tests and the benchmark run every runnable set, not
// only the one the public functions picked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace accel::detail {

using NarrowKernel = void (*)(const float* src, std::uint16_t* dst, std::size_t count);
using WidenKernel = void (*)(const std::uint16_t* src, float* dst, std::size_t count);

struct ConversionKernels {
  std::string_view name;
  NarrowKernel float_to_bf16;
  NarrowKernel float_to_fp16;
  WidenKernel bf16_to_float;
  WidenKernel fp16_to_float;
};

// The branch-free lanes of reduced_float_lanes.hpp in loops the compiler
// vectorises for the baseline instruction set (SSE2 on x86-64). Runs anywhere.
ConversionKernels portable_kernels();

#if defined(__x86_64__)
// The same loops compiled for AVX2 (needs avx2).
ConversionKernels avx2_kernels();
// fp16 through the F16C instructions (needs avx and f16c): exact round to
// nearest even, and the same NaN rules as the reference.
void f16c_float_to_fp16(const float* src, std::uint16_t* dst, std::size_t count);
void f16c_fp16_to_float(const std::uint16_t* src, float* dst, std::size_t count);
#endif

// Every set this CPU can run, fastest first; the portable set is last.
std::vector<ConversionKernels> runnable_conversion_kernels();

}  // namespace accel::detail
