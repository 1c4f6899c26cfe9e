// The GPU conversion kernels' per-value arithmetic, run on the CPU: the
// lanes of runtime/cuda_reduced_float_lanes.cuh compiled by nvcc for the
// host, against the CPU reference. This runs on every machine with the
// toolkit; test_cuda_reduced_float.cpp runs the real kernels on a GPU.
#include <bit>
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "accel/reduced_float.hpp"
#include "cuda_lanes_on_host.hpp"
#include "reduced_float_inputs.hpp"

#if defined(NDEBUG) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#define ACCEL_TEST_EXHAUSTIVE 1
#endif

namespace {

using accel::testing::hex;

struct Mismatches {
  std::uint64_t count = 0;
  std::string first;
  void add(std::uint32_t input, std::uint32_t got, std::uint32_t want) {
    if (++count <= 5) first += " " + hex(input) + "->" + hex(got) + " (want " + hex(want) + ")";
  }
};

template <class Lanes, class Reference>
void compare_narrow(Lanes lanes, Reference reference, const std::vector<std::uint32_t>& inputs,
                    Mismatches& mismatches) {
  std::vector<std::uint16_t> got(inputs.size());
  lanes(inputs.data(), got.data(), inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const std::uint16_t want = reference(std::bit_cast<float>(inputs[i]));
    if (got[i] != want) mismatches.add(inputs[i], got[i], want);
  }
}

}  // namespace

TEST_CASE(
    "the GPU's fp32 -> bf16 lane matches the reference on every fp32 pattern (a sample in "
    "unoptimised builds)",
    "[cuda_lanes]") {
#if defined(ACCEL_TEST_EXHAUSTIVE)
  constexpr std::uint64_t kStride = 1;
#else
  constexpr std::uint64_t kStride = 23;  // prime: meets every residue of the dropped bits
#endif
  constexpr std::uint64_t kChunk = std::uint64_t{1} << 20;
  std::vector<std::uint32_t> inputs;
  Mismatches mismatches;
  for (std::uint64_t start = 0; start < (std::uint64_t{1} << 32); start += kChunk * kStride) {
    inputs.clear();
    for (std::uint64_t k = 0; k < kChunk && start + k * kStride < (std::uint64_t{1} << 32); ++k) {
      inputs.push_back(static_cast<std::uint32_t>(start + k * kStride));
    }
    compare_narrow(accel::testing::cuda_lanes_float_to_bf16, accel::float_to_bf16, inputs,
                   mismatches);
  }
  INFO(mismatches.first);
  CHECK(mismatches.count == 0);
}

TEST_CASE(
    "the GPU's fp32 -> fp16 lane matches the reference around every rounding decision and "
    "on the edge classes",
    "[cuda_lanes]") {
  Mismatches mismatches;
  compare_narrow(accel::testing::cuda_lanes_float_to_fp16, accel::float_to_fp16,
                 accel::testing::rounding_classes(13, 2), mismatches);
  compare_narrow(accel::testing::cuda_lanes_float_to_fp16, accel::float_to_fp16,
                 accel::testing::edge_classes(7, 1U << 20, 3), mismatches);
  INFO(mismatches.first);
  CHECK(mismatches.count == 0);
}

TEST_CASE("the GPU's bf16 / fp16 -> fp32 lanes match the reference on all 2^16 patterns",
          "[cuda_lanes]") {
  std::vector<std::uint16_t> inputs(1U << 16);
  for (std::uint32_t i = 0; i < inputs.size(); ++i) inputs[i] = static_cast<std::uint16_t>(i);
  std::vector<std::uint32_t> from_bf16(inputs.size());
  std::vector<std::uint32_t> from_fp16(inputs.size());
  accel::testing::cuda_lanes_bf16_to_float(inputs.data(), from_bf16.data(), inputs.size());
  accel::testing::cuda_lanes_fp16_to_float(inputs.data(), from_fp16.data(), inputs.size());
  Mismatches bf16;
  Mismatches fp16;
  for (std::uint32_t i = 0; i < inputs.size(); ++i) {
    const auto bits = static_cast<std::uint16_t>(i);
    const auto want_bf16 = std::bit_cast<std::uint32_t>(accel::bf16_to_float(bits));
    const auto want_fp16 = std::bit_cast<std::uint32_t>(accel::fp16_to_float(bits));
    if (from_bf16[i] != want_bf16) bf16.add(i, from_bf16[i], want_bf16);
    if (from_fp16[i] != want_fp16) fp16.add(i, from_fp16[i], want_fp16);
  }
  INFO("bf16:" << bf16.first << " fp16:" << fp16.first);
  CHECK(bf16.count == 0);
  CHECK(fp16.count == 0);
}
