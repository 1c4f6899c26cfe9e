// The Accelerator facade: a world of one (no launcher), the settings it
// reads from the launcher's variables, and several "processes" (threads with
// their own environment, meeting through a real store) gathering, reducing
// and accumulating gradients together.
#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "accel/accel.hpp"
#include "store_server_fixture.hpp"

using accel::Accelerator;
using accel::AcceleratorOptions;
using accel::MixedPrecision;
using accel::ReduceOp;
using accel::testing::env_of;
using accel::testing::run_ranks;
using accel::testing::StoreServerFixture;
using namespace std::chrono_literals;

namespace {

AcceleratorOptions alone(std::map<std::string, std::string> vars = {}) {
  AcceleratorOptions options;
  options.env = env_of(std::move(vars));
  return options;
}

AcceleratorOptions rank_of(const StoreServerFixture& store, int rank, int world_size,
                           std::map<std::string, std::string> extra = {}) {
  auto vars = store.worker_env(rank, world_size);
  vars.insert(extra.begin(), extra.end());
  AcceleratorOptions options;
  options.env = env_of(std::move(vars));
  options.timeout = 20s;
  return options;
}

void expect(bool condition, const std::string& what) {
  if (!condition) throw std::runtime_error("check failed: " + what);
}

}  // namespace

TEST_CASE("accelerator: without a launcher it is a world of one", "[accelerator]") {
  std::ostringstream out;
  auto options = alone();
  options.out = &out;
  Accelerator accelerator(options);
  CHECK(accelerator.process_index() == 0);
  CHECK(accelerator.num_processes() == 1);
  CHECK(accelerator.local_process_index() == 0);
  CHECK(accelerator.num_local_processes() == 1);
  CHECK(accelerator.is_main_process());
  CHECK(accelerator.is_local_main_process());
  accelerator.print("hello");
  accelerator.wait_for_everyone();
  { const auto scope = accelerator.main_process_first(); }
  CHECK(out.str() == "hello\n");

  CHECK(accelerator.gather(7) == std::vector<int>{7});
  CHECK(accelerator.gather(std::vector<double>{1.5, 2.5}) == std::vector<double>{1.5, 2.5});
  CHECK(accelerator.reduce(3.0F, ReduceOp::kAvg) == 3.0F);
  std::vector<std::int64_t> counts{4, 5};
  accelerator.reduce(counts);
  CHECK(counts == std::vector<std::int64_t>{4, 5});
  CHECK(accelerator.communicator().size() == 1);
}

TEST_CASE("accelerator: precision and accumulation come from the launcher's variables",
          "[accelerator]") {
  {
    Accelerator accelerator(alone());
    CHECK(accelerator.mixed_precision() == MixedPrecision::kNo);
    CHECK_FALSE(accelerator.grad_scaler().enabled());
    CHECK(accelerator.gradient_accumulation_steps() == 1);
  }
  {
    Accelerator accelerator(alone(
        {{"ACCELERATE_MIXED_PRECISION", "fp16"}, {"ACCELERATE_GRADIENT_ACCUMULATION_STEPS", "8"}}));
    CHECK(accelerator.mixed_precision() == MixedPrecision::kFp16);
    CHECK(accelerator.grad_scaler().enabled());
    CHECK(accelerator.grad_scaler().scale() == 65536.0F);
    CHECK(accelerator.gradient_accumulation_steps() == 8);
  }
  {
    Accelerator accelerator(alone({{"ACCELERATE_MIXED_PRECISION", "bf16"}}));
    CHECK(accelerator.mixed_precision() == MixedPrecision::kBf16);
    CHECK_FALSE(accelerator.grad_scaler().enabled());  // bf16 needs no loss scaling
  }
  {
    // The options win over the variables.
    auto options = alone(
        {{"ACCELERATE_MIXED_PRECISION", "fp16"}, {"ACCELERATE_GRADIENT_ACCUMULATION_STEPS", "8"}});
    options.mixed_precision = MixedPrecision::kBf16;
    options.gradient_accumulation_steps = 2;
    accel::GradScalerOptions scaler;
    scaler.init_scale = 1024.0F;
    options.grad_scaler = scaler;
    Accelerator accelerator(options);
    CHECK(accelerator.mixed_precision() == MixedPrecision::kBf16);
    CHECK(accelerator.gradient_accumulation_steps() == 2);
    CHECK(accelerator.grad_scaler().scale() == 1024.0F);
  }
}

