#include "runtime/reduce_kernels.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "accel/reduced_float_buffers.hpp"

namespace accel::runtime_detail {

namespace {

// Elements per block: the sources' blocks and the accumulator stay in L1
// while every source is folded in, so each source is read once from memory.
constexpr std::size_t kBlock = 2048;

template <typename T>
T combine(T a, T b, ReduceOp op) {
  switch (op) {
    case ReduceOp::kSum:
      if constexpr (std::is_integral_v<T>) {
        // Wrap like torch instead of overflowing into undefined behaviour.
        using Unsigned = std::make_unsigned_t<T>;
        return static_cast<T>(static_cast<Unsigned>(a) + static_cast<Unsigned>(b));
      } else {
        return a + b;
      }
    case ReduceOp::kMin:
      if constexpr (std::is_floating_point_v<T>) {
        return (a < b || std::isnan(a)) ? a : b;  // NaN wins
      } else {
        return a < b ? a : b;
      }
    case ReduceOp::kMax:
      if constexpr (std::is_floating_point_v<T>) {
        return (a > b || std::isnan(a)) ? a : b;
      } else {
        return a > b ? a : b;
      }
    case ReduceOp::kAvg: break;
  }
  return a;
}

// acc[i] = combine(acc[i], src[i]) over one block, one op per loop so the
// compiler vectorises each (this file is built with -O3).
template <typename T>
void fold(T* __restrict acc, const T* __restrict src, std::size_t n, ReduceOp op) {
  switch (op) {
    case ReduceOp::kSum:
      for (std::size_t i = 0; i < n; ++i) acc[i] = combine(acc[i], src[i], ReduceOp::kSum);
      return;
    case ReduceOp::kMin:
      for (std::size_t i = 0; i < n; ++i) acc[i] = combine(acc[i], src[i], ReduceOp::kMin);
      return;
    case ReduceOp::kMax:
      for (std::size_t i = 0; i < n; ++i) acc[i] = combine(acc[i], src[i], ReduceOp::kMax);
      return;
    case ReduceOp::kAvg: return;
  }
}

template <typename T>
void reduce_native(T* dst, std::span<const void* const> sources, std::size_t count, ReduceOp op) {
  std::array<T, kBlock> acc;
  for (std::size_t start = 0; start < count; start += kBlock) {
    const std::size_t n = std::min(kBlock, count - start);
    const T* first = static_cast<const T*>(sources[0]) + start;
    std::copy(first, first + n, acc.data());
    for (std::size_t k = 1; k < sources.size(); ++k) {
      fold(acc.data(), static_cast<const T*>(sources[k]) + start, n, op);
    }
    std::copy(acc.data(), acc.data() + n, dst + start);
  }
}

using WidenFn = void (*)(const std::uint16_t*, float*, std::size_t);
using NarrowFn = void (*)(const float*, std::uint16_t*, std::size_t);

void reduce_reduced(std::uint16_t* dst, std::span<const void* const> sources, std::size_t count,
                    ReduceOp op, WidenFn widen, NarrowFn narrow) {
  std::array<float, kBlock> acc;
  std::array<float, kBlock> wide;
  for (std::size_t start = 0; start < count; start += kBlock) {
    const std::size_t n = std::min(kBlock, count - start);
    widen(static_cast<const std::uint16_t*>(sources[0]) + start, acc.data(), n);
    for (std::size_t k = 1; k < sources.size(); ++k) {
      widen(static_cast<const std::uint16_t*>(sources[k]) + start, wide.data(), n);
      fold(acc.data(), wide.data(), n, op);
    }
    narrow(acc.data(), dst + start, n);
  }
}

template <typename T>
void divide_native(T* buffer, std::size_t count, int divisor) {
  const T by = static_cast<T>(divisor);
  for (std::size_t i = 0; i < count; ++i) buffer[i] = buffer[i] / by;
}

void divide_reduced(std::uint16_t* buffer, std::size_t count, int divisor, WidenFn widen,
                    NarrowFn narrow) {
  std::array<float, kBlock> wide;
  for (std::size_t start = 0; start < count; start += kBlock) {
    const std::size_t n = std::min(kBlock, count - start);
    widen(buffer + start, wide.data(), n);
    divide_native(wide.data(), n, divisor);
    narrow(wide.data(), buffer + start, n);
  }
}

}  // namespace

void reduce_elements(void* dst, std::span<const void* const> sources, std::size_t count,
                     DataType type, ReduceOp op) {
  if (op == ReduceOp::kAvg) {
    throw std::invalid_argument("reduce_elements takes sum, min or max; avg is a sum divided");
  }
  if (count == 0) return;
  if (sources.empty()) throw std::invalid_argument("reduce_elements needs at least one source");
  switch (type) {
    case DataType::kFloat32: return reduce_native(static_cast<float*>(dst), sources, count, op);
    case DataType::kFloat64: return reduce_native(static_cast<double*>(dst), sources, count, op);
    case DataType::kInt32:
      return reduce_native(static_cast<std::int32_t*>(dst), sources, count, op);
    case DataType::kInt64:
      return reduce_native(static_cast<std::int64_t*>(dst), sources, count, op);
    case DataType::kFloat16:
      return reduce_reduced(static_cast<std::uint16_t*>(dst), sources, count, op,
                            convert_fp16_to_float, convert_float_to_fp16);
    case DataType::kBFloat16:
      return reduce_reduced(static_cast<std::uint16_t*>(dst), sources, count, op,
                            convert_bf16_to_float, convert_float_to_bf16);
  }
}

void divide_elements(void* buffer, std::size_t count, DataType type, int divisor) {
  if (divisor <= 0) {
    throw std::invalid_argument("divide_elements by " + std::to_string(divisor) +
                                ": the divisor is a process count, at least 1");
  }
  if (divisor == 1) return;
  switch (type) {
    case DataType::kFloat32: return divide_native(static_cast<float*>(buffer), count, divisor);
    case DataType::kFloat64: return divide_native(static_cast<double*>(buffer), count, divisor);
    case DataType::kInt32: return divide_native(static_cast<std::int32_t*>(buffer), count, divisor);
    case DataType::kInt64: return divide_native(static_cast<std::int64_t*>(buffer), count, divisor);
    case DataType::kFloat16:
      return divide_reduced(static_cast<std::uint16_t*>(buffer), count, divisor,
                            convert_fp16_to_float, convert_float_to_fp16);
    case DataType::kBFloat16:
      return divide_reduced(static_cast<std::uint16_t*>(buffer), count, divisor,
                            convert_bf16_to_float, convert_float_to_bf16);
  }
}

}  // namespace accel::runtime_detail
