// CudaGradScaler (accel/cuda_grad_scaler.hpp) against the CPU GradScaler,
// the scalar model of torch's: the same gradients, step after step, give
// the same unscaled gradients, found_inf, scales, growth trackers and
// skipped steps; the whole unscale -> optimizer -> update sequence captured
// once as a CUDA graph and replayed. They skip without a CUDA device.
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <stdexcept>
#include <vector>

#include "accel/cuda_grad_scaler.hpp"
#include "accel/grad_scaler.hpp"
#include "cuda_test_kernels.hpp"
#include "cuda_test_support.hpp"

namespace {

using accel::GradScaler;
using accel::GradScalerOptions;
using accel::cuda::CudaGradScaler;
using accel::cuda::CudaTensorList;
using accel::cuda::DeviceTensor;
using accel::testing::DeviceArray;
using accel::testing::read_device_value;

bool same_value(float got, float want) {
  if (std::isnan(got) && std::isnan(want)) return true;  // payloads may differ (see multi_tensor)
  return std::bit_cast<std::uint32_t>(got) == std::bit_cast<std::uint32_t>(want);
}

// One model's gradients, on the host (the CPU scaler's copy) and on the
// device (the GPU scaler's), refilled each step: values of the size a loss
// scale produces, with an Inf or NaN planted in about one step of five.
struct Gradients {
  std::vector<std::vector<float>> host;
  std::vector<std::unique_ptr<DeviceArray<float>>> device;
  std::mt19937 random;

  Gradients(const std::vector<std::size_t>& sizes, std::uint32_t seed) : random(seed) {
    for (const std::size_t size : sizes) {
      host.emplace_back(size);
      device.push_back(std::make_unique<DeviceArray<float>>(size));
    }
  }
  void refill(float scale) {
    std::normal_distribution<float> normal(0.0F, 1.0F);
    for (auto& values : host) {
      for (float& value : values) value = normal(random) * scale;
    }
    if (random() % 5 == 0) {
      const float bad[] = {std::numeric_limits<float>::infinity(),
                           -std::numeric_limits<float>::infinity(),
                           std::numeric_limits<float>::quiet_NaN()};
      auto& values = host[random() % host.size()];
      if (!values.empty()) values[random() % values.size()] = bad[random() % 3];
    }
    for (std::size_t t = 0; t < host.size(); ++t) device[t]->upload(host[t]);
  }
  std::vector<DeviceTensor> tensors() const {
    std::vector<DeviceTensor> list;
    for (const auto& array : device) list.push_back({array->data(), array->size()});
    return list;
  }
  std::vector<std::span<float>> spans() {
    return std::vector<std::span<float>>(host.begin(), host.end());
  }
  std::size_t mismatches() const {
    std::size_t count = 0;
    for (std::size_t t = 0; t < host.size(); ++t) {
      const std::vector<float> got = device[t]->download();
      for (std::size_t i = 0; i < got.size(); ++i) count += !same_value(got[i], host[t][i]);
    }
    return count;
  }
};

const std::vector<std::size_t> kSizes = {1000, 0, 70000, 3};

void run_against_model(const GradScalerOptions& options, int steps, std::uint32_t seed) {
  GradScaler cpu(options);
  CudaGradScaler gpu(options);
  Gradients grads(kSizes, seed);
  const CudaTensorList list(grads.tensors());
  int skipped = 0;
  for (int step = 0; step < steps; ++step) {
    INFO("step " << step << ", scale " << cpu.scale());
    grads.refill(cpu.scale());
    gpu.unscale(list);
    const auto spans = grads.spans();
    cpu.unscale(std::span<const std::span<float>>(spans));
    REQUIRE(read_device_value(gpu.device_found_inf()) == (cpu.found_inf() ? 1.0F : 0.0F));
    REQUIRE(grads.mismatches() == 0);
    skipped += !cpu.step([] {});
    gpu.update();
    cpu.update();
    const GradScaler::State state = gpu.state();
    REQUIRE(std::bit_cast<std::uint32_t>(state.scale) ==
            std::bit_cast<std::uint32_t>(cpu.state().scale));
    REQUIRE(state.growth_tracker == cpu.growth_tracker());
    REQUIRE(read_device_value(gpu.device_inv_scale()) ==
            static_cast<float>(1.0 / static_cast<double>(cpu.scale())));
    REQUIRE(read_device_value(gpu.device_found_inf()) == 0.0F);  // cleared for the next step
  }
  INFO(skipped << " of " << steps << " steps skipped");
  CHECK(skipped > 0);
  CHECK(skipped < steps);
}

}  // namespace

TEST_CASE("GPU grad scaler follows the CPU GradScaler over many steps (growth, backoff, skips)",
          "[cuda_grad_scaler][gpu]") {
  accel::testing::require_cuda_device();
  GradScalerOptions options;
  options.init_scale = 1024.0F;
  options.growth_interval = 3;  // grows often enough to see it
  run_against_model(options, 300, 1);
  // Odd factors: the products round in fp32 after an fp64 multiply.
  options.growth_factor = 3.0;
  options.backoff_factor = 0.3;
  run_against_model(options, 200, 2);
}

