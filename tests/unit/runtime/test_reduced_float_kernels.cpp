// Every bulk kernel set this CPU can run (not only the one the public
// functions pick) against the one-value reference: fp32 -> bf16 over every
// fp32 bit pattern, fp32 -> fp16 over a large sample and every edge class,
// the widening ones over every 16-bit pattern.
#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "accel/reduced_float.hpp"
#include "reduced_float_inputs.hpp"
#include "runtime/reduced_float_kernels.hpp"

// Optimised builds check all 2^32 fp32 patterns (seconds). Debug and
// sanitizer builds (tests/run_all.sh runs ASan+UBSan on a Debug build) are
// 20-50 times slower, so they check a sample instead, and say so in the
// test's name rather than passing as if they had checked everything.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define ACCEL_TEST_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ACCEL_TEST_SANITIZED 1
#endif
#if defined(NDEBUG) && !defined(ACCEL_TEST_SANITIZED)
#define ACCEL_TEST_EXHAUSTIVE 1
#endif

namespace {

using accel::detail::ConversionKernels;
using accel::detail::runnable_conversion_kernels;
using accel::testing::hex;
using accel::testing::rounding_classes;

// Runs `narrow` over `inputs` (fp32 bit patterns) and compares each result
// with `reference`. Returns a description of the first few mismatches.
struct Mismatches {
  std::uint64_t count = 0;
  std::string first;
};

template <class Reference>
void compare_narrow(accel::detail::NarrowKernel narrow, Reference reference,
                    const std::vector<std::uint32_t>& inputs, Mismatches& mismatches) {
  std::vector<float> values(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) values[i] = std::bit_cast<float>(inputs[i]);
  std::vector<std::uint16_t> out(inputs.size());
  narrow(values.data(), out.data(), values.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const std::uint16_t want = reference(values[i]);
    if (out[i] == want) continue;
    if (++mismatches.count <= 5) {
      mismatches.first += " " + hex(inputs[i]) + "->" + hex(out[i]) + " (want " + hex(want) + ")";
    }
  }
}

}  // namespace

TEST_CASE("at least the portable kernel set runs everywhere", "[reduced_float_kernels]") {
  const auto sets = runnable_conversion_kernels();
  REQUIRE_FALSE(sets.empty());
  CHECK(sets.back().name == "portable");
  for (const auto& set : sets) INFO("runnable: " << set.name);
}

namespace {

// Checks the fp32 patterns k * stride for k in [first, last), chunk by
// chunk: the reference once per chunk, then every kernel set compared with
// it as a whole (memcmp), element by element only on a mismatch.
void check_bf16_patterns(const std::vector<ConversionKernels>& sets, std::uint64_t stride,
                         std::uint64_t first, std::uint64_t last,
                         std::vector<Mismatches>& mismatches) {
  constexpr std::uint64_t kChunk = std::uint64_t{1} << 16;
  std::vector<float> values(kChunk);
  std::vector<std::uint16_t> want(kChunk);
  std::vector<std::uint16_t> got(kChunk);
  for (std::uint64_t start = first; start < last; start += kChunk) {
    const std::uint64_t count = std::min(kChunk, last - start);
    for (std::uint64_t i = 0; i < count; ++i) {
      values[i] = std::bit_cast<float>(static_cast<std::uint32_t>((start + i) * stride));
      want[i] = accel::float_to_bf16(values[i]);
    }
    for (std::size_t s = 0; s < sets.size(); ++s) {
      sets[s].float_to_bf16(values.data(), got.data(), count);
      if (std::memcmp(got.data(), want.data(), count * sizeof(std::uint16_t)) == 0) continue;
      for (std::uint64_t i = 0; i < count; ++i) {
        if (got[i] != want[i] && ++mismatches[s].count <= 5) {
          mismatches[s].first += " " + hex(std::bit_cast<std::uint32_t>(values[i])) + "->" +
                                 hex(got[i]) + " (want " + hex(want[i]) + ")";
        }
      }
    }
  }
}

// Every stride-th fp32 pattern through every kernel set, split over a few
// threads (the results are merged here: Catch2's macros stay on this one).
void check_bf16_every(std::uint64_t stride) {
  const auto sets = runnable_conversion_kernels();
  const unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1U, 4U);
  const std::uint64_t total = ((std::uint64_t{1} << 32) + stride - 1) / stride;
  std::vector<std::vector<Mismatches>> per_thread(threads, std::vector<Mismatches>(sets.size()));
  {
    std::vector<std::jthread> workers;
    for (unsigned t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        check_bf16_patterns(sets, stride, total * t / threads, total * (t + 1) / threads,
                            per_thread[t]);
      });
    }
  }
  for (std::size_t s = 0; s < sets.size(); ++s) {
    std::uint64_t count = 0;
    std::string first;
    for (const auto& mismatches : per_thread) {
      count += mismatches[s].count;
      first += mismatches[s].first;
    }
    INFO(sets[s].name << ":" << first);
    CHECK(count == 0);
  }
}

}  // namespace

