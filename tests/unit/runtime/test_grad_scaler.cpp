// GradScaler against a model of torch's rules (torch/amp/grad_scaler.py,
// aten's _amp_foreach_non_finite_check_and_unscale_ and _amp_update_scale_),
// step by step, with Inf and NaN planted in the gradients.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "accel/grad_scaler.hpp"

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNan = std::numeric_limits<float>::quiet_NaN();

// torch's update rule, written out as plainly as aten has it.
struct TorchScalerModel {
  float scale = 65536.0F;
  int growth_tracker = 0;

  void update(bool found_inf) {
    if (found_inf) {
      scale = static_cast<float>(static_cast<double>(scale) * 0.5);
      growth_tracker = 0;
      return;
    }
    ++growth_tracker;
    if (growth_tracker == 2000) {
      const auto grown = static_cast<float>(static_cast<double>(scale) * 2.0);
      if (std::isfinite(grown)) scale = grown;
      growth_tracker = 0;
    }
  }
};

// One iteration with clean gradients; returns whether the optimizer ran.
bool clean_iteration(accel::GradScaler& scaler) {
  std::vector<float> grad = {1.0F, -2.0F};
  scaler.unscale(grad);
  const bool stepped = scaler.step([] {});
  scaler.update();
  return stepped;
}

bool iteration_with(accel::GradScaler& scaler, float planted) {
  std::vector<float> grad = {1.0F, planted, 3.0F};
  scaler.unscale(grad);
  const bool stepped = scaler.step([] {});
  scaler.update();
  return stepped;
}

}  // namespace

TEST_CASE("a default scaler starts where torch's does", "[grad_scaler]") {
  const accel::GradScaler scaler;
  CHECK(scaler.enabled());
  CHECK(scaler.scale() == 65536.0F);
  CHECK(scaler.growth_tracker() == 0);
  CHECK(scaler.options().growth_factor == 2.0);
  CHECK(scaler.options().backoff_factor == 0.5);
  CHECK(scaler.options().growth_interval == 2000);
  CHECK(scaler.scale_loss(0.25F) == 16384.0F);
}

TEST_CASE("the scale doubles after exactly 2000 clean steps, not before", "[grad_scaler]") {
  accel::GradScaler scaler;
  for (int i = 1; i < 2000; ++i) {
    REQUIRE(clean_iteration(scaler));
    REQUIRE(scaler.growth_tracker() == i);
  }
  CHECK(scaler.scale() == 65536.0F);
  CHECK(clean_iteration(scaler));
  CHECK(scaler.scale() == 131072.0F);
  CHECK(scaler.growth_tracker() == 0);
}

TEST_CASE("an Inf or NaN skips the step, halves the scale and restarts the count",
          "[grad_scaler]") {
  for (const float planted : {kInf, -kInf, kNan}) {
    accel::GradScaler scaler;
    for (int i = 0; i < 1500; ++i) clean_iteration(scaler);
    REQUIRE(scaler.growth_tracker() == 1500);
    INFO("planted " << planted);
    CHECK_FALSE(iteration_with(scaler, planted));
    CHECK(scaler.scale() == 32768.0F);
    CHECK(scaler.growth_tracker() == 0);
    // Growth needs 2000 clean steps counted from the skipped one.
    for (int i = 0; i < 1999; ++i) clean_iteration(scaler);
    CHECK(scaler.scale() == 32768.0F);
    clean_iteration(scaler);
    CHECK(scaler.scale() == 65536.0F);
  }
}

