// The public bulk converters: pick the fastest kernel set once, then forward.
#include "accel/reduced_float_buffers.hpp"

#include <stdexcept>
#include <string>

#include "runtime/reduced_float_kernels.hpp"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace accel {

namespace detail {

namespace {

#if defined(__x86_64__)
// CPUID leaf 1, ECX bit 29. Asked directly: clang's __builtin_cpu_supports
// does not know "f16c". Only consulted once AVX2 is known to be usable,
// which also means the OS saves the AVX registers F16C works in.
bool cpu_has_f16c() {
  unsigned eax = 0;
  unsigned ebx = 0;
  unsigned ecx = 0;
  unsigned edx = 0;
  if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0) return false;
  return (ecx & bit_F16C) != 0;
}
#endif

}  // namespace

std::vector<ConversionKernels> runnable_conversion_kernels() {
  std::vector<ConversionKernels> sets;
#if defined(__x86_64__)
  // __builtin_cpu_supports also checks that the kernel saves the AVX
  // registers (XCR0), not only the CPUID bit.
  if (__builtin_cpu_supports("avx2")) {
    ConversionKernels avx2 = avx2_kernels();
    if (cpu_has_f16c()) {
      ConversionKernels f16c = avx2;
      f16c.name = "avx2+f16c";
      f16c.float_to_fp16 = f16c_float_to_fp16;
      f16c.fp16_to_float = f16c_fp16_to_float;
      sets.push_back(f16c);
    }
    sets.push_back(avx2);
  }
#endif
  sets.push_back(portable_kernels());
  return sets;
}

}  // namespace detail

namespace {

const detail::ConversionKernels& selected() {
  // Initialised once, thread-safely, at the first conversion.
  static const detail::ConversionKernels kernels = detail::runnable_conversion_kernels().front();
  return kernels;
}

void require_same_size(std::size_t src, std::size_t dst, const char* function) {
  if (src != dst) {
    throw std::invalid_argument(std::string(function) + ": the source holds " +
                                std::to_string(src) + " values but the destination " +
                                std::to_string(dst) + "; pass buffers of the same length");
  }
}

}  // namespace

void convert_float_to_bf16(const float* src, std::uint16_t* dst, std::size_t count) {
  selected().float_to_bf16(src, dst, count);
}
void convert_float_to_fp16(const float* src, std::uint16_t* dst, std::size_t count) {
  selected().float_to_fp16(src, dst, count);
}
void convert_bf16_to_float(const std::uint16_t* src, float* dst, std::size_t count) {
  selected().bf16_to_float(src, dst, count);
}
void convert_fp16_to_float(const std::uint16_t* src, float* dst, std::size_t count) {
  selected().fp16_to_float(src, dst, count);
}

void convert_float_to_bf16(std::span<const float> src, std::span<std::uint16_t> dst) {
  require_same_size(src.size(), dst.size(), "convert_float_to_bf16");
  convert_float_to_bf16(src.data(), dst.data(), src.size());
}
void convert_float_to_fp16(std::span<const float> src, std::span<std::uint16_t> dst) {
  require_same_size(src.size(), dst.size(), "convert_float_to_fp16");
  convert_float_to_fp16(src.data(), dst.data(), src.size());
}
void convert_bf16_to_float(std::span<const std::uint16_t> src, std::span<float> dst) {
  require_same_size(src.size(), dst.size(), "convert_bf16_to_float");
  convert_bf16_to_float(src.data(), dst.data(), src.size());
}
void convert_fp16_to_float(std::span<const std::uint16_t> src, std::span<float> dst) {
  require_same_size(src.size(), dst.size(), "convert_fp16_to_float");
  convert_fp16_to_float(src.data(), dst.data(), src.size());
}

std::string_view conversion_kernel_name() {
  return selected().name;
}

}  // namespace accel
