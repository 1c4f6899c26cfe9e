// The GPU conversion kernels (accel/cuda_reduced_float.hpp) against the CPU
// reference, bit for bit: the edge classes and a large sample in the
// narrowing direction, all 2^16 patterns in the widening one, every length
// that reaches a different tail or the scalar path, misaligned buffers, and
// nothing written past the end. They skip without a CUDA device.
#include <bit>
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "accel/cuda_reduced_float.hpp"
#include "accel/reduced_float.hpp"
#include "cuda_test_support.hpp"
#include "reduced_float_inputs.hpp"

namespace {

using accel::testing::DeviceArray;
using accel::testing::hex;

enum class Format { kBf16, kFp16 };

std::uint16_t reference_narrow(Format format, std::uint32_t bits) {
  const float value = std::bit_cast<float>(bits);
  return format == Format::kBf16 ? accel::float_to_bf16(value) : accel::float_to_fp16(value);
}
std::uint32_t reference_widen(Format format, std::uint16_t bits) {
  return std::bit_cast<std::uint32_t>(format == Format::kBf16 ? accel::bf16_to_float(bits)
                                                              : accel::fp16_to_float(bits));
}

void device_narrow(Format format, const float* src, std::uint16_t* dst, std::size_t count,
                   cudaStream_t stream = nullptr) {
  if (format == Format::kBf16) {
    accel::cuda::float_to_bf16(src, dst, count, stream);
  } else {
    accel::cuda::float_to_fp16(src, dst, count, stream);
  }
}
void device_widen(Format format, const std::uint16_t* src, float* dst, std::size_t count,
                  cudaStream_t stream = nullptr) {
  if (format == Format::kBf16) {
    accel::cuda::bf16_to_float(src, dst, count, stream);
  } else {
    accel::cuda::fp16_to_float(src, dst, count, stream);
  }
}

constexpr std::uint16_t kGuard16 = 0xA5A5;
const float kGuard32 = std::bit_cast<float>(0xA5A5A5A5U);

// Narrows `inputs` (fp32 bit patterns) on the device at the given element
// offsets; returns a description of the first mismatches ("" when none),
// guard values included.
std::string check_narrow(Format format, const std::vector<std::uint32_t>& inputs,
                         std::size_t src_offset = 0, std::size_t dst_offset = 0) {
  std::vector<float> values(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) values[i] = std::bit_cast<float>(inputs[i]);
  DeviceArray<float> src(values.size(), src_offset);
  DeviceArray<std::uint16_t> dst(values.size(), dst_offset);
  src.upload(values);
  dst.fill(kGuard16);
  device_narrow(format, src.data(), dst.data(), values.size());
  const std::vector<std::uint16_t> got = dst.download_with_guard();
  std::string mismatches;
  int shown = 0;
  for (std::size_t i = 0; i < got.size() && shown < 5; ++i) {
    const std::uint16_t want = i < inputs.size() ? reference_narrow(format, inputs[i]) : kGuard16;
    if (got[i] == want) continue;
    ++shown;
    mismatches += " [" + std::to_string(i) + "] " +
                  (i < inputs.size() ? hex(inputs[i]) : std::string("guard")) + "->" + hex(got[i]) +
                  " (want " + hex(want) + ")";
  }
  return mismatches;
}

std::string check_widen(Format format, const std::vector<std::uint16_t>& inputs,
                        std::size_t src_offset = 0, std::size_t dst_offset = 0) {
  DeviceArray<std::uint16_t> src(inputs.size(), src_offset);
  DeviceArray<float> dst(inputs.size(), dst_offset);
  src.upload(inputs);
  dst.fill(kGuard32);
  device_widen(format, src.data(), dst.data(), inputs.size());
  const std::vector<float> got = dst.download_with_guard();
  std::string mismatches;
  int shown = 0;
  for (std::size_t i = 0; i < got.size() && shown < 5; ++i) {
    const std::uint32_t want = i < inputs.size() ? reference_widen(format, inputs[i])
                                                 : std::bit_cast<std::uint32_t>(kGuard32);
    const auto bits = std::bit_cast<std::uint32_t>(got[i]);
    if (bits == want) continue;
    ++shown;
    mismatches += " [" + std::to_string(i) + "] " +
                  (i < inputs.size() ? hex(inputs[i]) : std::string("guard")) + "->" + hex(bits) +
                  " (want " + hex(want) + ")";
  }
  return mismatches;
}

// Random fp32 values of ordinary magnitude with NaN (with payloads), Inf,
// denormals and fp16-overflowing values planted every few positions.
std::vector<std::uint32_t> planted_inputs(std::size_t count, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::normal_distribution<float> normal(0.0F, 100.0F);
  const std::uint32_t planted[] = {0x7FC00000U, 0xFFC00001U, 0x7F800001U, 0x7FBFFFFFU,
                                   0x7F800000U, 0xFF800000U, 0x00000001U, 0x807FFFFFU,
                                   0x477FF000U, 0x477FEFFFU, 0x7F7FFFFFU, 0x33000000U};
  std::vector<std::uint32_t> inputs(count);
  for (std::size_t i = 0; i < count; ++i) {
    inputs[i] = random() % 7 == 0 ? planted[random() % std::size(planted)]
                                  : std::bit_cast<std::uint32_t>(normal(random));
  }
  return inputs;
}

// Lengths around every tail of the 8-value vectors and the grid, and a
// large one that is not a multiple of anything.
const std::size_t kLengths[] = {0,    1,    2,    3,    7,     8,     9,        15,
                                16,   17,   31,   33,   255,   256,   257,      2047,
                                2048, 2049, 4095, 4097, 65535, 65537, 1U << 20, (1U << 20) + 13};

}  // namespace