TEST_CASE("unscale multiplies by the fp32 reciprocal and reports Inf/NaN per call",
          "[grad_scaler]") {
  accel::GradScaler scaler(accel::GradScalerOptions{.init_scale = 3.0F});
  std::vector<float> first = {3.0F, 1.0F, -6.0F, 0.0F};
  std::vector<float> second = {kNan, 9.0F};
  std::vector<float> third = {kInf};
  std::vector<float> none;
  const std::vector<std::span<float>> clean = {first, none};
  const std::vector<std::span<float>> dirty = {second, third};
  const auto inv_scale = static_cast<float>(1.0 / 3.0);

  CHECK_FALSE(scaler.unscale(clean));
  CHECK_FALSE(scaler.found_inf());
  CHECK(first == std::vector<float>{3.0F * inv_scale, 1.0F * inv_scale, -6.0F * inv_scale, 0.0F});
  CHECK(scaler.unscale(dirty));
  CHECK(scaler.found_inf());  // kept for the whole iteration
  CHECK(std::isnan(second[0]));
  CHECK(second[1] == 9.0F * inv_scale);  // every value is unscaled, even past an Inf/NaN
  CHECK(third[0] == kInf);
  CHECK_FALSE(scaler.step([] { FAIL("the optimizer must not run"); }));
  scaler.update();
  CHECK(scaler.scale() == 1.5F);
  CHECK_FALSE(scaler.found_inf());  // the next iteration starts clean
}

TEST_CASE("a scale of 1 leaves the gradients untouched and still checks them", "[grad_scaler]") {
  accel::GradScaler scaler(accel::GradScalerOptions{.init_scale = 1.0F});
  std::vector<float> grad = {-0.0F, 1e-45F, 5.0F};
  CHECK_FALSE(scaler.unscale(grad));
  CHECK(std::signbit(grad[0]));
  CHECK(grad[1] == 1e-45F);
  std::vector<float> bad = {1.0F, -kInf};
  CHECK(scaler.unscale(bad));
}

TEST_CASE("out-of-order calls say what to call first", "[grad_scaler]") {
  accel::GradScaler scaler;
  std::vector<float> grad = {1.0F};
  CHECK_THROWS_WITH(scaler.step([] {}), Catch::Contains("call unscale(grads)"));
  CHECK_THROWS_WITH(scaler.update(), Catch::Contains("no Inf/NaN check was recorded"));
  scaler.unscale(grad);
  scaler.unscale(grad);  // several buffer groups (optimizers) in one iteration are fine
  CHECK(scaler.step([] {}));
  CHECK_THROWS_WITH(scaler.step([] {}), Catch::Contains("call update() after each step()"));
  CHECK_THROWS_WITH(scaler.unscale(grad), Catch::Contains("unscale after step()"));
  scaler.update();
  CHECK_THROWS_AS(scaler.update(), std::logic_error);  // the next iteration has no check yet
}

TEST_CASE("update without step is allowed once the gradients were checked", "[grad_scaler]") {
  accel::GradScaler scaler;
  std::vector<float> grad = {kNan};
  scaler.unscale(grad);
  scaler.update();  // torch only needs the Inf/NaN check recorded
  CHECK(scaler.scale() == 32768.0F);
}

TEST_CASE("a disabled scaler is a pass-through", "[grad_scaler]") {
  accel::GradScaler scaler(accel::GradScalerOptions{.growth_factor = 0.0, .enabled = false});
  CHECK_FALSE(scaler.enabled());
  CHECK(scaler.scale() == 1.0F);
  CHECK(scaler.scale_loss(0.25F) == 0.25F);
  std::vector<float> grad = {kNan, 2.0F};
  CHECK_FALSE(scaler.unscale(grad));  // as torch: no unscale, no check
  CHECK(grad[1] == 2.0F);
  int steps = 0;
  CHECK(scaler.step([&] { ++steps; }));
  CHECK(scaler.step([&] { ++steps; }));  // no ordering rules either
  CHECK(steps == 2);
  scaler.update();
  scaler.update(8.0F);
  CHECK(scaler.scale() == 1.0F);
}

TEST_CASE("the scale never grows to Inf", "[grad_scaler]") {
  accel::GradScaler scaler;
  const float largest = std::numeric_limits<float>::max();
  scaler.load_state({.scale = largest, .growth_tracker = 1999});
  CHECK(clean_iteration(scaler));
  CHECK(scaler.scale() == largest);
  CHECK(scaler.growth_tracker() == 0);
}

