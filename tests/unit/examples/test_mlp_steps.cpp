// The GPU path's arithmetic (docs/examples/mlp_math.hpp through
// mlp_steps.hpp), run here as host loops, against the CPU model
// (mlp_model.cpp, adamw.cpp): the same losses, gradients and parameters
// over a few training steps, fp32 and bf16 (bit for bit on x86-64). The kernels of
// mlp_model_cuda.cu run these very function objects one index per GPU
// thread; on the GPU only expf/logf may differ in their last bits.
#include <accel/reduced_float.hpp>
#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "adamw.hpp"
#include "host_mlp.hpp"
#include "mlp_math.hpp"
#include "mlp_model.hpp"
#include "mlp_steps.hpp"
#include "synthetic_data.hpp"
#include "training_common.hpp"

namespace {

using namespace train_mlp;

// Where the compiler has no fused multiply-add to contract into (x86-64's
// baseline), the host loops and the CPU model do the very same operations
// in the same order: the same bits. With FMA, GCC may fuse either side's
// multiply-adds differently.
#if defined(__FP_FAST_FMAF)
constexpr double kTolerance = 1e-5;
#else
constexpr double kTolerance = 0.0;
#endif

// The relative difference of two buffers, at their worst element (scaled by
// the larger magnitude, at least 1e-3 so values near 0 do not dominate).
double worst_difference(std::span<const float> got, std::span<const float> want) {
  REQUIRE(got.size() == want.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double scale = std::max(
        {std::abs(static_cast<double>(want[i])), std::abs(static_cast<double>(got[i])), 1e-3});
    worst = std::max(worst,
                     std::abs(static_cast<double>(got[i]) - static_cast<double>(want[i])) / scale);
  }
  return worst;
}

void check_training_matches(accel::MixedPrecision precision) {
  constexpr std::size_t kBatch = 32;
  constexpr std::uint64_t kSeed = 7;
  DatasetShape shape;
  shape.samples = 4 * kBatch;
  const Problem problem = make_problem(shape, 2 * kBatch, kSeed);
  const bool bf16 = precision == accel::MixedPrecision::kBf16;

  Mlp cpu(kWidths, precision, kSeed);
  AdamW cpu_optimizer(cpu.parameters().size());
  std::vector<float> cpu_gradients(cpu.parameters().size(), 0.0F);

  const MlpLayout layout(kWidths, 2 * kBatch);
  REQUIRE(layout.parameter_count == cpu.parameters().size());
  testing::HostMlp host(layout, cpu.parameters(), bf16);
  const ResidentDataset train{problem.train.values.data(), problem.train.labels.data(),
                              problem.train.features};
  // A shuffled order, as an epoch's: the batches gather their rows by index.
  std::vector<std::uint64_t> order(problem.train.size());
  std::iota(order.begin(), order.end(), 0);
  std::reverse(order.begin(), order.end());

  const float lr = 3e-3F;
  for (long step = 1; step <= 4; ++step) {
    // Two micro-batches per step with accumulation's factor of 1/2: the
    // gradients add up across calls in the same order on both.
    double cpu_loss = 0.0;
    for (std::size_t micro = 0; micro < 2; ++micro) {
      const std::size_t first =
          ((static_cast<std::size_t>(step) - 1) * 2 + micro) * kBatch % problem.train.size();
      std::vector<float> features;
      std::vector<std::int32_t> labels;
      for (std::size_t r = 0; r < kBatch; ++r) {
        const auto sample = problem.train.sample(order[first + r]);
        features.insert(features.end(), sample.begin(), sample.end());
        labels.push_back(problem.train.labels[order[first + r]]);
      }
      cpu_loss += cpu.train_batch(features, labels, 0.5F, cpu_gradients).loss_sum;
      host.steps.train_batch(train, order.data() + first, kBatch, 0.5F);
    }
    const double host_loss = host.take_loss();
    INFO("step " << step);
    CHECK(host_loss == Approx(cpu_loss).epsilon(kTolerance));
    CHECK(worst_difference({host.work.gradients, layout.parameter_count}, cpu_gradients) <=
          kTolerance);

    cpu_optimizer.step(cpu.parameters(), cpu_gradients, lr);
    std::fill(cpu_gradients.begin(), cpu_gradients.end(), 0.0F);
    host.steps.optimizer_step(step, lr);
    host.steps.zero_gradients();
    CHECK(worst_difference({host.work.parameters, layout.parameter_count}, cpu.parameters()) <=
          kTolerance);
    CHECK(std::all_of(host.work.gradients, host.work.gradients + layout.parameter_count,
                      [](float g) { return g == 0.0F; }));
  }

  // The held-out evaluation: the same correct rows.
  std::vector<std::uint64_t> held_out_order(problem.held_out.size());
  std::iota(held_out_order.begin(), held_out_order.end(), 0);
  const ResidentDataset held_out{problem.held_out.values.data(), problem.held_out.labels.data(),
                                 problem.held_out.features};
  *host.work.correct = 0;  // the totals count the training batches too
  host.steps.evaluate(held_out, held_out_order.data(), held_out_order.size());
  CHECK(*host.work.correct ==
        cpu.evaluate(problem.held_out.values, problem.held_out.labels).correct);
}

}  // namespace