TEST_CASE(
    "GPU fp32 -> bf16 / fp16 matches the CPU reference on the edge classes and around "
    "every rounding decision",
    "[cuda_reduced_float][gpu]") {
  accel::testing::require_cuda_device();
  const std::vector<std::uint32_t> rounding = accel::testing::rounding_classes(13, 5);
  const std::vector<std::uint32_t> edges = accel::testing::edge_classes(5, 1U << 22, 6);
  for (const Format format : {Format::kBf16, Format::kFp16}) {
    INFO((format == Format::kBf16 ? "bf16" : "fp16"));
    CHECK(check_narrow(format, rounding).empty());
    CHECK(check_narrow(format, edges).empty());
  }
  // bf16 drops 16 bits: its own rounding classes.
  CHECK(check_narrow(Format::kBf16, accel::testing::rounding_classes(16, 7)).empty());
}

TEST_CASE("GPU bf16 / fp16 -> fp32 matches the CPU reference on all 2^16 patterns",
          "[cuda_reduced_float][gpu]") {
  accel::testing::require_cuda_device();
  std::vector<std::uint16_t> all(1U << 16);
  for (std::uint32_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint16_t>(i);
  CHECK(check_widen(Format::kBf16, all).empty());
  CHECK(check_widen(Format::kFp16, all).empty());
}

TEST_CASE(
    "GPU conversions handle every tail length and misaligned buffers, writing nothing "
    "past the end",
    "[cuda_reduced_float][gpu]") {
  accel::testing::require_cuda_device();
  std::uint32_t seed = 10;
  for (const std::size_t length : kLengths) {
    const std::vector<std::uint32_t> inputs = planted_inputs(length, ++seed);
    std::vector<std::uint16_t> halves(length);
    std::mt19937 random(seed);
    for (auto& half : halves) half = static_cast<std::uint16_t>(random());
    // Element offsets: both aligned, each misaligned, both misaligned alike.
    for (const auto& [src_offset, dst_offset] :
         {std::pair<std::size_t, std::size_t>{0, 0}, {1, 0}, {0, 1}, {3, 3}}) {
      for (const Format format : {Format::kBf16, Format::kFp16}) {
        INFO("length " << length << ", offsets " << src_offset << "/" << dst_offset << ", "
                       << (format == Format::kBf16 ? "bf16" : "fp16"));
        CHECK(check_narrow(format, inputs, src_offset, dst_offset).empty());
        CHECK(check_widen(format, halves, src_offset, dst_offset).empty());
      }
    }
  }
}

TEST_CASE("GPU conversions run on the given stream", "[cuda_reduced_float][gpu]") {
  accel::testing::require_cuda_device();
  cudaStream_t stream = nullptr;
  accel::testing::require_cuda(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking),
                               "cudaStreamCreateWithFlags");
  const std::vector<std::uint32_t> inputs = planted_inputs((1U << 20) + 5, 99);
  std::vector<float> values(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) values[i] = std::bit_cast<float>(inputs[i]);
  DeviceArray<float> src(values.size());
  DeviceArray<std::uint16_t> half(values.size());
  DeviceArray<float> back(values.size());
  src.upload(values);
  accel::cuda::float_to_bf16(src.data(), half.data(), values.size(), stream);
  accel::cuda::bf16_to_float(half.data(), back.data(), values.size(), stream);
  accel::testing::require_cuda(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
  const std::vector<float> got = back.download();
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const float want = accel::bf16_to_float(accel::float_to_bf16(values[i]));
    mismatches += std::bit_cast<std::uint32_t>(got[i]) != std::bit_cast<std::uint32_t>(want);
  }
  CHECK(mismatches == 0);
  static_cast<void>(cudaStreamDestroy(stream));
}