TEST_CASE("accelerator: a malformed setting is named before anything connects", "[accelerator]") {
  // A store nobody serves: were it contacted first, the error would be a
  // connection failure after the timeout instead of the variable's name.
  const std::map<std::string, std::string> launcher{{"RANK", "0"},
                                                    {"WORLD_SIZE", "2"},
                                                    {"ACCEL_STORE_ADDR", "127.0.0.1"},
                                                    {"ACCEL_STORE_PORT", "1"},
                                                    {"ACCEL_JOB_TOKEN", "t"},
                                                    {"ACCEL_JOB_ID", "j"}};
  auto vars = launcher;
  vars["ACCELERATE_MIXED_PRECISION"] = "fp9";
  CHECK_THROWS_WITH(Accelerator(alone(vars)),
                    Catch::StartsWith("ACCELERATE_MIXED_PRECISION='fp9' is not one of"));
  vars = launcher;
  vars["ACCELERATE_GRADIENT_ACCUMULATION_STEPS"] = "0";
  CHECK_THROWS_WITH(Accelerator(alone(vars)),
                    Catch::StartsWith("ACCELERATE_GRADIENT_ACCUMULATION_STEPS='0'"));
}

TEST_CASE("accelerator: open scopes stay valid when the accelerator moves", "[accelerator]") {
  Accelerator first(alone());
  std::optional<Accelerator> second;
  {
    // The scope ends before the accelerator that now owns its accumulator.
    const auto step = first.accumulate();
    second.emplace(std::move(first));
    CHECK(step.sync_gradients());
    CHECK_THROWS_WITH(second->accumulate(), Catch::Contains("still open"));
  }
  CHECK(second->accumulate().sync_gradients());
}

TEST_CASE("accelerator: processes gather and reduce together", "[accelerator][multi]") {
  StoreServerFixture store;
  constexpr int kWorld = 4;
  std::vector<std::ostringstream> outs(kWorld);
  const auto errors = run_ranks(kWorld, [&](int rank) {
    auto options = rank_of(store, rank, kWorld);
    options.out = &outs[rank];
    Accelerator accelerator(options);
    expect(accelerator.process_index() == rank, "process_index");
    expect(accelerator.num_processes() == kWorld, "num_processes");
    expect(accelerator.is_main_process() == (rank == 0), "is_main_process");
    accelerator.print("only the main process writes this");
    expect(accelerator.gather(rank * 10) == std::vector<int>{0, 10, 20, 30}, "gather");
    expect(accelerator.reduce(static_cast<std::int64_t>(rank + 1)) == 10, "reduce sum");
    expect(accelerator.reduce(static_cast<double>(rank), ReduceOp::kAvg) == 1.5, "reduce avg");
    expect(accelerator.reduce(rank, ReduceOp::kMax) == 3, "reduce max");
    std::vector<float> values{static_cast<float>(rank), 1.0F};
    accelerator.reduce(values, ReduceOp::kMin);
    expect(values == std::vector<float>{0.0F, 1.0F}, "reduce min of a vector");
    accelerator.wait_for_everyone();
  });
  for (int rank = 0; rank < kWorld; ++rank) {
    INFO("rank " << rank);
    CHECK(errors[rank] == "");
    CHECK(outs[rank].str() == (rank == 0 ? "only the main process writes this\n" : ""));
  }
}

TEST_CASE("accelerator: gradients are averaged over the processes on syncing steps only",
          "[accelerator][multi]") {
  StoreServerFixture store;
  constexpr int kWorld = 3;
  const auto errors = run_ranks(kWorld, [&](int rank) {
    Accelerator accelerator(
        rank_of(store, rank, kWorld, {{"ACCELERATE_GRADIENT_ACCUMULATION_STEPS", "2"}}));
    std::vector<float> weights(1000, 0.0F);
    std::vector<float> bias(3, 0.0F);
    const std::span<float> gradients[] = {weights, bias};
    for (int micro_step = 0; micro_step < 4; ++micro_step) {
      const auto step = accelerator.accumulate();
      // Each rank adds (rank + 1) * loss_scale per micro-step: after two,
      // rank r holds r + 1, and the average over ranks 0..2 is 2.
      for (const std::span<float> gradient : gradients) {
        for (float& value : gradient) value += static_cast<float>(rank + 1) * step.loss_scale();
      }
      // The ranks call it a different number of times on steps that do not
      // sync: were any of those calls to communicate, the collectives of
      // the ranks would no longer match and the test would time out.
      if (!step.sync_gradients()) {
        for (int extra = 0; extra < rank; ++extra) {
          expect(!step.reduce_gradients(gradients),
                 "no sync on micro-step " + std::to_string(micro_step));
        }
        continue;
      }
      expect(step.reduce_gradients(gradients), "sync on micro-step " + std::to_string(micro_step));
      for (const std::span<float> gradient : gradients) {
        for (const float value : gradient) expect(value == 2.0F, "the average is 2");
      }
      std::fill(weights.begin(), weights.end(), 0.0F);
      std::fill(bias.begin(), bias.end(), 0.0F);
    }
  });
  for (int rank = 0; rank < kWorld; ++rank) {
    INFO("rank " << rank);
    CHECK(errors[rank] == "");
  }
}
