#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "accel/reduced_float.hpp"
#include "runtime/reduce_kernels.hpp"

using accel::DataType;
using accel::ReduceOp;
using accel::runtime_detail::divide_elements;
using accel::runtime_detail::reduce_elements;

namespace {

template <typename T>
std::vector<T> reduce_of(const std::vector<std::vector<T>>& sources, DataType type, ReduceOp op) {
  std::vector<const void*> pointers;
  for (const auto& source : sources) pointers.push_back(source.data());
  std::vector<T> out(sources.front().size());
  reduce_elements(out.data(), pointers, out.size(), type, op);
  return out;
}

}  // namespace

TEST_CASE(
    "reduce_elements: sum, min and max of fp32 across sources, every length around the "
    "block size",
    "[runtime][reduce]") {
  std::mt19937 random(7);
  std::uniform_real_distribution<float> value(-100.0F, 100.0F);
  for (const std::size_t count : {0UL, 1UL, 7UL, 2047UL, 2048UL, 2049UL, 10001UL}) {
    std::vector<std::vector<float>> sources(3, std::vector<float>(count));
    for (auto& source : sources) {
      for (float& v : source) v = value(random);
    }
    const auto sum = reduce_of(sources, DataType::kFloat32, ReduceOp::kSum);
    const auto low = reduce_of(sources, DataType::kFloat32, ReduceOp::kMin);
    const auto high = reduce_of(sources, DataType::kFloat32, ReduceOp::kMax);
    for (std::size_t i = 0; i < count; ++i) {
      CHECK(sum[i] == (sources[0][i] + sources[1][i]) + sources[2][i]);
      CHECK(low[i] == std::min({sources[0][i], sources[1][i], sources[2][i]}));
      CHECK(high[i] == std::max({sources[0][i], sources[1][i], sources[2][i]}));
    }
  }
}

TEST_CASE("reduce_elements: NaN wins min and max wherever it is", "[runtime][reduce]") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<std::vector<float>> sources{{nan, 1.0F, 1.0F}, {1.0F, nan, 2.0F}};
  const auto low = reduce_of(sources, DataType::kFloat32, ReduceOp::kMin);
  const auto high = reduce_of(sources, DataType::kFloat32, ReduceOp::kMax);
  CHECK(std::isnan(low[0]));
  CHECK(std::isnan(low[1]));
  CHECK(low[2] == 1.0F);
  CHECK(std::isnan(high[0]));
  CHECK(std::isnan(high[1]));
  CHECK(high[2] == 2.0F);
}

TEST_CASE("reduce_elements: integer sums wrap, min and max are exact", "[runtime][reduce]") {
  const std::int64_t top = std::numeric_limits<std::int64_t>::max();
  const std::vector<std::vector<std::int64_t>> sources{{top, -5, 3}, {1, 4, -3}};
  const auto sum = reduce_of(sources, DataType::kInt64, ReduceOp::kSum);
  CHECK(sum == std::vector<std::int64_t>{std::numeric_limits<std::int64_t>::min(), -1, 0});
  CHECK(reduce_of(sources, DataType::kInt64, ReduceOp::kMin) ==
        std::vector<std::int64_t>{1, -5, -3});
  const std::vector<std::vector<std::int32_t>> small{{1, 2}, {3, -4}, {5, 6}};
  CHECK(reduce_of(small, DataType::kInt32, ReduceOp::kSum) == std::vector<std::int32_t>{9, 4});
  CHECK(reduce_of(small, DataType::kInt32, ReduceOp::kMax) == std::vector<std::int32_t>{5, 6});
}

TEST_CASE("reduce_elements: bf16 and fp16 sum in fp32 and round once", "[runtime][reduce]") {
  // 1 + 2^-8 + 2^-8 in bf16 (7 stored mantissa bits, an ulp of 2^-7 at 1):
  // rounding after each add gives 1 (each 2^-8 is half an ulp, ties to
  // even); fp32 accumulation gives 1 + 2^-7, exactly representable.
  const std::uint16_t one = accel::float_to_bf16(1.0F);
  const std::uint16_t tiny = accel::float_to_bf16(std::ldexp(1.0F, -8));
  const std::vector<std::vector<std::uint16_t>> sources{{one}, {tiny}, {tiny}};
  const auto sum = reduce_of(sources, DataType::kBFloat16, ReduceOp::kSum);
  CHECK(accel::bf16_to_float(sum[0]) == 1.0F + std::ldexp(1.0F, -7));

  const std::uint16_t half_one = accel::float_to_fp16(1.0F);
  const std::uint16_t half_tiny = accel::float_to_fp16(std::ldexp(1.0F, -11));
  const std::vector<std::vector<std::uint16_t>> halves{{half_one}, {half_tiny}, {half_tiny}};
  const auto half_sum = reduce_of(halves, DataType::kFloat16, ReduceOp::kSum);
  CHECK(accel::fp16_to_float(half_sum[0]) == 1.0F + std::ldexp(1.0F, -10));
  const auto half_max = reduce_of(halves, DataType::kFloat16, ReduceOp::kMax);
  CHECK(half_max[0] == half_one);
}

TEST_CASE("reduce_elements: the destination may be one of the sources", "[runtime][reduce]") {
  std::vector<double> a{1.0, 2.0, 3.0};
  const std::vector<double> b{10.0, 20.0, 30.0};
  const std::vector<const void*> sources{b.data(), a.data()};
  reduce_elements(a.data(), sources, a.size(), DataType::kFloat64, ReduceOp::kSum);
  CHECK(a == std::vector<double>{11.0, 22.0, 33.0});
}

TEST_CASE("reduce_elements and divide_elements refuse what they cannot do", "[runtime][reduce]") {
  std::vector<float> a{1.0F};
  const std::vector<const void*> sources{a.data()};
  CHECK_THROWS_AS(reduce_elements(a.data(), sources, 1, DataType::kFloat32, ReduceOp::kAvg),
                  std::invalid_argument);
  CHECK_THROWS_AS(reduce_elements(a.data(), {}, 1, DataType::kFloat32, ReduceOp::kSum),
                  std::invalid_argument);
  CHECK_THROWS_AS(divide_elements(a.data(), 1, DataType::kFloat32, 0), std::invalid_argument);
}

TEST_CASE("divide_elements: averages per type", "[runtime][reduce]") {
  std::vector<float> f{3.0F, -3.0F};
  divide_elements(f.data(), f.size(), DataType::kFloat32, 2);
  CHECK(f == std::vector<float>{1.5F, -1.5F});
  std::vector<std::int32_t> i{7, -7};
  divide_elements(i.data(), i.size(), DataType::kInt32, 2);
  CHECK(i == std::vector<std::int32_t>{3, -3});
  std::vector<std::uint16_t> b{accel::float_to_bf16(3.0F)};
  divide_elements(b.data(), b.size(), DataType::kBFloat16, 4);
  CHECK(accel::bf16_to_float(b[0]) == 0.75F);
}
