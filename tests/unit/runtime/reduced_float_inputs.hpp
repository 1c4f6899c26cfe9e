// fp32 bit patterns that exercise every rule of the narrowing conversions
// (accel/reduced_float.hpp), shared by the CPU and GPU kernels' tests: patterns
// around every rounding decision, every mantissa of the exponents where
// fp16 changes regime, NaNs with payloads in the kept and dropped bits, and
// random ones.
#pragma once

#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace accel::testing {

inline std::string hex(std::uint32_t value) {
  std::ostringstream out;
  out << "0x" << std::hex << value;
  return out.str();
}

// For each value of the top 32 - dropped_bits bits, the dropped bits at 0,
// 1, half-1, half, half+1, all ones and one pseudo-random pattern.
inline std::vector<std::uint32_t> rounding_classes(unsigned dropped_bits, std::uint32_t seed) {
  const std::uint32_t half = 1U << (dropped_bits - 1);
  const std::uint32_t all = (1U << dropped_bits) - 1;
  std::mt19937 random(seed);
  std::vector<std::uint32_t> patterns;
  const std::uint64_t tops = std::uint64_t{1} << (32 - dropped_bits);
  patterns.reserve(tops * 7);
  for (std::uint64_t top = 0; top < tops; ++top) {
    const auto base = static_cast<std::uint32_t>(top << dropped_bits);
    for (const std::uint32_t low :
         {0U, 1U, half - 1, half, half + 1, all, static_cast<std::uint32_t>(random()) & all}) {
      patterns.push_back(base | low);
    }
  }
  return patterns;
}

// The edge classes: every `mantissa_step`-th mantissa of the exponents where
// bf16/fp16 change regime (fp32 zero/denormals, the last fp16 exponents that
// round to zero, fp16's denormal range ends, its smallest normal, its
// overflow boundary, bf16's overflow at 254, Inf/NaN), both signs; plus
// `random_count` random patterns.
inline std::vector<std::uint32_t> edge_classes(std::uint32_t mantissa_step,
                                               std::uint32_t random_count, std::uint32_t seed) {
  std::vector<std::uint32_t> patterns;
  std::mt19937 random(seed);
  for (std::uint32_t i = 0; i < random_count; ++i) {
    patterns.push_back(static_cast<std::uint32_t>(random()));
  }
  for (const std::uint32_t exponent :
       {0U, 1U, 101U, 102U, 103U, 112U, 113U, 142U, 143U, 254U, 255U}) {
    for (const std::uint32_t sign : {0U, 0x80000000U}) {
      for (std::uint32_t mantissa = 0; mantissa < (1U << 23); mantissa += mantissa_step) {
        patterns.push_back(sign | (exponent << 23) | mantissa);
      }
      patterns.push_back(sign | (exponent << 23) | 0x007FFFFFU);  // each exponent's last
    }
  }
  return patterns;
}

}  // namespace accel::testing
