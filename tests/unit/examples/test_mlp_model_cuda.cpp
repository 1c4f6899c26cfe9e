// The example's CUDA kernels (docs/examples/mlp_model_cuda.cu) against the
// same function objects run as host loops (host_mlp.hpp), which
// test_mlp_steps.cpp holds to the CPU model: a few training steps on the
// GPU give the host's losses and parameters, but for expf/logf's last bits
// in the softmax. Needs a GPU: skips (exit 77, with the reason) without one;
// tests/gpu/train_mlp.sh runs it on the GPU machine.
#include <accel/process_state.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>
#include <vector>

#include "host_mlp.hpp"
#include "mlp_model.hpp"
#include "mlp_model_cuda.hpp"
#include "skip.hpp"
#include "synthetic_data.hpp"
#include "train_cuda.hpp"
#include "training_common.hpp"

namespace {

using namespace train_mlp;

void use_gpu_or_skip() {
  try {
    static_cast<void>(use_local_gpu(accel::ProcessState{}));
  } catch (const NoCudaDevice& error) {
    accel::testing::skip_test_case(error.what());
  }
}

double mean_absolute_difference(const std::vector<float>& got, std::span<const float> want) {
  REQUIRE(got.size() == want.size());
  double sum = 0.0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    sum += std::abs(static_cast<double>(got[i]) - static_cast<double>(want[i]));
  }
  return sum / static_cast<double>(got.size());
}

void check_kernels_match_host_loops(accel::MixedPrecision precision) {
  use_gpu_or_skip();
  constexpr std::size_t kBatch = 32;
  constexpr std::uint64_t kSeed = 11;
  DatasetShape shape;
  shape.samples = 8 * kBatch;
  const Problem problem = make_problem(shape, 3 * kBatch, kSeed);
  const bool bf16 = precision == accel::MixedPrecision::kBf16;
  const Mlp initial(kWidths, precision, kSeed);
  const MlpLayout layout(kWidths, 3 * kBatch);

  CudaMlp gpu(layout, initial.parameters(), bf16, problem);
  testing::HostMlp host(layout, initial.parameters(), bf16);
  const ResidentDataset train{problem.train.values.data(), problem.train.labels.data(),
                              problem.train.features};
  std::vector<std::size_t> order(problem.train.size());
  std::iota(order.rbegin(), order.rend(), std::size_t{0});
  gpu.set_train_order(order);
  const std::vector<std::uint64_t> host_order(order.begin(), order.end());

  for (long step = 1; step <= 8; ++step) {
    const std::size_t first = (static_cast<std::size_t>(step) - 1) * kBatch;
    gpu.train_batch(first, kBatch, 1.0F);
    host.steps.train_batch(train, host_order.data() + first, kBatch, 1.0F);
    INFO("step " << step);
    // The first step starts from the same weights; later ones from weights
    // that may differ in a bf16 rounding here and there.
    CHECK(gpu.take_training_loss() == Approx(host.take_loss()).epsilon(step == 1 ? 1e-5 : 1e-3));
    gpu.optimizer_step(step, 3e-3F);
    gpu.zero_gradients();
    host.steps.optimizer_step(step, 3e-3F);
    host.steps.zero_gradients();
    // AdamW's first steps move every weight by about lr whatever the size
    // of its gradient, so a gradient that rounds differently near zero can
    // move one weight the other way: the mean difference stays tiny.
    CHECK(mean_absolute_difference(gpu.download_parameters(),
                                   {host.work.parameters, layout.parameter_count}) < 1e-5);
  }

  const auto held_out = shard_of(problem.held_out.size(), 0, 1);
  const ResidentDataset held_out_data{problem.held_out.values.data(),
                                      problem.held_out.labels.data(), problem.held_out.features};
  const std::vector<std::uint64_t> held_out_order(held_out.begin(), held_out.end());
  *host.work.correct = 0;
  host.steps.evaluate(held_out_data, held_out_order.data(), held_out_order.size());
  CHECK(gpu.count_held_out_correct(held_out) == *host.work.correct);
}

}  // namespace

TEST_CASE("the example's CUDA kernels train as their host loops do, in fp32", "[mlp_model_cuda]") {
  check_kernels_match_host_loops(accel::MixedPrecision::kNo);
}

TEST_CASE("the example's CUDA kernels train as their host loops do, in bf16", "[mlp_model_cuda]") {
  check_kernels_match_host_loops(accel::MixedPrecision::kBf16);
}

TEST_CASE("use_local_gpu picks LOCAL_RANK's GPU, or says there is none and what to do",
          "[mlp_model_cuda]") {
  try {
    const GpuInfo gpu = use_local_gpu(accel::ProcessState{});
    CHECK(gpu.index == 0);
    CHECK(gpu.rule == "LOCAL_RANK=0");
    CHECK_FALSE(gpu.name.empty());
    // A local rank past the last GPU is refused, naming the rank and the rule.
    accel::ProcessState beyond;
    beyond.rank = 5;
    beyond.local_device = 4096;
    CHECK_THROWS_WITH(use_local_gpu(beyond),
                      Catch::Contains("no CUDA device for rank 5: it is to use GPU 4096 "
                                      "(ACCEL_LOCAL_DEVICE=4096)"));
  } catch (const NoCudaDevice& error) {
    CHECK_THAT(error.what(), Catch::StartsWith("--device cuda: no CUDA device on rank 0 "
                                               "(cudaGetDeviceCount: ") &&
                                 Catch::Contains("or train on the CPU with --device cpu"));
  }
}
