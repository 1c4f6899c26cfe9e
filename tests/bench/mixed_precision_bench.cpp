// Conversion benchmark (prints a table, asserts nothing).
//
//   mixed_precision_bench [--mib N] [--runs R]
//
// Converts a buffer of N MiB of fp32 (default 64) to bf16 and fp16 and back,
// with every kernel set this CPU can run, the one-value reference in a
// loop, and memcpy of the fp32 buffer as the memory-bandwidth yardstick.
// Best of R runs (default 10). GB/s counts bytes read plus bytes written
// (fp32 -> 16-bit: 6 bytes a value; memcpy: 8), so the rows compare with
// memcpy's. Numbers worth quoting come from an optimised build.
#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "accel/reduced_float.hpp"
#include "runtime/reduced_float_kernels.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::size_t mib = 64;
  int runs = 10;
};

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 < argc && flag == "--mib") {
      options.mib = std::strtoul(argv[++i], nullptr, 10);
    } else if (i + 1 < argc && flag == "--runs") {
      options.runs = std::atoi(argv[++i]);
    } else {
      (void)std::fprintf(stderr, "usage: mixed_precision_bench [--mib N] [--runs R]\n");
      std::exit(2);
    }
  }
  if (options.mib == 0 || options.runs < 1) {
    (void)std::fprintf(stderr, "mixed_precision_bench: --mib and --runs must be at least 1\n");
    std::exit(2);
  }
  return options;
}

// Best wall time of `runs` calls, in seconds.
double best_of(int runs, const std::function<void()>& work) {
  double best = 1e30;
  for (int run = 0; run < runs; ++run) {
    const auto start = Clock::now();
    work();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - start).count());
  }
  return best;
}

void row(const std::string& what, double seconds, std::size_t values, std::size_t bytes) {
  std::printf("%-34s %9.2f ms %9.2f GB/s %9.2f Gvalues/s\n", what.c_str(), seconds * 1e3,
              static_cast<double>(bytes) / seconds / 1e9,
              static_cast<double>(values) / seconds / 1e9);
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  const std::size_t count = options.mib * 1024 * 1024 / sizeof(float);

  // Values of every magnitude class, so no branch predictor gets lucky.
  std::vector<float> fp32(count);
  std::mt19937 random(7);
  std::normal_distribution<float> normal(0.0F, 1000.0F);
  for (float& value : fp32) value = normal(random);
  std::vector<float> copy(count, 0.0F);
  std::vector<float> back(count, 0.0F);
  std::vector<std::uint16_t> half(count, 0);  // written once already: no page faults in the timing

  const std::size_t narrow_bytes = count * (sizeof(float) + sizeof(std::uint16_t));
  std::printf("%zu MiB of fp32 (%zu values), best of %d runs\n\n", options.mib, count,
              options.runs);
  row("memcpy fp32",
      best_of(options.runs, [&] { std::memcpy(copy.data(), fp32.data(), count * 4); }), count,
      count * 2 * sizeof(float));

  for (const auto& set : accel::detail::runnable_conversion_kernels()) {
    const std::string name(set.name);
    row(name + " fp32 -> bf16",
        best_of(options.runs, [&] { set.float_to_bf16(fp32.data(), half.data(), count); }), count,
        narrow_bytes);
    row(name + " bf16 -> fp32",
        best_of(options.runs, [&] { set.bf16_to_float(half.data(), back.data(), count); }), count,
        narrow_bytes);
    row(name + " fp32 -> fp16",
        best_of(options.runs, [&] { set.float_to_fp16(fp32.data(), half.data(), count); }), count,
        narrow_bytes);
    row(name + " fp16 -> fp32",
        best_of(options.runs, [&] { set.fp16_to_float(half.data(), back.data(), count); }), count,
        narrow_bytes);
  }
  row("reference loop fp32 -> bf16",
      best_of(options.runs,
              [&] {
                for (std::size_t i = 0; i < count; ++i) half[i] = accel::float_to_bf16(fp32[i]);
              }),
      count, narrow_bytes);
  row("reference loop fp32 -> fp16",
      best_of(options.runs,
              [&] {
                for (std::size_t i = 0; i < count; ++i) half[i] = accel::float_to_fp16(fp32[i]);
              }),
      count, narrow_bytes);
  return 0;
}