TEST_CASE("bad options and states name what is wrong", "[grad_scaler]") {
  using Options = accel::GradScalerOptions;
  CHECK_THROWS_WITH(accel::GradScaler(Options{.growth_factor = 1.0}),
                    Catch::StartsWith("GradScalerOptions::growth_factor must be > 1"));
  CHECK_THROWS_WITH(accel::GradScaler(Options{.backoff_factor = 1.0}),
                    Catch::StartsWith("GradScalerOptions::backoff_factor must be between 0 and 1"));
  CHECK_THROWS_WITH(accel::GradScaler(Options{.growth_interval = 0}),
                    Catch::StartsWith("GradScalerOptions::growth_interval must be at least 1"));
  CHECK_THROWS_WITH(accel::GradScaler(Options{.init_scale = kNan}),
                    Catch::StartsWith("GradScalerOptions::init_scale must be finite and positive"));
  CHECK_THROWS_AS(accel::GradScaler(Options{.init_scale = 0.0F}), std::invalid_argument);

  accel::GradScaler scaler;
  CHECK_THROWS_WITH(scaler.load_state({.scale = 2.0F, .growth_tracker = 2000}),
                    Catch::Contains("growth tracker must be in [0, 2000), got 2000"));
  CHECK_THROWS_AS(scaler.load_state({.scale = -1.0F, .growth_tracker = 0}), std::invalid_argument);
  CHECK_THROWS_AS(scaler.update(kInf), std::invalid_argument);
}

TEST_CASE("update(new_scale) sets the scale and keeps the growth count", "[grad_scaler]") {
  accel::GradScaler scaler;
  for (int i = 0; i < 5; ++i) clean_iteration(scaler);
  scaler.update(1024.0F);
  CHECK(scaler.scale() == 1024.0F);
  CHECK(scaler.growth_tracker() == 5);
  const auto state = scaler.state();
  accel::GradScaler restored;
  restored.load_state(state);
  CHECK(restored.scale() == 1024.0F);
  CHECK(restored.growth_tracker() == 5);
}

TEST_CASE("30000 iterations with planted Inf/NaN follow torch's rules step by step",
          "[grad_scaler]") {
  accel::GradScaler scaler;
  TorchScalerModel model;
  std::mt19937 random(6);
  std::uniform_real_distribution<float> value(-1000.0F, 1000.0F);
  std::vector<std::vector<float>> buffers = {std::vector<float>(37), std::vector<float>(1000),
                                             std::vector<float>(5)};
  int skipped = 0;
  int grown = 0;
  for (int iteration = 0; iteration < 30000; ++iteration) {
    for (auto& buffer : buffers) {
      for (float& v : buffer) v = value(random);
    }
    // About one iteration in 600 gets an Inf or NaN somewhere, and a long
    // clean stretch in the middle lets the scale grow several times.
    const bool plant = (iteration < 12000 || iteration > 24000) && random() % 600 == 0;
    if (plant) {
      auto& buffer = buffers[random() % buffers.size()];
      const float planted[] = {kInf, -kInf, kNan};
      buffer[random() % buffer.size()] = planted[random() % 3];
    }
    const std::vector<std::vector<float>> before = buffers;
    const auto inv_scale = static_cast<float>(1.0 / static_cast<double>(model.scale));

    std::vector<std::span<float>> grads(buffers.begin(), buffers.end());
    const bool found = scaler.unscale(grads);
    bool optimizer_ran = false;
    const bool stepped = scaler.step([&] { optimizer_ran = true; });
    scaler.update();
    model.update(plant);

    REQUIRE(found == plant);
    REQUIRE(stepped == !plant);
    REQUIRE(optimizer_ran == !plant);
    REQUIRE(scaler.scale() == model.scale);
    REQUIRE(scaler.growth_tracker() == model.growth_tracker);
    int wrong_values = 0;  // counted, not asserted one by one: 30 million values
    for (std::size_t b = 0; b < buffers.size(); ++b) {
      for (std::size_t i = 0; i < buffers[b].size(); ++i) {
        const float want = before[b][i] * inv_scale;
        const bool same = std::isnan(want) ? std::isnan(buffers[b][i]) : buffers[b][i] == want;
        wrong_values += same ? 0 : 1;
      }
    }
    REQUIRE(wrong_values == 0);
    skipped += plant ? 1 : 0;
    grown += (!plant && model.growth_tracker == 0) ? 1 : 0;
  }
  INFO("skipped " << skipped << ", grown " << grown);
  CHECK(skipped > 20);
  CHECK(grown >= 5);
}