#if defined(ACCEL_TEST_EXHAUSTIVE)
TEST_CASE("float_to_bf16 kernels match the reference on all 2^32 fp32 bit patterns",
          "[reduced_float_kernels][exhaustive]") {
  check_bf16_every(1);  // ~10 s of work on one core
}
#else
TEST_CASE(
    "float_to_bf16 kernels match the reference on a sample: every 23rd fp32 bit pattern "
    "(Debug or sanitizer build: optimised builds check all 2^32)",
    "[reduced_float_kernels]") {
  // 23 is prime: the sample meets every residue of the dropped low bits.
  // About 190M patterns, ~10 s under ASan+UBSan; all 2^32 would take minutes.
  check_bf16_every(23);
}

TEST_CASE(
    "float_to_bf16 kernels match the reference on a sample: every bf16 value with 7 rounding "
    "classes of its dropped half (Debug or sanitizer build: optimised builds check all 2^32)",
    "[reduced_float_kernels]") {
  const auto inputs = rounding_classes(16, 1);
  for (const ConversionKernels& set : runnable_conversion_kernels()) {
    Mismatches mismatches;
    compare_narrow(set.float_to_bf16, accel::float_to_bf16, inputs, mismatches);
    INFO(set.name << ":" << mismatches.first);
    CHECK(mismatches.count == 0);
  }
}
#endif

TEST_CASE("float_to_fp16 kernels match the reference around every rounding decision",
          "[reduced_float_kernels]") {
  // Each of the 2^19 values of the top 19 bits (every fp16 step at every
  // exponent, the denormal and overflow ranges, NaN payloads) with the 13
  // dropped bits at 0, 1, half-1, half, half+1, all ones and at random.
  const auto inputs = rounding_classes(13, 2);
  for (const ConversionKernels& set : runnable_conversion_kernels()) {
    Mismatches mismatches;
    compare_narrow(set.float_to_fp16, accel::float_to_fp16, inputs, mismatches);
    INFO(set.name << ":" << mismatches.first);
    CHECK(mismatches.count == 0);
  }
}