TEST_CASE("GPU grad scaler never grows the scale to Inf", "[cuda_grad_scaler][gpu]") {
  accel::testing::require_cuda_device();
  GradScalerOptions options;
  options.init_scale = 0x1p127F;
  options.growth_interval = 1;
  CudaGradScaler gpu(options);
  GradScaler cpu(options);
  Gradients grads({16}, 3);
  const CudaTensorList list(grads.tensors());
  for (int step = 0; step < 3; ++step) {
    for (auto& value : grads.host[0]) value = 1.0F;
    grads.device[0]->upload(grads.host[0]);
    gpu.unscale(list);
    gpu.update();
    const auto spans = grads.spans();
    cpu.unscale(std::span<const std::span<float>>(spans));
    cpu.update();
    CHECK(gpu.state().scale == cpu.scale());
    CHECK(std::isfinite(gpu.state().scale));
  }
}

TEST_CASE(
    "GPU grad scaler: unscale -> skip-aware optimizer -> update captured once as a CUDA "
    "graph and replayed",
    "[cuda_grad_scaler][gpu]") {
  accel::testing::require_cuda_device();
  GradScalerOptions options;
  options.init_scale = 256.0F;
  options.growth_interval = 4;
  CudaGradScaler gpu(options);
  GradScaler cpu(options);
  Gradients grads({5000, 123}, 4);
  const CudaTensorList list(grads.tensors());
  constexpr float kLearningRate = 0.01F;
  std::vector<std::vector<float>> params_host = {std::vector<float>(5000, 1.0F),
                                                 std::vector<float>(123, -1.0F)};
  DeviceArray<float> params0(5000);
  DeviceArray<float> params1(123);
  params0.upload(params_host[0]);
  params1.upload(params_host[1]);

  cudaStream_t stream = nullptr;
  accel::testing::require_cuda(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking),
                               "cudaStreamCreateWithFlags");
  accel::testing::require_cuda(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal),
                               "cudaStreamBeginCapture");
  gpu.unscale(list, stream);
  accel::testing::launch_skip_aware_sgd(params0.data(), grads.device[0]->data(), 5000,
                                        kLearningRate, gpu.device_found_inf(), stream);
  accel::testing::launch_skip_aware_sgd(params1.data(), grads.device[1]->data(), 123, kLearningRate,
                                        gpu.device_found_inf(), stream);
  gpu.update(stream);
  cudaGraph_t graph = nullptr;
  accel::testing::require_cuda(cudaStreamEndCapture(stream, &graph), "cudaStreamEndCapture");
  cudaGraphExec_t exec = nullptr;
  accel::testing::require_cuda(cudaGraphInstantiate(&exec, graph, 0), "cudaGraphInstantiate");

  int skipped = 0;
  for (int step = 0; step < 60; ++step) {
    INFO("step " << step);
    grads.refill(cpu.scale());
    accel::testing::require_cuda(cudaGraphLaunch(exec, stream), "cudaGraphLaunch");
    accel::testing::require_cuda(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    const auto spans = grads.spans();
    cpu.unscale(std::span<const std::span<float>>(spans));
    skipped += !cpu.step([&] {
      for (std::size_t t = 0; t < 2; ++t) {
        for (std::size_t i = 0; i < params_host[t].size(); ++i) {
          params_host[t][i] -= kLearningRate * grads.host[t][i];
        }
      }
    });
    cpu.update();
    REQUIRE(grads.mismatches() == 0);
    const GradScaler::State state = gpu.state(stream);
    REQUIRE(state.scale == cpu.scale());
    REQUIRE(state.growth_tracker == cpu.growth_tracker());
    std::size_t param_mismatches = 0;
    const std::vector<float> got0 = params0.download();
    const std::vector<float> got1 = params1.download();
    for (std::size_t i = 0; i < got0.size(); ++i)
      param_mismatches += !same_value(got0[i], params_host[0][i]);
    for (std::size_t i = 0; i < got1.size(); ++i)
      param_mismatches += !same_value(got1[i], params_host[1][i]);
    REQUIRE(param_mismatches == 0);
  }
  CHECK(skipped > 0);
  static_cast<void>(cudaGraphExecDestroy(exec));
  static_cast<void>(cudaGraphDestroy(graph));
  static_cast<void>(cudaStreamDestroy(stream));
}

TEST_CASE(
    "GPU grad scaler: disabled is a no-op with a scale of 1, and out-of-order calls and bad state "
    "are refused as by GradScaler",
    "[cuda_grad_scaler][gpu]") {
  accel::testing::require_cuda_device();
  GradScalerOptions disabled;
  disabled.enabled = false;
  CudaGradScaler off(disabled);
  Gradients grads({100}, 5);
  grads.host[0][3] = std::numeric_limits<float>::infinity();
  grads.device[0]->upload(grads.host[0]);
  const CudaTensorList list(grads.tensors());
  off.unscale(list);
  off.update();
  CHECK(read_device_value(off.device_scale()) == 1.0F);
  CHECK(read_device_value(off.device_found_inf()) == 0.0F);
  CHECK(grads.mismatches() == 0);  // untouched
  CHECK(off.state().scale == disabled.init_scale);

  CudaGradScaler on;
  CHECK_THROWS_AS(on.update(), std::logic_error);
  CHECK_THROWS_AS(on.load_state({-1.0F, 0}), std::invalid_argument);
  CHECK_THROWS_AS(on.load_state({1.0F, 2000}), std::invalid_argument);
  on.load_state({8.0F, 5});
  CHECK(on.state().scale == 8.0F);
  CHECK(on.state().growth_tracker == 5);
  CHECK(read_device_value(on.device_inv_scale()) == 0.125F);
  GradScalerOptions bad;
  bad.growth_factor = 0.5;
  CHECK_THROWS_AS(CudaGradScaler(bad), std::invalid_argument);
}
