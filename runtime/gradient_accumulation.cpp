#include "accel/gradient_accumulation.hpp"

#include <charconv>
#include <stdexcept>
#include <string>

#include "base/environment.hpp"
#include "rendezvous/env_names.hpp"

namespace accel {

namespace {

constexpr int kMostSteps = 1'000'000;  // past this a value is surely a typo

std::optional<int> parse_steps(const std::string& text) {
  int value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || ptr != end || value < 1 || value > kMostSteps) return std::nullopt;
  return value;
}

int checked_steps(int steps) {
  if (steps < 1 || steps > kMostSteps) {
    throw std::invalid_argument("GradientAccumulationOptions::steps=" + std::to_string(steps) +
                                " is not a number of micro-steps (1.." +
                                std::to_string(kMostSteps) + "); 1 turns accumulation off");
  }
  return steps;
}

}  // namespace

int gradient_accumulation_steps_from_environment(const base::EnvLookup& lookup) {
  const auto text = lookup(env::kAccelerateGradientAccumulationSteps);
  if (!text) return 1;
  const auto steps = parse_steps(*text);
  if (!steps) {
    throw std::invalid_argument(std::string(env::kAccelerateGradientAccumulationSteps) + "='" +
                                *text + "' is not a number of micro-steps (1.." +
                                std::to_string(kMostSteps) +
                                "); the launcher sets it from the config file's "
                                "gradient_accumulation_steps");
  }
  return *steps;
}

GradientAccumulator::GradientAccumulator(GradientAccumulationOptions options,
                                         GradientReducer reducer)
    : steps_(options.steps ? checked_steps(*options.steps)
                           : gradient_accumulation_steps_from_environment(
                                 options.env ? options.env : base::process_environment())),
      sync_with_dataloader_(options.sync_with_dataloader),
      reducer_(std::move(reducer)) {}

AccumulationStep GradientAccumulator::accumulate(MicroBatch batch) {
  if (step_open_) {
    throw std::logic_error(
        "accumulate() was called while the previous micro-step's scope is still open; end "
        "that scope first (one micro-step at a time, or it would be counted twice)");
  }
  // Accelerate's _do_sync: the end of the data always syncs and restarts
  // the count, so an epoch never leaves gradients behind for the next.
  if (sync_with_dataloader_ && batch.end_of_dataloader) {
    micro_step_ = 0;
    sync_gradients_ = true;
  } else {
    ++micro_step_;
    sync_gradients_ = micro_step_ % steps_ == 0;
  }
  return AccumulationStep(*this, sync_gradients_);
}

AccumulationStep::AccumulationStep(GradientAccumulator& accumulator, bool sync_gradients)
    : accumulator_(accumulator),
      sync_gradients_(sync_gradients),
      loss_scale_(1.0F / static_cast<float>(accumulator.steps_)) {
  accumulator_.step_open_ = true;
}

AccumulationStep::~AccumulationStep() {
  accumulator_.step_open_ = false;
}

bool AccumulationStep::reduce_gradients(std::span<const std::span<float>> gradients) const {
  if (!sync_gradients_) return false;
  if (accumulator_.reducer_) accumulator_.reducer_(gradients);
  return true;
}

bool AccumulationStep::reduce_gradients(std::span<float> gradients) const {
  const std::span<float> one[] = {gradients};
  return reduce_gradients(one);
}

}  // namespace accel