TEST_CASE(
    "float_to_fp16 kernels match the reference on random fp32 and every mantissa of the edge "
    "exponents",
    "[reduced_float_kernels]") {
  std::vector<std::uint32_t> inputs;
  std::mt19937 random(3);
#if defined(ACCEL_TEST_EXHAUSTIVE)
  constexpr std::uint32_t kRandom = 1U << 24;
  constexpr std::uint32_t kMantissaStep = 1;
#else
  constexpr std::uint32_t kRandom = 1U << 18;
  constexpr std::uint32_t kMantissaStep = 61;  // a sample of each exponent
#endif
  for (std::uint32_t i = 0; i < kRandom; ++i)
    inputs.push_back(static_cast<std::uint32_t>(random()));
  // Exponents where fp16 changes regime: zero/denormal fp32, the last values
  // that round to zero (101, 102), the denormal range's ends (103, 112), the
  // smallest normal (113), the overflow boundary (142, 143), Inf/NaN (255).
  for (const std::uint32_t exponent : {0U, 101U, 102U, 103U, 112U, 113U, 142U, 143U, 255U}) {
    for (const std::uint32_t sign : {0U, 0x80000000U}) {
      for (std::uint32_t mantissa = 0; mantissa < (1U << 23); mantissa += kMantissaStep) {
        inputs.push_back(sign | (exponent << 23) | mantissa);
      }
    }
  }
  for (const ConversionKernels& set : runnable_conversion_kernels()) {
    Mismatches mismatches;
    compare_narrow(set.float_to_fp16, accel::float_to_fp16, inputs, mismatches);
    INFO(set.name << ":" << mismatches.first);
    CHECK(mismatches.count == 0);
  }
}

TEST_CASE("bf16_to_float and fp16_to_float kernels match the reference on all 2^16 patterns",
          "[reduced_float_kernels]") {
  std::vector<std::uint16_t> patterns(1U << 16);
  for (std::uint32_t i = 0; i < patterns.size(); ++i) patterns[i] = static_cast<std::uint16_t>(i);
  for (const ConversionKernels& set : runnable_conversion_kernels()) {
    std::vector<float> from_bf16(patterns.size());
    std::vector<float> from_fp16(patterns.size());
    set.bf16_to_float(patterns.data(), from_bf16.data(), patterns.size());
    set.fp16_to_float(patterns.data(), from_fp16.data(), patterns.size());
    int bf16_wrong = 0;
    int fp16_wrong = 0;
    for (std::size_t i = 0; i < patterns.size(); ++i) {
      const auto bits = [](float value) { return std::bit_cast<std::uint32_t>(value); };
      bf16_wrong += bits(from_bf16[i]) == bits(accel::bf16_to_float(patterns[i])) ? 0 : 1;
      fp16_wrong += bits(from_fp16[i]) == bits(accel::fp16_to_float(patterns[i])) ? 0 : 1;
    }
    INFO(set.name);
    CHECK(bf16_wrong == 0);
    CHECK(fp16_wrong == 0);
  }
}

TEST_CASE("every kernel handles every length from 0 to 100, tails included",
          "[reduced_float_kernels]") {
  std::mt19937 random(4);
  for (const ConversionKernels& set : runnable_conversion_kernels()) {
    for (std::size_t length = 0; length <= 100; ++length) {
      // One guard value past the end: a kernel must not write beyond `length`.
      std::vector<float> values(length + 1);
      for (float& value : values)
        value = std::bit_cast<float>(static_cast<std::uint32_t>(random()));
      std::vector<std::uint16_t> bf16(length + 1, 0xABCD);
      std::vector<std::uint16_t> fp16(length + 1, 0xABCD);
      std::vector<float> back(length + 1, 42.0F);
      set.float_to_bf16(values.data(), bf16.data(), length);
      set.float_to_fp16(values.data(), fp16.data(), length);
      set.fp16_to_float(fp16.data(), back.data(), length);
      INFO(set.name << " length " << length);
      for (std::size_t i = 0; i < length; ++i) {
        REQUIRE(bf16[i] == accel::float_to_bf16(values[i]));
        REQUIRE(fp16[i] == accel::float_to_fp16(values[i]));
        REQUIRE(std::bit_cast<std::uint32_t>(back[i]) ==
                std::bit_cast<std::uint32_t>(accel::fp16_to_float(fp16[i])));
      }
      CHECK(bf16[length] == 0xABCD);
      CHECK(fp16[length] == 0xABCD);
      CHECK(back[length] == 42.0F);
    }
  }
}