TEST_CASE("the GPU path's arithmetic trains as the CPU model does, in fp32", "[mlp_steps]") {
  check_training_matches(accel::MixedPrecision::kNo);
}

TEST_CASE("the GPU path's arithmetic trains as the CPU model does, in bf16", "[mlp_steps]") {
  check_training_matches(accel::MixedPrecision::kBf16);
}

TEST_CASE("the GPU path's bf16 rounding is accel's conversion, NaN and Inf included",
          "[mlp_steps]") {
  std::vector<float> values = {0.0F,
                               -0.0F,
                               1.0F,
                               std::bit_cast<float>(0x3F808000U),  // a tie: to even (down)
                               std::bit_cast<float>(0x3F818000U),  // a tie: to even (up)
                               std::bit_cast<float>(0x3F808001U),
                               std::numeric_limits<float>::max(),  // rounds up to Inf
                               std::numeric_limits<float>::infinity(),
                               -std::numeric_limits<float>::infinity(),
                               std::numeric_limits<float>::denorm_min(),
                               std::bit_cast<float>(0x7FA12345U),  // a signalling NaN
                               -std::numeric_limits<float>::quiet_NaN()};
  for (std::uint32_t bits = 0x3E000000U; bits < 0x3E000000U + 100'000U; bits += 7) {
    values.push_back(std::bit_cast<float>(bits));
  }
  std::vector<std::uint16_t> reduced(values.size());
  std::vector<float> want(values.size());
  accel::convert_float_to_bf16(values, reduced);
  accel::convert_bf16_to_float(reduced, want);
  for (std::size_t i = 0; i < values.size(); ++i) {
    INFO("input bits " << std::hex << std::bit_cast<std::uint32_t>(values[i]));
    CHECK(std::bit_cast<std::uint32_t>(round_to_compute(values[i], true)) ==
          std::bit_cast<std::uint32_t>(want[i]));
    CHECK(std::bit_cast<std::uint32_t>(round_to_compute(values[i], false)) ==
          std::bit_cast<std::uint32_t>(values[i]));
  }
}

TEST_CASE("the workspace's buffers do not overlap and fit its size", "[mlp_steps]") {
  const MlpLayout layout(kWidths, 100);
  std::vector<double> block(MlpWorkspace::bytes(layout) / sizeof(double) + 1);
  const MlpWorkspace work = MlpWorkspace::carve(layout, block.data());
  const auto* begin = reinterpret_cast<const char*>(block.data());
  const auto* end = begin + MlpWorkspace::bytes(layout);
  CHECK(reinterpret_cast<const char*>(work.parameters) == begin);
  CHECK(reinterpret_cast<const char*>(work.correct + 1) <= end);
  CHECK(work.activations.size() == kWidths.size());
  CHECK(reinterpret_cast<const char*>(work.activations[0]) >=
        reinterpret_cast<const char*>(work.second_moment + layout.parameter_count));
}
