// GradientAccumulator: which micro-steps sync (Accelerate's _do_sync), that
// the gradient exchange happens on those only, the loss scale, the end of
// the data, and the step count from the launcher's variable.
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "accel/gradient_accumulation.hpp"
#include "store_server_fixture.hpp"

using accel::AccumulationStep;
using accel::GradientAccumulationOptions;
using accel::GradientAccumulator;
using accel::GradientReducer;
using accel::testing::env_of;

namespace {

GradientAccumulationOptions with_steps(int steps) {
  GradientAccumulationOptions options;
  options.steps = steps;
  options.env = env_of({});
  return options;
}

// A reducer that records the sizes of the buffers it was given and doubles
// every value, so a test sees both that it ran and on what.
struct RecordingReducer {
  std::vector<std::vector<std::size_t>> calls;
  GradientReducer reducer() {
    return [this](std::span<const std::span<float>> gradients) {
      std::vector<std::size_t> sizes;
      for (const std::span<float> gradient : gradients) {
        sizes.push_back(gradient.size());
        for (float& value : gradient) value *= 2.0F;
      }
      calls.push_back(sizes);
    };
  }
};

// Which of `batches` micro-steps sync, the last one flagged as the end of
// the data when `last_is_end`.
std::vector<bool> syncs(GradientAccumulator& accumulator, int batches, bool last_is_end) {
  std::vector<bool> result;
  for (int i = 0; i < batches; ++i) {
    const auto step =
        accumulator.accumulate({.end_of_dataloader = last_is_end && i + 1 == batches});
    result.push_back(step.sync_gradients());
    CHECK(accumulator.sync_gradients() == step.sync_gradients());
  }
  return result;
}

}  // namespace

TEST_CASE("without accumulation every micro-step syncs", "[gradient_accumulation]") {
  GradientAccumulator accumulator(with_steps(1));
  CHECK(accumulator.steps() == 1);
  CHECK(accumulator.sync_gradients());
  CHECK(syncs(accumulator, 3, false) == std::vector<bool>{true, true, true});
  const auto step = accumulator.accumulate();
  CHECK(step.loss_scale() == 1.0F);
}

TEST_CASE("every steps-th micro-step syncs, and only it exchanges gradients",
          "[gradient_accumulation]") {
  RecordingReducer recorder;
  GradientAccumulator accumulator(with_steps(3), recorder.reducer());
  std::vector<float> gradient{1.0F, 2.0F};
  std::vector<bool> synced;
  for (int i = 0; i < 6; ++i) {
    const auto step = accumulator.accumulate();
    CHECK(step.loss_scale() == Approx(1.0F / 3.0F));
    synced.push_back(step.reduce_gradients(gradient));
    CHECK(accumulator.pending_micro_steps() == (i + 1) % 3);
  }
  CHECK(synced == std::vector<bool>{false, false, true, false, false, true});
  REQUIRE(recorder.calls.size() == 2);  // one exchange per completed accumulation
  CHECK(recorder.calls[0] == std::vector<std::size_t>{2});
  CHECK(gradient == std::vector<float>{4.0F, 8.0F});
}

TEST_CASE("several buffers go to the reducer in one call", "[gradient_accumulation]") {
  RecordingReducer recorder;
  GradientAccumulator accumulator(with_steps(1), recorder.reducer());
  std::vector<float> weights(5, 1.0F);
  std::vector<float> bias(2, 1.0F);
  const std::span<float> buffers[] = {weights, bias};
  {
    const auto step = accumulator.accumulate();
    CHECK(step.reduce_gradients(buffers));
  }
  REQUIRE(recorder.calls.size() == 1);
  CHECK(recorder.calls[0] == std::vector<std::size_t>{5, 2});
  CHECK(bias == std::vector<float>{2.0F, 2.0F});
}

TEST_CASE("the end of the data syncs early and starts the count again", "[gradient_accumulation]") {
  GradientAccumulator accumulator(with_steps(4));
  // 6 batches per epoch: sync after 4, then the 2 left sync at the end.
  CHECK(syncs(accumulator, 6, true) == std::vector<bool>{false, false, false, true, false, true});
  CHECK(accumulator.pending_micro_steps() == 0);
  // The next epoch counts from 0 again, as in Accelerate.
  CHECK(syncs(accumulator, 6, true) == std::vector<bool>{false, false, false, true, false, true});
}

TEST_CASE("without sync_with_dataloader the last batch is an ordinary one",
          "[gradient_accumulation]") {
  auto options = with_steps(4);
  options.sync_with_dataloader = false;
  GradientAccumulator accumulator(options);
  CHECK(syncs(accumulator, 6, true) == std::vector<bool>{false, false, false, true, false, false});
  // The two left over carry into the next epoch.
  CHECK(syncs(accumulator, 2, false) == std::vector<bool>{false, true});
}

TEST_CASE("without a reducer a syncing step still says it synced", "[gradient_accumulation]") {
  GradientAccumulator accumulator(with_steps(2));
  std::vector<float> gradient{3.0F};
  { CHECK_FALSE(accumulator.accumulate().reduce_gradients(gradient)); }
  { CHECK(accumulator.accumulate().reduce_gradients(gradient)); }
  CHECK(gradient == std::vector<float>{3.0F});
}

TEST_CASE("a second micro-step while one is open is refused", "[gradient_accumulation]") {
  GradientAccumulator accumulator(with_steps(2));
  {
    const auto step = accumulator.accumulate();
    CHECK_THROWS_WITH(accumulator.accumulate(), Catch::Contains("still open"));
  }
  // The refused one was not counted: this is micro-step 2, which syncs.
  const auto step = accumulator.accumulate();
  CHECK(step.sync_gradients());
}

TEST_CASE("the step count comes from the launcher's variable", "[gradient_accumulation]") {
  GradientAccumulationOptions options;
  options.env = env_of({{"ACCELERATE_GRADIENT_ACCUMULATION_STEPS", "4"}});
  CHECK(GradientAccumulator(options).steps() == 4);
  options.env = env_of({});
  CHECK(GradientAccumulator(options).steps() == 1);
  // The option wins over the variable.
  options.env = env_of({{"ACCELERATE_GRADIENT_ACCUMULATION_STEPS", "4"}});
  options.steps = 2;
  CHECK(GradientAccumulator(options).steps() == 2);
}

TEST_CASE("a step count that is not a positive integer is refused, named",
          "[gradient_accumulation]") {
  for (const std::string bad : {"0", "-1", "two", "", "3.5", "4 "}) {
    INFO("value '" << bad << "'");
    CHECK_THROWS_WITH(accel::gradient_accumulation_steps_from_environment(
                          env_of({{"ACCELERATE_GRADIENT_ACCUMULATION_STEPS", bad}})),
                      Catch::StartsWith("ACCELERATE_GRADIENT_ACCUMULATION_STEPS='" + bad +
                                        "' is not a number of micro-steps"));
  }
  CHECK_THROWS_WITH(GradientAccumulator(with_steps(0)),
                    Catch::StartsWith("GradientAccumulationOptions::steps=0"));
}
